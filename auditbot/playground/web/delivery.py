"""Sending a request to the app as Slack does: signed with the signing secret, POSTed to its events URL.

The signature is ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}`` in ``X-Slack-Signature``,
the timestamp (real Unix seconds: apps refuse stale ones) in ``X-Slack-Request-Timestamp``.
Whatever goes wrong, no app connected, a refused connection, a timeout, a non-200 answer,
becomes an ``AppError`` whose message the page shows as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from auditbot.playground.web.payloads import SlackRequest

TIMEOUT_S = 10.0
ACK_DEADLINE_S = 3.0
"""Slack gives up on an app that has not answered within this."""
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


class AppError(Exception):
    """The app could not be reached or refused the request; ``str(error)`` is for the person."""


@dataclass(frozen=True)
class AppAnswer:
    status: int
    body: bytes
    content_type: str
    seconds: float
    """How long the app took to answer."""

    @property
    def late(self) -> bool:
        """Slack would have shown the person a timeout: the answer took longer than 3 s."""
        return self.seconds > ACK_DEADLINE_S

    def json(self) -> Any:
        """The body as JSON; ``None`` when empty or not JSON (an empty ack)."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def signature(secret: str, timestamp: int, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, timestamp: int, request: SlackRequest) -> dict[str, str]:
    return {
        "Content-Type": request.content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature(secret, timestamp, request.body),
        "User-Agent": USER_AGENT,
    }


class AppLink:
    """The app's events URL and the secret to sign with; ``send`` delivers one request."""

    def __init__(
        self,
        signing_secret: str,
        url: str | None = None,
        *,
        timeout: float = TIMEOUT_S,
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not signing_secret:
            raise ValueError("the playground needs the app's signing secret to sign requests")
        self._secret = signing_secret
        self._url = url
        self._lock = threading.Lock()
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self._timeout = timeout
        self._http = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)

    @property
    def url(self) -> str | None:
        with self._lock:
            return self._url

    def connect(self, url: str) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"the app's events URL must be http(s): {url!r}")
        with self._lock:
            self._url = url

    def send(self, request: SlackRequest) -> AppAnswer:
        url = self.url
        if url is None:
            raise AppError("No app is connected to the playground yet.")
        headers = signed_headers(self._secret, int(self._wall_clock()), request)
        started = self._monotonic()
        try:
            response = self._http.post(url, content=request.body.encode(), headers=headers)
        except httpx.ConnectError:
            raise AppError(f"Could not reach the app at {url}: the connection was refused. Is it running?") from None
        except httpx.TimeoutException:
            raise AppError(f"The app at {url} did not answer within {self._timeout:g} s.") from None
        except httpx.HTTPError as exc:
            raise AppError(f"Could not talk to the app at {url}: {type(exc).__name__}.") from None
        took = self._monotonic() - started
        answer = AppAnswer(response.status_code, response.content, response.headers.get("content-type", ""), took)
        if answer.status != 200:
            detail = answer.body.decode("utf-8", "replace").strip()[:200]
            raise AppError(f"The app answered HTTP {answer.status}" + (f": {detail}" if detail else "."))
        return answer

    def close(self) -> None:
        self._http.close()
