"""The request and response values ``SandboxApi.handle`` works on, free of any HTTP library."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SandboxRequest:
    method: str
    path: str
    """The URL path, e.g. ``/admin/v1/orgs/<org>/events`` (percent-escapes allowed)."""
    query: str = ""
    """The raw query string, without ``?``."""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    base_url: str = "http://127.0.0.1"
    """Scheme and host the request was sent to; page links point there."""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)


@dataclass(frozen=True)
class SandboxResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes
    drop: bool = False
    """Close the connection without answering (the ``drop`` fault)."""
    delay: float = 0.0
    """Hold the answer back this many seconds first (the ``slow`` fault)."""

    def json(self) -> Any:
        return json.loads(self.body)


def json_response(status: int, value: Any, headers: Mapping[str, str] | None = None) -> SandboxResponse:
    body = json.dumps(value, separators=(",", ":")).encode()
    return SandboxResponse(status, {"Content-Type": "application/json", **(headers or {})}, body)
