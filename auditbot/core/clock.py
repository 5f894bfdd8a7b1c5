"""Time as a dependency: every component that reads the time or waits takes a ``Clock``.

``SystemClock`` is the real one. ``ManualClock`` moves only when told to, or when something
sleeps on it, so tests and benchmarks run hours of simulated time in milliseconds.
"""

from __future__ import annotations

import threading
import time as _time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a ManualClock just moves forward)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; for timers and TTLs."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            _time.sleep(seconds)

    def monotonic(self) -> float:
        return _time.monotonic()


class ManualClock:
    """A thread-safe clock that advances only through ``advance``, ``set`` or ``sleep``."""

    def __deepcopy__(self, memo: dict[int, object]) -> ManualClock:
        """A copy of something that keeps time (a request copied for later work) keeps this same clock."""
        return self

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._origin = self._now
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return (self._now - self._origin).total_seconds()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when.astimezone(UTC)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if seconds > 0:
            self.advance(seconds)


def epoch_ms(when: datetime) -> int:
    """Milliseconds since the epoch, the Admin API's time parameter unit."""
    if when.tzinfo is None:
        raise ValueError("epoch_ms needs a timezone-aware datetime")
    return (when - _EPOCH) // timedelta(milliseconds=1)


def from_epoch_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
