"""How long a terminal command may wait for the Admin API before it gives up, with a word while it waits.

Everything that waits in auditbot (the rate budget, a 429's reset, the back-off between retries)
waits on the ``Clock`` it was given. ``WaitLimit`` is that clock for a terminal command: it passes
time through to the real one, says on stderr what it waits for when a wait is long enough to be
noticed, and raises ``WaitedTooLong`` instead of starting a wait that would end past the limit, so
``auditbot search`` under a permanent 429 ends with a clear message and exit 1 instead of waiting
on. ``restart`` gives each page of a ``--all`` run its own allowance (progress was made).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from auditbot.core.clock import Clock
from auditbot.core.errors import ApiError

DEFAULT_MAX_WAIT = 60.0
"""Seconds a command may wait for the Admin API (for each page of ``--all``)."""
NOTICED = 1.0
"""Waits at least this long are announced."""


class WaitedTooLong(ApiError):
    """The Admin API kept auditbot waiting longer than the command allows."""

    def __init__(self, limit: float, waited: float, wanted: float) -> None:
        super().__init__(
            f"Gave up on the Admin API: after {waited:.0f} s of waiting it asked for {max(1, round(wanted))} s more "
            f"(its rate limit, or retries after errors), past --max-wait {limit:.0f} s.",
            hint="Try again later, narrow the time window, or allow a longer wait with --max-wait SECONDS.",
        )
        self.limit = limit
        self.waited = waited


class WaitLimit:
    """A ``Clock`` whose waits, together, may not pass ``limit`` seconds from the last (re)start."""

    def __init__(self, inner: Clock, limit: float, *, say: Callable[[str], object] | None = None) -> None:
        if limit < 0:
            raise ValueError("limit must not be negative")
        self._inner = inner
        self.limit = limit
        self._say = say
        self._deadline = inner.monotonic() + limit

    def restart(self) -> None:
        """Allow ``limit`` seconds of waiting again from now."""
        self._deadline = self._inner.monotonic() + self.limit

    def now(self) -> datetime:
        return self._inner.now()

    def monotonic(self) -> float:
        return self._inner.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        left = self._deadline - self._inner.monotonic()
        if seconds > left:
            raise WaitedTooLong(self.limit, self.limit - max(0.0, left), seconds)
        if seconds >= NOTICED and self._say is not None:
            self._say(f"auditbot: waiting {seconds:.0f} s for the Admin API (gives up after {self.limit:.0f} s)")
        self._inner.sleep(seconds)
