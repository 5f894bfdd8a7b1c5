"""Which alert subscriptions each new event matches, for the outbox rows ingest writes.

The workspace's active subscriptions are read, resolved against the action catalog and filed in a
``SubscriptionIndex``; the index is rebuilt when told the subscriptions changed, or after
``refresh_seconds`` (another replica may have changed them). A subscription whose query no longer
resolves (an action gone from the catalog) is left out, and logged, rather than stopping ingest.

A subscription only hears of events Atlassian processed after it was made (so the first backfill
or a new subscription does not flood its channel with history), and not of an actor's action it
was snoozed for until the snooze ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import datetime

from auditbot.core.clock import Clock
from auditbot.core.errors import AuditbotError
from auditbot.core.match import Subscribed, SubscriptionIndex
from auditbot.core.model import AuditEvent
from auditbot.core.query import parse
from auditbot.services.alert_ports import SnoozeRepo
from auditbot.services.catalog import ActionCatalog
from auditbot.services.plan import resolve
from auditbot.services.subscriptions import ActiveSubscriptions

logger = logging.getLogger(__name__)


class AlertMatcher:
    def __init__(
        self,
        source: ActiveSubscriptions,
        catalog: ActionCatalog,
        clock: Clock,
        *,
        snoozes: SnoozeRepo | None = None,
        refresh_seconds: float = 30.0,
    ) -> None:
        self._source = source
        self._snooze_source = snoozes
        self._snoozed: dict[tuple[str, str, str], datetime] = {}
        self._since: dict[str, datetime] = {}
        self._catalog = catalog
        self._clock = clock
        self._refresh = refresh_seconds
        self._index: SubscriptionIndex | None = None
        self._built_at = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """The subscriptions changed: rebuild before the next match."""
        with self._lock:
            self._index = None

    def matches(self, events: Iterable[AuditEvent]) -> list[tuple[str, str]]:
        """``(subscription id, event id)`` for every subscription each event matches."""
        index = self._current()
        now = self._clock.now()
        return [
            (sid, event.id)
            for event in events
            for sid in index.matching(event)
            if event.processed_at >= self._since[sid] and not self._is_snoozed(sid, event, now)
        ]

    def _is_snoozed(self, subscription_id: str, event: AuditEvent, now: datetime) -> bool:
        until = self._snoozed.get((subscription_id, event.actor.id, event.action))
        return until is not None and until > now

    def _current(self) -> SubscriptionIndex:
        with self._lock:
            fresh = self._index is not None and self._clock.monotonic() - self._built_at < self._refresh
            if fresh and self._index is not None:
                return self._index
            self._index = self._build()
            self._built_at = self._clock.monotonic()
            return self._index

    def _build(self) -> SubscriptionIndex:
        snapshot = self._catalog.snapshot()
        index = SubscriptionIndex()
        since: dict[str, datetime] = {}
        for subscription in self._source.active():
            try:
                index.add(Subscribed(subscription.id, resolve(parse(subscription.query), snapshot)))
            except AuditbotError as exc:
                logger.warning("subscription %s skipped: %s", subscription.id, exc.message)
                continue
            since[subscription.id] = subscription.created_at
        snoozes = self._snooze_source.active() if self._snooze_source is not None else ()
        self._snoozed = {(s.subscription_id, s.actor_id, s.action): s.until for s in snoozes}
        self._since = since
        return index
