"""A scripted Admin API at the httpx transport boundary: answers in order, records every request."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers or {})


def page(events: list[dict[str, Any]], next_cursor: str | None = None) -> httpx.Response:
    meta: dict[str, Any] = {"page_size": 500}
    if next_cursor is not None:
        meta["next"] = next_cursor
    return json_response(200, {"data": events, "meta": meta, "links": {}})


def event(event_id: str, time: str = "2026-11-20T10:00:00.000Z", action: str = "user_login") -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "events",
        "attributes": {"time": time, "action": action, "actor": {"id": "abc", "email": "a@example.com"}, "context": []},
        "links": {"self": None},
    }


class ScriptedApi:
    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.url}")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)
