"""Request integrity: three Bolt global middlewares that run after Bolt's own signature check.

Bolt's ``RequestVerification`` already answers 401 to a bad or missing signature and to a
timestamp more than 5 minutes from now. These guards close what it leaves open:

* ``replay_guard``: a correctly signed request captured and sent again within those 5 minutes
  (same ``x-slack-signature`` and timestamp) is refused with 401, like Bolt's own refusal.
* ``dedupe_guard``: the same interaction delivered twice has one effect. A second delivery (Slack's
  event retries with ``X-Slack-Retry-Num``, a double click, a re-signed copy) is acked with 200 and
  no listener runs. Options loads (block_suggestion) are never deduplicated: typing repeats.
* ``response_url_guard``: a payload's response_url must be https on Slack's hooks host (or, in demo
  mode only, the playground's own loopback root, passed explicitly); otherwise 400 before any listener.

Their order among the other middlewares (the access guard, the per-person search limit) is decided
in one place, ``auditbot.slack.middleware.chain``; build the list there, not by hand.

Memories are in-process TTL caches on the injected clock; with several replicas, route a workspace
to one replica or accept that a duplicate landing on another replica is not caught.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from cachetools import TTLCache
from slack_bolt import BoltRequest, BoltResponse

from auditbot.core.clock import Clock
from auditbot.slack.middleware.throttle import Middleware

__all__ = [
    "SLACK_HOOKS",
    "Middleware",
    "dedupe_guard",
    "interaction_key",
    "replay_guard",
    "response_url_allowed",
    "response_url_guard",
]

SLACK_HOOKS = "https://hooks.slack.com/"
REPLAYED = {"error": "replayed request"}
FOREIGN_RESPONSE_URL = {"error": "response_url not allowed"}
MAX_REMEMBERED = 100_000
_DEFAULT_PORTS = {"https": 443, "http": 80}
_VIEW_KINDS = frozenset({"shortcut", "message_action", "view_submission", "view_closed"})

Next = Callable[[], None]


def replay_guard(clock: Clock, *, window_seconds: float = 300) -> Middleware:
    """Refuse (401) a request whose exact signature and timestamp were already accepted within the window."""
    seen: TTLCache[str, bool] = TTLCache(maxsize=MAX_REMEMBERED, ttl=window_seconds, timer=clock.monotonic)
    lock = threading.Lock()

    def replay(request: BoltRequest, next_: Next, logger: logging.Logger) -> BoltResponse | None:
        stamp = _header(request, "x-slack-request-timestamp")
        signature = _header(request, "x-slack-signature")
        if stamp and signature:  # unsigned only in Socket Mode, where Bolt skips verification
            key = hashlib.sha256(f"{stamp}:{signature}".encode()).hexdigest()
            with lock:
                replayed = key in seen
                seen[key] = True
            if replayed:
                logger.warning("refused a replayed request (timestamp %s)", stamp[:20])
                return BoltResponse(status=401, body=REPLAYED)
        next_()
        return None

    return replay


def interaction_key(body: Mapping[str, Any], raw_body: str = "") -> str | None:
    """What makes two deliveries "the same interaction", or None when repeats are legitimate."""
    kind = str(body.get("type") or "")
    if "command" in body:
        return _key("command", body.get("trigger_id")) or _digest("command", raw_body)
    if kind == "event_callback":
        return _key("event", body.get("team_id"), body.get("event_id")) or _digest(kind, raw_body)
    if kind == "block_actions":
        if body.get("trigger_id"):
            return _key(kind, body["trigger_id"])
        actions = body.get("actions") or [{}]
        user = (body.get("user") or {}).get("id")
        return _key(kind, user, actions[0].get("action_id"), actions[0].get("action_ts")) or _digest(kind, raw_body)
    if kind in _VIEW_KINDS:
        view = body.get("view") or {}
        return (
            _key(kind, body.get("trigger_id"))
            or _key(kind, view.get("id"), view.get("hash"))
            or _digest(kind, raw_body)
        )
    return None  # block_suggestion (typing repeats), url_verification, anything unknown


def dedupe_guard(clock: Clock, *, window_seconds: float = 600) -> Middleware:
    """Ack (200) a second delivery of the same interaction within the window, without running a listener."""
    seen: TTLCache[str, bool] = TTLCache(maxsize=MAX_REMEMBERED, ttl=window_seconds, timer=clock.monotonic)
    lock = threading.Lock()

    def dedupe(body: dict[str, Any], request: BoltRequest, next_: Next, logger: logging.Logger) -> BoltResponse | None:
        key = interaction_key(body, request.raw_body)
        if key is not None:
            with lock:
                repeated = key in seen
                if not repeated:
                    seen[key] = True
            if repeated:
                retry = _header(request, "x-slack-retry-num") or "-"
                kind = "command" if "command" in body else str(body.get("type"))[:40]
                logger.info("acked a repeated %s delivery without acting on it (retry %s)", kind, retry[:8])
                return BoltResponse(status=200, body="")
        next_()
        return None

    return dedupe


@dataclass(frozen=True)
class _Prefix:
    scheme: str
    host: str
    port: int
    path: str


def _prefix(text: str) -> _Prefix:
    parts = urlsplit(text)
    host = parts.hostname or ""
    if parts.scheme == "http":
        if not _is_loopback(host):
            raise ValueError(f"{text!r}: plain http is allowed for a loopback address only")
    elif parts.scheme != "https":
        raise ValueError(f"{text!r}: a response_url prefix must be https")
    if not host or parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"{text!r}: a response_url prefix is scheme://host[:port]/path/")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return _Prefix(parts.scheme, host, parts.port or _DEFAULT_PORTS[parts.scheme], path)


def response_url_allowed(url: str, prefixes: Iterable[str] = (SLACK_HOOKS,)) -> bool:
    """Whether ``url`` lies under one of ``prefixes``, compared by scheme, host, port and path segments."""
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme, -1)
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return False
    if any(segment in {".", ".."} for segment in unquote(parts.path).split("/")):
        return False
    for allowed in map(_prefix, prefixes):
        if (parts.scheme, parts.hostname, port) == (allowed.scheme, allowed.host, allowed.port) and (
            parts.path.startswith(allowed.path)
        ):
            return True
    return False


def response_url_guard(allowed_prefixes: Sequence[str] = (SLACK_HOOKS,)) -> Middleware:
    """Refuse (400) a request carrying a response_url outside ``allowed_prefixes``, before any listener runs.

    Prefixes must be https; http only for a loopback host (the demo playground), and only when passed.
    """
    prefixes = tuple(allowed_prefixes)
    for text in prefixes:
        _prefix(text)  # fail at start-up, not on the first request

    def response_url(body: dict[str, Any], next_: Next, logger: logging.Logger) -> BoltResponse | None:
        for url in _response_urls(body):
            if not response_url_allowed(url, prefixes):
                logger.warning("refused a request whose response_url points at host %r", _host(url)[:100])
                return BoltResponse(status=400, body=FOREIGN_RESPONSE_URL)
        next_()
        return None

    return response_url


def _header(request: BoltRequest, name: str) -> str:
    values = request.headers.get(name) or []
    return str(values[0]) if values else ""


def _key(kind: str, *parts: Any) -> str | None:
    if not all(isinstance(part, str | int) and str(part) for part in parts):
        return None
    return json.dumps([kind, *map(str, parts)])


def _digest(kind: str, raw_body: str) -> str | None:
    return _key(kind, "sha256:" + hashlib.sha256(raw_body.encode()).hexdigest()) if raw_body else None


def _response_urls(body: Mapping[str, Any]) -> Iterator[str]:
    if body.get("response_url") is not None:
        yield str(body["response_url"])
    for item in body.get("response_urls") or []:
        if isinstance(item, Mapping) and item.get("response_url") is not None:
            yield str(item["response_url"])


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or "(none)"
    except ValueError:
        return "(unparseable)"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
