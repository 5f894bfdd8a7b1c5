"""``Outbox``: alerts waiting to be posted, one row per (subscription, event) — never two.

Rows are written by ingest in the same transaction as the events they announce (``add``), so an
event is either mirrored with its alerts queued or not at all. A notifier ``claim``s a batch of
pending rows for one subscription (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so replicas never
claim the same row; a claim expires, so a dead notifier's rows come back), then marks them
``sent`` with the Slack message that carried them, or records a failed attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import and_, func, or_, select, update

from auditbot.core.clock import Clock
from auditbot.core.model import AuditEvent
from auditbot.store.db import Database
from auditbot.store.executor import Executor, dialect_name, insert_or_ignore
from auditbot.store.schema import outbox

MAX_ATTEMPTS = 5


class Matcher(Protocol):
    def matches(self, events: Iterable[AuditEvent]) -> list[tuple[str, str]]: ...


@dataclass(frozen=True, slots=True)
class PendingAlert:
    id: int
    subscription_id: str
    event_id: str
    org_id: str
    attempts: int


class Outbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def add(self, conn: Executor, org_id: str, matches: Iterable[tuple[str, str]]) -> int:
        """Queue ``(subscription id, event id)`` pairs in the caller's transaction; how many were new."""
        now = self._clock.now()
        rows = [
            {"subscription_id": s, "event_id": e, "org_id": org_id, "created_at": now, "status": "pending"}
            for s, e in dict.fromkeys(matches)
        ]
        if not rows:
            return 0
        statement = insert_or_ignore(conn, outbox, [outbox.c.subscription_id, outbox.c.event_id])
        return len(conn.execute(statement.returning(outbox.c.id), rows).all())

    def claim(self, subscription_id: str, owner: str, *, limit: int = 50, ttl: float = 60.0) -> list[PendingAlert]:
        """Up to ``limit`` pending alerts of one subscription, oldest first, reserved for ``owner``."""
        now = self._clock.now()
        free = or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now, outbox.c.claimed_by == owner)
        with self._db.begin() as conn:
            query = (
                select(outbox.c.id, outbox.c.subscription_id, outbox.c.event_id, outbox.c.org_id, outbox.c.attempts)
                .where(and_(outbox.c.subscription_id == subscription_id, outbox.c.status == "pending", free))
                .order_by(outbox.c.id)
                .limit(limit)
            )
            if dialect_name(conn) == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).all()
            ids = [row.id for row in rows]
            if ids:
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id.in_(ids))
                    .values(claimed_by=owner, claimed_until=now + timedelta(seconds=ttl))
                )
        return [PendingAlert(r.id, r.subscription_id, r.event_id, r.org_id, r.attempts) for r in rows]

    def sent(self, alert_ids: Iterable[int], message_ts: str) -> None:
        self._set(alert_ids, status="sent", message_ts=message_ts, claimed_by=None, claimed_until=None)

    def failed_attempt(self, alert_ids: Iterable[int]) -> None:
        """One more failed try; after ``MAX_ATTEMPTS`` an alert is marked failed and no longer retried."""
        ids = list(alert_ids)
        if not ids:
            return
        with self._db.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids))
                .values(attempts=outbox.c.attempts + 1, claimed_by=None, claimed_until=None)
            )
            conn.execute(
                update(outbox).where(outbox.c.id.in_(ids), outbox.c.attempts >= MAX_ATTEMPTS).values(status="failed")
            )

    def pending_subscriptions(self) -> list[str]:
        """Subscriptions with alerts waiting."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(outbox.c.subscription_id).where(outbox.c.status == "pending").distinct()
            ).scalars()
            return sorted(rows)

    def count(self, status: str) -> int:
        with self._db.read() as conn:
            return int(
                conn.execute(select(func.count()).select_from(outbox).where(outbox.c.status == status)).scalar_one()
            )

    def _set(self, alert_ids: Iterable[int], **values: object) -> None:
        ids = list(alert_ids)
        if ids:
            with self._db.begin() as conn:
                conn.execute(update(outbox).where(outbox.c.id.in_(ids)).values(**values))


def alert_writer(queue: Outbox, matcher: Matcher) -> Callable[[Executor, str, Sequence[AuditEvent]], None]:
    """The ingest hook that queues a page's matching alerts in the page's own transaction."""

    def write(conn: Executor, org_id: str, events: Sequence[AuditEvent]) -> None:
        queue.add(conn, org_id, matcher.matches(events))

    return write
