"""``AlertStates``: each alert's triage state, written by compare-and-set.

An alert is one event or one burst in one channel (``AlertKey``); its row holds a ``Triage`` and a
``version``. A write names the version it read: ``compare_and_set`` inserts the first row (expected
version 0) or updates ``WHERE key AND version = expected``, and answers the row written or None when
another write got there first (the caller re-reads and decides again). On both dialects the database
decides: a unique key for the insert, a conditional update for the rest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from auditbot.core.triage import AlertKey, Reason, State, StoredTriage, Triage
from auditbot.store.db import Database
from auditbot.store.schema import alert_states, outbox, subscriptions


class AlertStates:
    """Implements ``auditbot.services.alert_ports.AlertStateRepo``."""

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
