"""``AlertStates``: each alert's triage state, written by compare-and-set.

An alert is one event or one burst in one channel (``AlertKey``); its row holds a ``Triage`` and a
``version``. A write names the version it read: ``compare_and_set`` inserts the first row (expected
version 0) or updates ``WHERE key AND version = expected``, and answers the row written or None when
another write got there first (the caller re-reads and decides again). On both dialects the database
decides: a unique key for the insert, a conditional update for the rest.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from auditbot.core.triage import AlertKey, Reason, State, StoredTriage, Triage
from auditbot.store.db import Database
from auditbot.store.schema import alert_states, outbox, subscriptions


@dataclass(frozen=True, slots=True)
class PostedTriage:
    """A posted alert (one event in one channel) and its triage state (``auditbot.services.alert_list``)."""

    posted_id: int
    """The newest outbox row that posted it: the listing's order and its paging pin."""
    channel_id: str
    event_id: str
    message_ts: str | None
    posted_at: datetime
    triage: Triage
    subscription_id: str = ""
    """One subscription that posted it (the smallest id)."""


class AlertStates:
    """Implements ``auditbot.services.alert_ports.AlertStateRepo`` and
    ``auditbot.services.alert_list.PostedTriageRepo``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, alert: AlertKey) -> StoredTriage:
        """The alert's stored state; open at version 0 when nothing was stored for it."""
        with self._db.read() as conn:
            row = conn.execute(select(alert_states).where(_is(alert))).first()
        return _stored(row._mapping) if row is not None else StoredTriage(alert, Triage(), 0)

    def items(self, channel_id: str, batch: str) -> list[StoredTriage]:
        """The stored states of the events posted in the burst ``batch`` (those with a row), by event id."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(alert_states)
                .where(
                    alert_states.c.channel_id == channel_id,
                    alert_states.c.kind == "event",
                    alert_states.c.parent == batch,
                )
                .order_by(alert_states.c.alert_key)
            ).all()
        return [_stored(r._mapping) for r in rows]

    def burst_events(self, channel_id: str, batch: str) -> list[str]:
        """The ids of the events the burst ``batch`` carried in ``channel_id``, in the order posted."""
        in_channel = _in_channel(channel_id)
        with self._db.read() as conn:
            rows = conn.execute(
                select(outbox.c.event_id)
                .where(outbox.c.batch == batch, outbox.c.subscription_id.in_(in_channel))
                .order_by(outbox.c.id)
            ).scalars()
            return list(dict.fromkeys(rows))

    def compare_and_set(self, alert: AlertKey, triage: Triage, *, expected: int) -> StoredTriage | None:
        """Store ``triage`` for ``alert`` if its version is still ``expected`` (0: no row yet); the row
        written (version ``expected + 1``), or None when another write changed it first. A new event
        row takes as parent the burst its event was posted in, read from the outbox."""
        assert triage.changed_at is not None, "a stored state says when it was changed"
        values: dict[str, Any] = {
            "state": triage.state.value,
            "assignee": triage.assignee,
            "reason": triage.reason.value if triage.reason is not None else None,
            "comment": triage.comment,
            "changed_by": triage.changed_by,
            "changed_at": triage.changed_at,
            "version": expected + 1,
        }
        if expected == 0:
            parent = self._burst_of(alert) if alert.kind == "event" else None
            row = {"channel_id": alert.channel_id, "kind": alert.kind, "alert_key": alert.key, "parent": parent}
            try:
                with self._db.begin() as conn:
                    conn.execute(insert(alert_states).values(**row, **values))
            except IntegrityError:
                return None
            return StoredTriage(alert, triage, 1, parent)
        with self._db.begin() as conn:
            written = conn.execute(
                update(alert_states)
                .where(_is(alert), alert_states.c.version == expected)
                .values(**values)
                .returning(alert_states.c.parent)
            ).first()
        return StoredTriage(alert, triage, expected + 1, written.parent) if written is not None else None

    def posted(
        self,
        team_id: str,
        *,
        states: Collection[State],
        assignee: str | None = None,
        channel_id: str | None = None,
        up_to_id: int | None = None,
        since: datetime | None = None,
        limit: int,
        offset: int = 0,
    ) -> list[PostedTriage]:
        """The workspace's posted alerts, one per (channel, event), newest first, whose state (open when
        no row) is one of ``states``; only those assigned to ``assignee`` or posted in ``channel_id``
        when given, and only those posted by outbox rows up to ``up_to_id`` (the first page's pin) and
        created from ``since`` on."""
        state = func.coalesce(alert_states.c.state, literal(State.OPEN.value))
        newest = func.max(outbox.c.id).label("posted_id")
        conditions: list[Any] = [
            outbox.c.status == "sent",
            subscriptions.c.team_id == team_id,
            state.in_([s.value for s in states]),
        ]
        if assignee is not None:
            conditions.append(alert_states.c.assignee == assignee)
        if channel_id is not None:
            conditions.append(subscriptions.c.channel_id == channel_id)
        if up_to_id is not None:
            conditions.append(outbox.c.id <= up_to_id)
        if since is not None:
            conditions.append(outbox.c.created_at >= since)
        columns = [
            alert_states.c.state,
            alert_states.c.assignee,
            alert_states.c.reason,
            alert_states.c.comment,
            alert_states.c.changed_by,
            alert_states.c.changed_at,
        ]
        joined = outbox.join(subscriptions, outbox.c.subscription_id == subscriptions.c.id).outerjoin(
            alert_states,
            and_(
                alert_states.c.channel_id == subscriptions.c.channel_id,
                alert_states.c.kind == "event",
                alert_states.c.alert_key == outbox.c.event_id,
            ),
        )
        query = (
            select(
                newest,
                subscriptions.c.channel_id,
                outbox.c.event_id,
                func.max(outbox.c.message_ts).label("message_ts"),
                func.min(outbox.c.created_at).label("posted_at"),
                func.min(outbox.c.subscription_id).label("subscription_id"),
                *columns,
            )
            .select_from(joined)
            .where(and_(*conditions))
            .group_by(subscriptions.c.channel_id, outbox.c.event_id, *columns)
            .order_by(newest.desc())
            .limit(limit)
            .offset(offset)
        )
        with self._db.read() as conn:
            rows = conn.execute(query).all()
        return [_posted(r._mapping) for r in rows]

    def resolved_between(self, team_id: str, start: datetime, end: datetime) -> dict[Reason, int]:
        """How many of the workspace's alerts (events; a burst's items are counted, not the burst) were
        resolved in ``[start, end)`` and are still resolved, by reason."""
        team_channels = select(subscriptions.c.channel_id).where(subscriptions.c.team_id == team_id)
        query = (
            select(alert_states.c.reason, func.count().label("n"))
            .where(
                alert_states.c.kind == "event",
                alert_states.c.state == State.RESOLVED.value,
                alert_states.c.changed_at >= start,
                alert_states.c.changed_at < end,
                alert_states.c.channel_id.in_(team_channels),
            )
            .group_by(alert_states.c.reason)
        )
        with self._db.read() as conn:
            rows = conn.execute(query).all()
        found: dict[Reason, int] = {}
        for r in rows:
            reason = Reason(r.reason or Reason.OTHER.value)
            found[reason] = found.get(reason, 0) + int(r.n)
        return found

    def resolved_by_subscription(self, team_id: str, since: datetime) -> dict[str, dict[Reason, int]]:
        """How many alerts resolved from ``since`` on (and still resolved) each of the workspace's
        subscriptions posted, by reason; an alert counts for every subscription whose outbox rows posted it."""
        joined = alert_states.join(
            outbox,
            and_(alert_states.c.alert_key == outbox.c.event_id, outbox.c.status == "sent"),
        ).join(
            subscriptions,
            and_(
                subscriptions.c.id == outbox.c.subscription_id,
                subscriptions.c.channel_id == alert_states.c.channel_id,
            ),
        )
        query = (
            select(
                subscriptions.c.id.label("subscription_id"),
                alert_states.c.reason,
                func.count(alert_states.c.alert_key.distinct()).label("n"),
            )
            .select_from(joined)
            .where(
                subscriptions.c.team_id == team_id,
                alert_states.c.kind == "event",
                alert_states.c.state == State.RESOLVED.value,
                alert_states.c.changed_at >= since,
            )
            .group_by(subscriptions.c.id, alert_states.c.reason)
        )
        with self._db.read() as conn:
            rows = conn.execute(query).all()
        found: dict[str, dict[Reason, int]] = {}
        for r in rows:
            reasons = found.setdefault(r.subscription_id, {})
            reason = Reason(r.reason or Reason.OTHER.value)
            reasons[reason] = reasons.get(reason, 0) + int(r.n)
        return found

    def _burst_of(self, alert: AlertKey) -> str | None:
        with self._db.read() as conn:
            return conn.execute(
                select(outbox.c.batch)
                .where(
                    outbox.c.event_id == alert.key,
                    outbox.c.subscription_id.in_(_in_channel(alert.channel_id)),
                    outbox.c.thread_ts.is_not(None),
                )
                .order_by(outbox.c.id)
                .limit(1)
            ).scalar_one_or_none()


def _in_channel(channel_id: str) -> Any:
    return select(subscriptions.c.id).where(subscriptions.c.channel_id == channel_id).scalar_subquery()


def _is(alert: AlertKey) -> Any:
    return and_(
        alert_states.c.channel_id == alert.channel_id,
        alert_states.c.kind == alert.kind,
        alert_states.c.alert_key == alert.key,
    )


def _stored(row: Any) -> StoredTriage:
    triage = Triage(
        State(row["state"]),
        row["assignee"],
        Reason(row["reason"]) if row["reason"] is not None else None,
        row["comment"],
        row["changed_by"],
        row["changed_at"],
    )
    return StoredTriage(
        AlertKey(row["channel_id"], row["kind"], row["alert_key"]), triage, row["version"], row["parent"]
    )


def _posted(row: Any) -> PostedTriage:
    triage = Triage()
    if row["state"] is not None:
        triage = Triage(
            State(row["state"]),
            row["assignee"],
            Reason(row["reason"]) if row["reason"] is not None else None,
            row["comment"],
            row["changed_by"],
            row["changed_at"],
        )
    return PostedTriage(
        int(row["posted_id"]),
        row["channel_id"],
        row["event_id"],
        row["message_ts"],
        row["posted_at"],
        triage,
        row["subscription_id"],
    )
