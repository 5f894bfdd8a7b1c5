"""One short warning per kind of refused request, at most once per interval.

Anyone on the internet can send malformed or unsigned requests by the thousand; each is refused,
and the log must not become the attack's amplifier. ``RefusalLog.refused`` writes one WARNING line
for a reason at most once per ``every`` seconds, and that line counts the refusals of the same
reason it held back since the previous one. Lines never carry a request's body or a traceback.
"""

from __future__ import annotations

import logging
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path

from auditbot.core.clock import Clock

logger = logging.getLogger("auditbot.slack.refused")

EVERY_SECONDS = 10.0
UNREADABLE = "signed request the app could not read"
READING_ERRORS: tuple[type[Exception], ...] = (LookupError, TypeError, ValueError, AttributeError, RecursionError)
"""What code raises when a request does not have the shape it expects (a list for an object, a
missing key, a string for a number): the request is refused with 400, not a server fault."""


@dataclass
class _Key:
    last_written: float
    held_back: int = 0


class LineBudget:
    """At most one line per key per ``every`` seconds: ``take(key)`` is None when the line must be
    held back, else how many were held back since the last one written."""

    def __init__(self, clock: Clock, every: float = EVERY_SECONDS) -> None:
        self._clock = clock
        self.every = every
        self._keys: dict[str, _Key] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> int | None:
        now = self._clock.monotonic()
        with self._lock:
            seen = self._keys.get(key)
            if seen is not None and now - seen.last_written < self.every:
                seen.held_back += 1
                return None
            self._keys[key] = _Key(now)
            return seen.held_back if seen is not None else 0


class RefusalLog:
    """Rate-limited warnings about refused requests, one stream per reason."""

    def __init__(self, clock: Clock, *, every: float = EVERY_SECONDS, log: logging.Logger = logger) -> None:
        self._budget = LineBudget(clock, every)
        self._log = log

    def refused(self, status: int, reason: str, detail: str = "") -> bool:
        """Note one refusal; True when a line was written for it. ``reason`` is a short fixed
        phrase (the rate limit's key); ``detail`` is shown after it and must not hold request data
        beyond a few safe characters."""
        held_back = self._budget.take(reason)
        if held_back is None:
            return False
        self._log.warning(
            "refused a request with %d: %s%s%s",
            status,
            reason,
            f" ({detail})" if detail else "",
            _more(held_back),
            extra={"status": status, "reason": reason, "held_back": held_back},
        )
        return True


class ThrottledRecords(logging.Filter):
    """A logging filter letting through one record per message per interval, noting how many it
    held back. For a library's per-request warnings (waitress says "Task queue depth is N" for each
    request queued behind busy threads), which a flood would otherwise turn into a line each."""

    def __init__(self, clock: Clock, every: float = EVERY_SECONDS) -> None:
        super().__init__()
        self._budget = LineBudget(clock, every)

    def filter(self, record: logging.LogRecord) -> bool:
        held_back = self._budget.take(f"{record.name}:{record.msg}")
        if held_back is None:
            return False
        if held_back:
            record.msg = f"{record.msg}{_more(held_back).replace('%', '%%')}"
        return True


def throttle_logger(name: str, clock: Clock, every: float = EVERY_SECONDS) -> None:
    """Put a ``ThrottledRecords`` filter on logger ``name`` (once, however often this is called)."""
    target = logging.getLogger(name)
    if not any(isinstance(existing, ThrottledRecords) for existing in target.filters):
        target.addFilter(ThrottledRecords(clock, every))


def _more(held_back: int) -> str:
    return f"; {held_back} more like it since the last such line" if held_back else ""


def raised_where(error: BaseException) -> str:
    """``KeyError at guard.py:42``: the error's type and the line that raised it, nothing of its message
    (which may quote the request)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return type(error).__name__
    last = frames[-1]
    return f"{type(error).__name__} at {Path(last.filename).name}:{last.lineno}"
