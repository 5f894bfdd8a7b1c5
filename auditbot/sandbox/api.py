"""``SandboxApi``: the fake Admin API as one pure request handler, independent of any server.

``handle(SandboxRequest) -> SandboxResponse`` runs, in order: control paths (``/_sandbox/…``,
no auth, no quota, no faults); routing (unknown path → 404 ``ADMIN-404-1``, a method other than
GET → 405 ``ADMIN-405-1``); the fault plan (see ``faults.py``); the API key (401 ProxyError);
the per-key, per-path quota (429 ProxyError); the org id (404 ``ADMIN-404-2``); the endpoint.
Every answer to one of the four API paths carries the ``X-RateLimit-*`` headers.

Two mounts serve it: ``transport()`` (httpx, in-process) and ``server.start_server`` (loopback HTTP).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from auditbot.core.clock import Clock, SystemClock
from auditbot.sandbox import endpoints
from auditbot.sandbox.builders import to_us
from auditbot.sandbox.control import handle_control
from auditbot.sandbox.cursor import CursorCodec
from auditbot.sandbox.faults import FaultPlan
from auditbot.sandbox.filters import parse_params
from auditbot.sandbox.generate import GeneratedOrg
from auditbot.sandbox.messages import SandboxRequest, SandboxResponse
from auditbot.sandbox.ratelimit import RateLimiter, RateLimits
from auditbot.sandbox.responses import JSON, ApiProblem, application_error, problem, proxy_error
from auditbot.sandbox.store import EventSource

if TYPE_CHECKING:
    import httpx

DEFAULT_API_KEY = "sandbox-key"
ACTIONS_FILE = Path(__file__).with_name("actions.json")
_ROUTE = re.compile(
    r"^/admin/v1/orgs/(?P<org>[^/]+)/(?P<name>events|events-stream|event-actions)(?:/(?P<event>[^/]+))?/?$"
)


@dataclass(frozen=True)
class _Route:
    name: str
    org_id: str
    event_id: str | None


class SandboxApi:
    """The fake Admin API audit-log endpoints over an ``EventSource``."""

    def __init__(
        self,
        source: EventSource,
        *,
        org_id: str,
        api_key: str = DEFAULT_API_KEY,
        clock: Clock | None = None,
        limits: RateLimits | None = None,
        faults: FaultPlan | None = None,
        secret: bytes | None = None,
        actions: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        self.source = source
        self.org_id = org_id
        self.api_key = api_key
        self.clock: Clock = clock or SystemClock()
        self.limiter = RateLimiter(limits or RateLimits(), self.clock)
        self.faults = faults or FaultPlan()
        secret = secret or hashlib.sha256(f"auditbot-sandbox-cursor:{org_id}".encode()).digest()
        self.codec = CursorCodec(secret, org_id)
        self.actions = list(actions) if actions is not None else load_actions()
        self._actions_body = endpoints.event_actions(self.actions)
        self._ids = random.Random(secret)
        self._ids_lock = threading.Lock()

    @classmethod
    def generated(
        cls,
        seed: int = 1,
        *,
        days: int = 30,
        anchor: datetime | None = None,
        clock: Clock | None = None,
        **options: Any,
    ) -> SandboxApi:
        """A sandbox over a seeded live org whose history ends at ``anchor`` (default: the clock's now)."""
        clock = clock or SystemClock()
        org = GeneratedOrg(seed, anchor=anchor or clock.now(), days=days)
        return cls(org, org_id=org.org_id, clock=clock, **options)

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.path.startswith("/_sandbox/"):
            return handle_control(request, self)
        route = _match(request.path)
        if route is None:
            return self._error(problem("ADMIN-404-1", f"No resource at {request.path}."), {})
        key = _bearer(request) or ""
        if request.method.upper() != "GET":
            headers = {**self.limiter.peek(key, route.name).headers(), "Allow": "GET"}
            return self._error(problem("ADMIN-405-1", f"{request.method} is not supported here; use GET."), headers)
        fault = self.faults.next_fault()
        if fault == "drop":
            return SandboxResponse(0, {}, b"", drop=True)
        if fault == "500":
            failure = problem("ADMIN-500-1", "Something went wrong on our side. Try again later.")
            return self._error(failure, self.limiter.peek(key, route.name).headers())
        response = self._serve(request, route, key)
        if fault == "slow":
            return replace(response, delay=self.faults.slow_seconds)
        if fault == "malformed":
            return replace(response, status=200, body=response.body[: max(1, len(response.body) // 2)])
        return response

    def transport(self) -> httpx.MockTransport:
        """An httpx transport that answers from this sandbox in-process."""
        from auditbot.sandbox.transport import mock_transport

        return mock_transport(self)

    def new_error_id(self) -> str:
        with self._ids_lock:
            return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def _serve(self, request: SandboxRequest, route: _Route, key: str) -> SandboxResponse:
        if key != self.api_key:
            decision = self.limiter.peek(key, route.name)
            return SandboxResponse(401, _json_headers(decision.headers()), proxy_error(401, "Unauthorized"))
        decision = self.limiter.hit(key, route.name)
        if not decision.allowed:
            return SandboxResponse(429, _json_headers(decision.headers()), proxy_error(429, "Rate limit exceeded"))
        try:
            body = self._endpoint(request, route)
        except ApiProblem as error:
            return self._error(error, decision.headers())
        return SandboxResponse(200, _json_headers(decision.headers()), body)

    def _endpoint(self, request: SandboxRequest, route: _Route) -> bytes:
        if route.org_id != self.org_id:
            raise problem("ADMIN-404-2", f"No organization with id {route.org_id!r}.")
        if route.name == "event-actions":
            return self._actions_body
        now = self.clock.now()
        query = f"?{request.query}" if request.query else ""
        ctx = endpoints.PageContext(
            org_id=self.org_id,
            params=parse_params(request.query),
            index=self.source.index(now),
            now_us=to_us(now),
            codec=self.codec,
            base_url=request.base_url.rstrip("/"),
            self_url=f"{request.base_url.rstrip('/')}{request.path}{query}",
        )
        if route.name == "event":
            return endpoints.get_event(ctx, route.event_id or "")
        if route.name == "events":
            return endpoints.list_events(ctx)
        return endpoints.stream_events(ctx)

    def _error(self, error: ApiProblem, headers: Mapping[str, str]) -> SandboxResponse:
        return SandboxResponse(error.status, _json_headers(headers), application_error(error, self.new_error_id()))


def load_actions(path: Path = ACTIONS_FILE) -> list[dict[str, Any]]:
    """The action catalog the sandbox serves (``actions.json``, in the ``/event-actions`` shape)."""
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["data"]
    return data


def _match(path: str) -> _Route | None:
    found = _ROUTE.match(path)
    if found is None:
        return None
    event = found["event"]
    if event is not None and found["name"] != "events":
        return None
    name = "event" if event is not None else found["name"]
    return _Route(name, unquote(found["org"]), unquote(event) if event is not None else None)


def _bearer(request: SandboxRequest) -> str | None:
    scheme, _, token = (request.header("Authorization") or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _json_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {"Content-Type": JSON, **headers}
