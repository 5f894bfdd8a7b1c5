"""Whether the Atlassian API key works: learned from every call, and warned about before it expires.

The Admin API does not report a key's expiry, so it comes from configuration (the date shown
when the key was created). A 401 marks the key rejected until a later call succeeds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from auditbot.core.clock import Clock
from auditbot.core.errors import ApiUnauthorized

WARN_BEFORE = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class KeyStatus:
    ok: bool | None
    """True: the API accepted the key last time; False: it rejected it; None: not used yet."""
    problem: str | None = None
    expires: date | None = None
    expiring_soon: bool = False


class KeyHealth:
    def __init__(self, clock: Clock, *, expires: date | None = None) -> None:
        self._clock = clock
        self._expires = expires
        self._ok: bool | None = None
        self._problem: str | None = None
        self._lock = threading.Lock()
        self._listeners: list[Callable[[KeyStatus], None]] = []
        self._warned_on: date | None = None

    def on_change(self, listener: Callable[[KeyStatus], None]) -> None:
        """Call ``listener`` whenever the key goes from working to rejected or back, and once a day
        while it works but expires within two weeks."""
        self._listeners.append(listener)

    def observe(self, rejection: ApiUnauthorized | None) -> None:
        """What the client saw: ``None`` when the API accepted the key, else its 401."""
        if rejection is None:
            self._set(True, None)
        else:
            self._set(False, rejection.message)

    def status(self) -> KeyStatus:
        with self._lock:
            ok, problem = self._ok, self._problem
        soon = self._expires is not None and self._expires - self._clock.now().date() <= WARN_BEFORE
        return KeyStatus(ok, problem, self._expires, soon)

    def _set(self, ok: bool, problem: str | None) -> None:
        today = self._clock.now().date()
        with self._lock:
            changed = (self._ok is not None and self._ok != ok) or (self._ok is None and not ok)
            self._ok, self._problem = ok, problem
        status = self.status()
        if ok and status.expiring_soon and self._warned_on != today:
            self._warned_on = today
            changed = True
        if changed:
            for listener in self._listeners:
                listener(status)
