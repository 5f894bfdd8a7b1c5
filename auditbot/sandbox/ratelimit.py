"""Per-key, per-path request quotas in fixed one-minute windows, as the Admin API enforces them.

Windows start on the minute of the injected clock. Every answer to an API route carries
``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (the next window
start, ``YYYY-MM-DDTHH:MMZ`` in UTC, the minute precision real responses show).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from auditbot.core.clock import Clock

ROUTES = ("events", "event", "event-actions", "events-stream")


@dataclass(frozen=True)
class RateLimits:
    """Requests per minute for each path (Atlassian's limits since May 2025 by default)."""

    events: int = 10
    event: int = 10
    event_actions: int = 10
    events_stream: int = 60

    @classmethod
    def of(cls, per_minute: int | None = None, stream_per_minute: int | None = None) -> RateLimits:
        """``per_minute`` for the three query paths, ``stream_per_minute`` for ``/events-stream``."""
        base = cls()
        query = base.events if per_minute is None else per_minute
        stream = base.events_stream if stream_per_minute is None else stream_per_minute
        return cls(events=query, event=query, event_actions=query, events_stream=stream)

    def for_route(self, route: str) -> int:
        return {
            "events": self.events,
            "event": self.event,
            "event-actions": self.event_actions,
            "events-stream": self.events_stream,
        }[route]


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset: datetime

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": self.reset.strftime("%Y-%m-%dT%H:%MZ"),
        }


class RateLimiter:
    """Counts requests per (API key, route) in the current minute."""

    def __init__(self, limits: RateLimits, clock: Clock) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], tuple[datetime, int]] = {}

    def hit(self, key: str, route: str) -> RateDecision:
        """Count one request; ``allowed`` is false once the window's quota is spent (refused ones do not count)."""
        return self._decide(key, route, count=True)

    def peek(self, key: str, route: str) -> RateDecision:
        """The current state without counting (for answers the quota does not apply to)."""
        return self._decide(key, route, count=False)

    def _decide(self, key: str, route: str, *, count: bool) -> RateDecision:
        limit = self.limits.for_route(route)
        window = self._clock.now().replace(second=0, microsecond=0)
        reset = window + timedelta(minutes=1)
        with self._lock:
            started, used = self._counts.get((key, route), (window, 0))
            if started != window:
                used = 0
            allowed = used < limit
            if count and allowed:
                used += 1
                self._counts[(key, route)] = (window, used)
        return RateDecision(allowed, limit, max(0, limit - used), reset)
