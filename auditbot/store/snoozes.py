"""``Snoozes``: one actor's action muted on one subscription until a time, and whether its end was announced.

Snoozing the same (subscription, actor, action) again moves its end instead of adding a row: one
upsert on the table's unique key, so two clicks at once cannot make two rows or fail on the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, select, update
from sqlalchemy.dialects import postgresql, sqlite

from auditbot.core.clock import Clock
from auditbot.store.db import Database
from auditbot.store.executor import dialect_name
from auditbot.store.schema import snoozes, subscriptions


@dataclass(frozen=True, slots=True)
class Snooze:
    id: int
    subscription_id: str
    actor_id: str
    action: str
    until: datetime
    created_by: str
    created_at: datetime
    message_ts: str | None = None
    announced_at: datetime | None = None
    actor_label: str | None = None
    """How the actor is shown (an email or name), when known."""


class Snoozes:
    """Implements ``auditbot.services.alert_ports.SnoozeRepo``."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def snooze(
        self,
        subscription_id: str,
        *,
        actor_id: str,
        action: str,
        until: datetime,
        created_by: str,
        message_ts: str | None = None,
        actor_label: str | None = None,
    ) -> Snooze:
        """Mute ``actor_id`` doing ``action`` on the subscription until ``until``. One row per (subscription,
        actor, action), kept by the table's unique key: snoozing again, even at the same moment from
        another replica, moves the end of that row (and forgets its end was announced)."""
        values = {
            "until": until,
            "created_by": created_by,
            "created_at": self._clock.now(),
            "message_ts": message_ts,
            "actor_label": actor_label,
        }
        key = {"subscription_id": subscription_id, "actor_id": actor_id, "action": action}
        with self._db.begin() as conn:
            insert = postgresql.insert if dialect_name(conn) == "postgresql" else sqlite.insert
            conn.execute(
                insert(snoozes)
                .values(**key, **values)
                .on_conflict_do_update(
                    index_elements=[snoozes.c.subscription_id, snoozes.c.actor_id, snoozes.c.action],
                    set_={**values, "announced_at": None},
                )
            )
            row = conn.execute(select(snoozes).filter_by(**key)).one()
        return _snooze(row)

    def active(self) -> list[Snooze]:
        """Snoozes still running now."""
        with self._db.read() as conn:
            rows = conn.execute(select(snoozes).where(snoozes.c.until > self._clock.now()).order_by(snoozes.c.id)).all()
        return [_snooze(row) for row in rows]

    def of_team(self, team_id: str) -> list[Snooze]:
        """The workspace's running snoozes, soonest end first."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(snoozes)
                .join(subscriptions, snoozes.c.subscription_id == subscriptions.c.id)
                .where(subscriptions.c.team_id == team_id, snoozes.c.until > self._clock.now())
                .order_by(snoozes.c.until, snoozes.c.id)
            ).all()
        return [_snooze(row) for row in rows]

    def ended_unannounced(self) -> list[Snooze]:
        """Snoozes whose time is up and whose end nobody has been told of yet."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(snoozes)
                .where(snoozes.c.until <= self._clock.now(), snoozes.c.announced_at.is_(None))
                .order_by(snoozes.c.until, snoozes.c.id)
            ).all()
        return [_snooze(row) for row in rows]

    def announced(self, snooze: Snooze) -> bool:
        """Mark its end announced, unless it was snoozed again meanwhile; whether it was marked."""
        with self._db.begin() as conn:
            result = conn.execute(
                update(snoozes)
                .where(snoozes.c.id == snooze.id, snoozes.c.until == snooze.until, snoozes.c.announced_at.is_(None))
                .values(announced_at=self._clock.now())
            )
            return result.rowcount > 0


def _snooze(row: Row[tuple[object, ...]]) -> Snooze:
    m = row._mapping
    return Snooze(
        id=int(m["id"]),
        subscription_id=str(m["subscription_id"]),
        actor_id=str(m["actor_id"]),
        action=str(m["action"]),
        until=m["until"],
        created_by=str(m["created_by"]),
        created_at=m["created_at"],
        message_ts=m["message_ts"],
        announced_at=m["announced_at"],
        actor_label=m["actor_label"],
    )
