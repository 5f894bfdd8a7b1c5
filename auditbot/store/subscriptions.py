"""``Subscriptions``: the workspace's alert subscriptions (``services.subscriptions.SubscriptionRepo``).

Ids are short and typeable (``sub-k3x9q2``). A unique index on (team, channel, query) backs the
rule that a channel is subscribed to a query once: an insert that loses a race to another replica
raises ``SubscriptionExists`` with the subscription that won.
"""

from __future__ import annotations

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from auditbot.core.clock import Clock
from auditbot.services.subscriptions import ID_PREFIX, Subscription, SubscriptionExists
from auditbot.store.db import Database
from auditbot.store.schema import query_hash, subscriptions
from auditbot.store.short_ids import short_id


class Subscriptions:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def create(
        self, *, team_id: str, channel_id: str, query: str, created_by: str, name: str | None = None
    ) -> Subscription:
        subscription = Subscription(
            id=new_id(),
            team_id=team_id,
            channel_id=channel_id,
            query=query,
            created_by=created_by,
            created_at=self._clock.now(),
            name=name,
        )
        try:
            with self._db.begin() as conn:
                conn.execute(
                    insert(subscriptions).values(
                        id=subscription.id,
                        team_id=team_id,
                        channel_id=channel_id,
                        query=query,
                        created_by=created_by,
                        created_at=subscription.created_at,
                        paused=False,
                        query_hash=query_hash(query),
                        name=name,
                    )
                )
        except IntegrityError:
            existing = self.existing(team_id, channel_id, query)
            if existing is None:  # not the unique key (the id, say): nothing to answer with
                raise
            raise SubscriptionExists(existing) from None
        return subscription

    def existing(self, team_id: str, channel_id: str, query: str) -> Subscription | None:
        """The workspace's subscription of ``channel_id`` to the canonical ``query``, if there is one."""
        with self._db.read() as conn:
            row = conn.execute(
                select(subscriptions).where(
                    subscriptions.c.team_id == team_id,
                    subscriptions.c.channel_id == channel_id,
                    subscriptions.c.query_hash == query_hash(query),
                    subscriptions.c.query == query,
                )
            ).first()
        return None if row is None else _subscription(row)

    def get(self, subscription_id: str) -> Subscription | None:
        with self._db.read() as conn:
            row = conn.execute(select(subscriptions).where(subscriptions.c.id == subscription_id)).first()
        return None if row is None else _subscription(row)

    def of_team(self, team_id: str) -> list[Subscription]:
        """Every subscription of the workspace, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(subscriptions)
                .where(subscriptions.c.team_id == team_id)
                .order_by(subscriptions.c.created_at, subscriptions.c.id)
            ).all()
        return [_subscription(row) for row in rows]

    def in_channel(self, team_id: str, channel_id: str) -> list[Subscription]:
        """The subscriptions that post to one channel, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(subscriptions)
                .where(subscriptions.c.team_id == team_id, subscriptions.c.channel_id == channel_id)
                .order_by(subscriptions.c.created_at, subscriptions.c.id)
            ).all()
        return [_subscription(row) for row in rows]

    def active(self) -> list[Subscription]:
        """Those not paused: what new events are matched against."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(subscriptions).where(subscriptions.c.paused.is_(False)).order_by(subscriptions.c.id)
            ).all()
        return [_subscription(row) for row in rows]

    def remove(self, subscription_id: str) -> bool:
        with self._db.begin() as conn:
            return conn.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id)).rowcount > 0

    def pause(self, subscription_id: str, *, error: str | None = None) -> bool:
        """Stop delivering (by a person, or because the channel refused a post: ``error`` says why)."""
        return self._update(subscription_id, paused=True, **({"last_error": error} if error else {}))

    def resume(self, subscription_id: str) -> bool:
        return self._update(subscription_id, paused=False, last_error=None)

    def rename(self, subscription_id: str, name: str | None) -> bool:
        """Give it a name (None: none)."""
        return self._update(subscription_id, name=name)

    def delivered(self, subscription_id: str) -> bool:
        return self._update(subscription_id, last_delivery_at=self._clock.now())

    def _update(self, subscription_id: str, **values: object) -> bool:
        with self._db.begin() as conn:
            result = conn.execute(update(subscriptions).where(subscriptions.c.id == subscription_id).values(**values))
            return result.rowcount > 0


def new_id() -> str:
    return short_id(ID_PREFIX)


def _subscription(row: Row[tuple[object, ...]]) -> Subscription:
    m = row._mapping
    return Subscription(
        id=str(m["id"]),
        team_id=str(m["team_id"]),
        channel_id=str(m["channel_id"]),
        query=str(m["query"]),
        created_by=str(m["created_by"]),
        created_at=m["created_at"],
        paused=bool(m["paused"]),
        last_delivery_at=m["last_delivery_at"],
        last_error=m["last_error"],
        name=m["name"],
    )
