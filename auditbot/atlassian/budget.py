"""A client-side request budget per API path, so auditbot never exceeds a rate limit by itself.

Each path keeps the send times of its recent requests; a request may go when fewer than
``limit`` were sent in the last ``window`` seconds. A sliding window is never looser than
the API's fixed one-minute windows, so staying inside it keeps us inside theirs. What the
API reports (``X-RateLimit-Remaining: 0`` until ``X-RateLimit-Reset``) is honoured too, which
covers other processes spending the same key.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from auditbot.core.clock import Clock

EVENTS = "events"
EVENT = "event"
EVENT_ACTIONS = "event-actions"
EVENTS_STREAM = "events-stream"

DEFAULT_LIMITS: Mapping[str, int] = {EVENTS: 10, EVENT: 10, EVENT_ACTIONS: 10, EVENTS_STREAM: 60}
"""Requests per minute: 10 for the filtered endpoints since May 2025, 60 for the stream."""


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    path: str
    limit: int
    remaining: int
    ready_in: float
    """Seconds until the next request may be sent (0 when one may go now)."""


class RequestBudget:
    def __init__(self, clock: Clock, limits: Mapping[str, int] | None = None, *, window: float = 60.0) -> None:
        self._clock = clock
        self._limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self._window = window
        self._sent: dict[str, deque[float]] = {path: deque() for path in self._limits}
        self._blocked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, path: str) -> float:
        """Take the next slot for ``path`` and return how many seconds to wait before sending."""
        with self._lock:
            now = self._clock.monotonic()
            wait = self._wait_locked(path, now)
            self._sent[path].append(now + wait)
            return wait

    def ready_in(self, path: str) -> float:
        """Seconds until a request to ``path`` could be sent, without taking a slot."""
        with self._lock:
            return self._wait_locked(path, self._clock.monotonic())

    def release(self, path: str) -> None:
        """Give back the newest slot of ``path`` (the request was never sent)."""
        with self._lock:
            sent = self._sent[path]
            if sent:
                sent.pop()

    def observe(self, path: str, *, remaining: int | None, reset_at: datetime | None) -> None:
        """Learn from the API's rate-limit headers: when it says none remain, wait for its reset."""
        if remaining is None or remaining > 0 or reset_at is None:
            return
        with self._lock:
            until = self._clock.monotonic() + max(0.0, (reset_at - self._clock.now()).total_seconds())
            self._blocked_until[path] = max(until, self._blocked_until.get(path, 0.0))

    def block(self, path: str, seconds: float) -> None:
        """No request to ``path`` for ``seconds`` (after a 429)."""
        with self._lock:
            until = self._clock.monotonic() + max(0.0, seconds)
            self._blocked_until[path] = max(until, self._blocked_until.get(path, 0.0))

    def status(self, path: str) -> BudgetStatus:
        with self._lock:
            now = self._clock.monotonic()
            wait = self._wait_locked(path, now)
            used = sum(1 for t in self._sent[path] if t > now - self._window)
            limit = self._limits[path]
            remaining = 0 if self._blocked_until.get(path, 0.0) > now else max(0, limit - used)
            return BudgetStatus(path=path, limit=limit, remaining=remaining, ready_in=wait)

    def _wait_locked(self, path: str, now: float) -> float:
        sent = self._sent[path]
        while sent and sent[0] <= now - self._window:
            sent.popleft()
        wait = max(0.0, self._blocked_until.get(path, 0.0) - now)
        limit = self._limits[path]
        if len(sent) >= limit:
            # The slot frees when the request `limit` places back leaves the window.
            wait = max(wait, sent[len(sent) - limit] + self._window - now)
        return wait
