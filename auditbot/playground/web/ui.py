"""The JSON endpoints the page calls, under ``/ui/``.

``GET /ui/state`` (who is at the page, the team, people, conversations, the app's command and
shortcuts), ``GET /ui/events?cursor=N`` (a long poll: answers at once when there are events after
``N``, else waits up to 20 s), and one ``POST`` per gesture: ``user``, ``command``, ``message``,
``action``, ``message-shortcut``, ``global-shortcut``, ``home-opened``, ``options``,
``view-submit`` and ``view-close``. When the page's owner lets time be skipped (the demo does),
``POST /ui/skip-ahead`` with ``{"minutes": N}`` moves the clock N minutes (1 to 1440) forward and
answers the new time; ``state`` says ``"skip_ahead": true`` then. A tab names the person it acts
as in ``X-Playground-User`` (default: the one ``POST /ui/user`` switched to, Jane at first).
Answers are ``{"ok": true, ...}``, or ``{"ok": false, "error"}`` with 400/403/404 for a request
the page should not make and 502 when the app failed.

POSTs must be JSON and every request must name the server by an IP address or ``localhost`` in
``Host``: another web site cannot drive the page's endpoints from a visitor's browser.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from auditbot.playground.handler import JSON_TYPE, HttpAnswer
from auditbot.playground.model import JsonDict
from auditbot.playground.web.delivery import AppError
from auditbot.playground.web.feed import events_json, state_json
from auditbot.playground.web.session import Actor, Session, UiError

LONG_POLL_S = 20.0
WAIT_SLICE_S = 0.5
"""Long polls re-check this often whether the server is closing."""
MAX_BODY = 1024 * 1024
USER_HEADER = "X-Playground-User"
"""Who a tab acts as; without it, the person the page was last switched to (``POST /ui/user``)."""

MAX_SKIP_MINUTES = 24 * 60
Route = Callable[[Actor, JsonDict], JsonDict]
SkipAhead = Callable[[timedelta], datetime]
"""Moves the clock forward by the interval; returns the new time."""


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


def _answer(status: int, value: JsonDict) -> HttpAnswer:
    headers = {"Content-Type": JSON_TYPE, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    return HttpAnswer(status, headers, json.dumps(value).encode())


def local_host(host_header: str) -> bool:
    """``Host`` is an IP address or localhost (a rebound DNS name pointing here is neither)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else ""
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _text(body: JsonDict, key: str) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise UiError(400, f"{key} must be text.")
    return value


def _optional(body: JsonDict, key: str) -> str | None:
    return _text(body, key) or None


ROUTES: dict[str, Route] = {
    "command": lambda s, b: s.command(_text(b, "channel"), _text(b, "text")),
    "message": lambda s, b: s.message(_text(b, "channel"), _text(b, "text")),
    "action": lambda s, b: s.action(b),
    "message-shortcut": lambda s, b: s.message_shortcut(
        _text(b, "channel"), _text(b, "message_ts"), _optional(b, "callback_id")
    ),
    "global-shortcut": lambda s, b: s.global_shortcut(_optional(b, "callback_id")),
    "home-opened": lambda s, b: s.home_opened(_text(b, "tab") or "home"),
    "options": lambda s, b: s.options(b),
    "view-submit": lambda s, b: s.view_submit(_text(b, "view_id"), b.get("values")),
    "view-close": lambda s, b: s.view_close(_text(b, "view_id"), everything=b.get("all") is True),
}


class UiApi:
    def __init__(self, session: Session, *, long_poll: float = LONG_POLL_S, skip: SkipAhead | None = None) -> None:
        self.session = session
        self.long_poll = long_poll
        self.skip = skip
        self.closing = threading.Event()

    def handle(self, method: str, route: str, query: str, headers: Mapping[str, str], body: bytes) -> HttpAnswer:
        if not local_host(_header(headers, "Host")):
            return _answer(403, {"ok": False, "error": "The playground answers on localhost or an IP address only."})
        try:
            if method == "POST" and route == "user":
                return _answer(200, self.session.switch_user(_text(self._body(headers, body), "user")))
            if method == "POST" and route == "skip-ahead" and self.skip is not None:
                return _answer(200, self.skip_ahead(self.skip, self._body(headers, body)))
            actor = self.session.actor(_header(headers, USER_HEADER) or None)
            if method == "GET" and route == "state":
                return _answer(200, self.state(actor))
            if method == "GET" and route == "events":
                return _answer(200, self.events(actor, query))
            if method == "POST" and route in ROUTES:
                return _answer(200, ROUTES[route](actor, self._body(headers, body)))
        except UiError as exc:
            return _answer(exc.status, {"ok": False, "error": str(exc)})
        except AppError as exc:
            return _answer(502, {"ok": False, "error": str(exc)})
        return _answer(404, {"ok": False, "error": f"no such endpoint: {method} /ui/{route}"})

    def state(self, actor: Actor) -> JsonDict:
        state = state_json(actor.workspace, actor.user, actor.profile, actor.dm())
        return {"ok": True, **state, "skip_ahead": self.skip is not None}

    @staticmethod
    def skip_ahead(skip: SkipAhead, body: JsonDict) -> JsonDict:
        minutes = body.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_SKIP_MINUTES:
            raise UiError(400, f"minutes must be a whole number from 1 to {MAX_SKIP_MINUTES}.")
        now = skip(timedelta(minutes=minutes))
        return {"ok": True, "now": now.isoformat()}

    def events(self, actor: Actor, query: str) -> JsonDict:
        params = parse_qs(query)
        try:
            cursor = max(0, int(params.get("cursor", ["0"])[0]))
            timeout = min(self.long_poll, max(0.0, float(params.get("timeout", [str(self.long_poll)])[0])))
        except ValueError:
            raise UiError(400, "cursor must be a whole number and timeout a number of seconds.") from None
        ws = actor.workspace
        deadline = time.monotonic() + timeout
        while not self.closing.is_set() and ws.events_since().cursor == cursor:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ws.wait_for_events(cursor, min(WAIT_SLICE_S, left))
        return {"ok": True, **events_json(ws, cursor, actor.user)}

    @staticmethod
    def _body(headers: Mapping[str, str], body: bytes) -> JsonDict:
        if _header(headers, "Content-Type").split(";")[0].strip().lower() != "application/json":
            raise UiError(415, "Send JSON.")
        if len(body) > MAX_BODY:
            raise UiError(413, "That request is too large.")
        try:
            decoded: Any = json.loads(body or b"{}")
        except ValueError:
            raise UiError(400, "That is not JSON.") from None
        if not isinstance(decoded, dict):
            raise UiError(400, "Send a JSON object.")
        return decoded
