"""Finding one event by id for the Details view: from recently shown results, then the mirror, else the API.

Results pages are already in memory when someone clicks Details, so remembering the events a
person was just shown saves a request from the 10-per-minute budget.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol

from cachetools import LRUCache

from auditbot.core.errors import ApiRateLimited
from auditbot.core.model import AuditEvent
from auditbot.services.search import SearchBusy


class EventGetter(Protocol):
    def get_event(self, event_id: str, *, max_wait: float | None = None) -> AuditEvent: ...


class LocalEvents(Protocol):
    """Events auditbot already holds (the mirror), looked up without spending the API budget."""

    def get(self, org_id: str, event_id: str) -> AuditEvent | None: ...


class EventLookup:
    def __init__(
        self,
        api: EventGetter,
        *,
        remember: int = 2000,
        max_wait: float = 0.0,
        local: LocalEvents | None = None,
        org_id: str = "",
    ) -> None:
        self._api = api
        self._local = local
        self._org_id = org_id
        self._recent: LRUCache[str, AuditEvent] = LRUCache(maxsize=remember)
        self._lock = threading.Lock()
        self._max_wait = max_wait

    def remember(self, events: Iterable[AuditEvent]) -> None:
        with self._lock:
            for event in events:
                self._recent[event.id] = event

    def cached(self, event_id: str) -> AuditEvent | None:
        with self._lock:
            return self._recent.get(event_id)

    def get(self, event_id: str) -> AuditEvent:
        """The event; ApiNotFound when no such event, SearchBusy when the rate budget is spent."""
        found = self.cached(event_id) or (self._local.get(self._org_id, event_id) if self._local else None)
        if found is not None:
            return found
        try:
            event = self._api.get_event(event_id, max_wait=self._max_wait)
        except ApiRateLimited as exc:
            raise SearchBusy(exc.retry_after) from None
        self.remember([event])
        return event
