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
class _Reason:
    last_written: float
    held_back: int = 0


class RefusalLog:
    """Rate-limited warnings about refused requests, one stream per reason."""

    def __init__(self, clock: Clock, *, every: float = EVERY_SECONDS, log: logging.Logger = logger) -> None:
        self._clock = clock
        self._every = every
        self._log = log
        self._reasons: dict[str, _Reason] = {}
        self._lock = threading.Lock()

    def refused(self, status: int, reason: str, detail: str = "") -> bool:
        """Note one refusal; True when a line was written for it. ``reason`` is a short fixed
        phrase (the rate limit's key); ``detail`` is shown after it and must not hold request data
        beyond a few safe characters."""
        now = self._clock.monotonic()
        with self._lock:
            seen = self._reasons.get(reason)
            if seen is not None and now - seen.last_written < self._every:
                seen.held_back += 1
                return False
            held_back = seen.held_back if seen is not None else 0
            self._reasons[reason] = _Reason(now)
        more = f"; {held_back} more like it since the last such line" if held_back else ""
        self._log.warning(
            "refused a request with %d: %s%s%s",
            status,
            reason,
            f" ({detail})" if detail else "",
            more,
            extra={"status": status, "reason": reason, "held_back": held_back},
        )
        return True


def raised_where(error: BaseException) -> str:
    """``KeyError at guard.py:42``: the error's type and the line that raised it, nothing of its message
    (which may quote the request)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return type(error).__name__
    last = frames[-1]
    return f"{type(error).__name__} at {Path(last.filename).name}:{last.lineno}"
