"""``Outbox``: alerts waiting to be posted, one row per (subscription, event) — never two.

Rows are written by ingest in the same transaction as the events they announce (``add``), so an
event is either mirrored with its alerts queued or not at all. Delivery (one worker at a time, under
a lease) reads a channel's ``pending`` rows, stamps the rows of a post with a batch key and the time
(``attempt``, committed before the post is sent), then marks them ``sent`` with the Slack message
that carried them. A pending row that already has a batch may be in Slack already — the process died
between the post and ``sent``, or Slack's answer was lost — so delivery looks for it there first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, or_, select, update

from auditbot.core.clock import Clock
from auditbot.core.model import AuditEvent
from auditbot.store.db import Database
from auditbot.store.executor import Executor, insert_or_ignore
from auditbot.store.schema import outbox, subscriptions

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
    batch: str | None = None
    """Set when a post carrying it was started: it may be in Slack already."""
    attempted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Channel:
    team_id: str
    channel_id: str


@dataclass(frozen=True, slots=True)
class PostedAlert:
    """A delivered alert (``auditbot.services.alert_ports.PostedAlertRecord``), for the handoff."""

    subscription_id: str
    event_id: str
    channel_id: str
    message_ts: str | None
    thread_ts: str | None
    acked_by: str | None
    acked_at: datetime | None


class Outbox:
    """Implements ``auditbot.services.alert_ports.OutboxRepo``."""

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

    def pending_channels(self) -> list[Channel]:
        """Channels with alerts waiting on a subscription that is not paused."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(subscriptions.c.team_id, subscriptions.c.channel_id)
                .join(outbox, outbox.c.subscription_id == subscriptions.c.id)
                .where(outbox.c.status == "pending", subscriptions.c.paused.is_(False))
                .distinct()
                .order_by(subscriptions.c.team_id, subscriptions.c.channel_id)
            ).all()
        return [Channel(r.team_id, r.channel_id) for r in rows]

    def pending(self, channel: Channel, *, limit: int = 500) -> list[PendingAlert]:
        """The alerts waiting for ``channel`` on its unpaused subscriptions, for at most ``limit``
        events, oldest first. An event's rows (one per subscription it matched) always come together:
        they go out in one message, so a cut between them would announce the event twice."""
        waiting = and_(
            outbox.c.status == "pending",
            subscriptions.c.paused.is_(False),
            subscriptions.c.team_id == channel.team_id,
            subscriptions.c.channel_id == channel.channel_id,
        )
        first_events = (
            select(outbox.c.event_id)
            .join(subscriptions, outbox.c.subscription_id == subscriptions.c.id)
            .where(waiting)
            .group_by(outbox.c.event_id)
            .order_by(func.min(outbox.c.id))
            .limit(limit)
        )
        with self._db.read() as conn:
            rows = conn.execute(
                select(
                    outbox.c.id,
                    outbox.c.subscription_id,
                    outbox.c.event_id,
                    outbox.c.org_id,
                    outbox.c.attempts,
                    outbox.c.batch,
                    outbox.c.attempted_at,
                )
                .join(subscriptions, outbox.c.subscription_id == subscriptions.c.id)
                .where(waiting, outbox.c.event_id.in_(first_events.scalar_subquery()))
                .order_by(outbox.c.id)
            ).all()
        return [
            PendingAlert(r.id, r.subscription_id, r.event_id, r.org_id, r.attempts, r.batch, r.attempted_at)
            for r in rows
        ]

    def attempt(self, alert_ids: Iterable[int], batch: str) -> None:
        """Record, before posting, that a post with key ``batch`` is about to carry these alerts."""
        self._set(alert_ids, batch=batch, attempted_at=self._clock.now())

    def sent(self, alert_ids: Iterable[int], message_ts: str, *, thread_ts: str | None = None) -> None:
        """Delivered in ``message_ts`` (a reply in ``thread_ts`` when part of a burst)."""
        ids = list(alert_ids)
        if not ids:
            return
        now = self._clock.now()
        with self._db.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids))
                .values(status="sent", message_ts=message_ts, thread_ts=thread_ts)
            )
            delivered = select(outbox.c.subscription_id).where(outbox.c.id.in_(ids)).scalar_subquery()
            conn.execute(update(subscriptions).where(subscriptions.c.id.in_(delivered)).values(last_delivery_at=now))

    def failed_attempt(self, alert_ids: Iterable[int], *, in_doubt: bool) -> None:
        """One more failed try. ``in_doubt`` (a server error, a lost answer) keeps the batch so the
        next try looks in Slack first; after ``MAX_ATTEMPTS`` an alert is marked failed."""
        ids = list(alert_ids)
        if not ids:
            return
        values: dict[str, object] = {"attempts": outbox.c.attempts + 1}
        if not in_doubt:
            values.update(batch=None, attempted_at=None)
        with self._db.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id.in_(ids)).values(**values))
            conn.execute(
                update(outbox).where(outbox.c.id.in_(ids), outbox.c.attempts >= MAX_ATTEMPTS).values(status="failed")
            )

    def give_up(self, alert_ids: Iterable[int]) -> None:
        """These cannot be delivered at all (their event is gone): mark them failed."""
        self._set(alert_ids, status="failed")

    def not_in_doubt(self, alert_ids: Iterable[int]) -> None:
        """Slack was checked and does not have these: post them afresh."""
        self._set(alert_ids, batch=None, attempted_at=None)

    def acknowledge(self, channel_id: str, event_id: str, user_id: str) -> datetime | None:
        """Mark the alert for ``event_id`` in ``channel_id`` acknowledged; when, or None if there is none.
        A second click keeps the first acknowledgement: the write only touches rows nobody acknowledged,
        so of two clicks at once the database lets one through."""
        now = self._clock.now()
        in_channel = _in_channel(channel_id)
        with self._db.begin() as conn:
            conn.execute(
                update(outbox)
                .where(
                    outbox.c.event_id == event_id,
                    outbox.c.subscription_id.in_(in_channel),
                    outbox.c.acked_at.is_(None),
                )
                .values(acked_by=user_id, acked_at=now)
            )
            acked = conn.execute(
                select(func.min(outbox.c.acked_at)).where(
                    outbox.c.event_id == event_id, outbox.c.subscription_id.in_(in_channel)
                )
            ).scalar_one_or_none()
        return acked

    def acknowledge_batch(self, channel_id: str, batch: str, user_id: str) -> int:
        """Acknowledge every alert of one post (a burst's summary and its thread) that nobody acknowledged
        yet; how many were new (none when someone else's click got there first)."""
        with self._db.begin() as conn:
            return conn.execute(
                update(outbox)
                .where(
                    outbox.c.batch == batch,
                    outbox.c.subscription_id.in_(_in_channel(channel_id)),
                    outbox.c.acked_at.is_(None),
                )
                .values(acked_by=user_id, acked_at=self._clock.now())
            ).rowcount

    def first_acknowledgement(self, channel_id: str, event_id: str) -> tuple[str, datetime] | None:
        """(who, when) acknowledged the alert for ``event_id`` in ``channel_id`` first."""
        return self._first_acknowledgement(channel_id, outbox.c.event_id == event_id)

    def first_acknowledgement_in(self, channel_id: str, message_ts: str) -> tuple[str, datetime] | None:
        """(who, when) acknowledged first among the alerts posted in one message of ``channel_id`` or in
        its thread (a burst's summary and its parts)."""
        return self._first_acknowledgement(
            channel_id, or_(outbox.c.message_ts == message_ts, outbox.c.thread_ts == message_ts)
        )

    def _first_acknowledgement(self, channel_id: str, which: ColumnElement[bool]) -> tuple[str, datetime] | None:
        with self._db.read() as conn:
            row = conn.execute(
                select(outbox.c.acked_by, outbox.c.acked_at)
                .where(
                    which,
                    outbox.c.subscription_id.in_(_in_channel(channel_id)),
                    outbox.c.acked_at.is_not(None),
                    outbox.c.acked_by.is_not(None),
                    outbox.c.acked_by != "",
                )
                .order_by(outbox.c.acked_at, outbox.c.id)
                .limit(1)
            ).first()
        return (str(row.acked_by), row.acked_at) if row is not None else None

    def posted(self, team_id: str, *, since: datetime, unacknowledged: bool = False) -> list[PostedAlert]:
        """Alerts delivered in the workspace since ``since`` (created then or later), oldest first."""
        conditions = [
            outbox.c.status == "sent",
            outbox.c.created_at >= since,
            subscriptions.c.team_id == team_id,
        ]
        if unacknowledged:
            conditions.append(outbox.c.acked_at.is_(None))
        with self._db.read() as conn:
            rows = conn.execute(
                select(
                    outbox.c.subscription_id,
                    outbox.c.event_id,
                    subscriptions.c.channel_id,
                    outbox.c.message_ts,
                    outbox.c.thread_ts,
                    outbox.c.acked_by,
                    outbox.c.acked_at,
                )
                .join(subscriptions, outbox.c.subscription_id == subscriptions.c.id)
                .where(and_(*conditions))
                .order_by(outbox.c.id)
            ).all()
        return [PostedAlert(*row) for row in rows]

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


def _in_channel(channel_id: str) -> ScalarSelect[str]:
    """The ids of the subscriptions posting in ``channel_id``."""
    return select(subscriptions.c.id).where(subscriptions.c.channel_id == channel_id).scalar_subquery()


def alert_writer(queue: Outbox, matcher: Matcher) -> Callable[[Executor, str, Sequence[AuditEvent]], None]:
    """The ingest hook that queues a page's matching alerts in the page's own transaction."""

    def write(conn: Executor, org_id: str, events: Sequence[AuditEvent]) -> None:
        queue.add(conn, org_id, matcher.matches(events))

    return write
