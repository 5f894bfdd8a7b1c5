"""Time as a dependency: every component that reads the time or waits takes a ``Clock``.

``SystemClock`` is the real one. ``ManualClock`` moves only when told to, or when something
sleeps on it, so tests and benchmarks run hours of simulated time in milliseconds.
``OffsetClock`` is the real time plus an offset that only grows: the demo skips ahead with it
(half an hour of a quiet org passes in a click) while everything still waits in real time.
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


class OffsetClock:
    """The system clock plus an offset that ``skip`` moves forward (never back); sleeping is real.

    ``now`` and ``monotonic`` both include the offset, so timers, TTLs and rate windows see the
    skipped time pass as everything else does."""

    def __deepcopy__(self, memo: dict[int, object]) -> OffsetClock:
        """A copy of something that keeps time keeps this same clock (skips reach it too)."""
        return self

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset

    def skip(self, by: timedelta) -> datetime:
        """Move the clock ``by`` forward; returns the new time."""
        if by < timedelta(0):
            raise ValueError("an offset clock only skips ahead")
        with self._lock:
            self._offset += by
            return datetime.now(UTC) + self._offset

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            _time.sleep(seconds)

    def monotonic(self) -> float:
        with self._lock:
            return _time.monotonic() + self._offset.total_seconds()


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
