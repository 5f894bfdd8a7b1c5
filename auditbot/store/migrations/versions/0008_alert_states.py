"""Alerts have a triage state: ``alert_states``, one row per alert (an event or a burst) in a channel.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

The table is new (see ``auditbot.store.schema``). Alerts acknowledged before it existed (``outbox``
rows with ``acked_by``) become ``acknowledged`` by their first acknowledger, at that time: one row per
(channel, event), with the burst's batch as parent when the event was posted in a burst's thread, and
one row for a burst every alert of which was acknowledged. Nothing else is guessed: a missing row is
an open alert. The downgrade drops the table; the outbox keeps its acknowledgements throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from auditbot.store.timestamps import UtcDateTime

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
REASONS = "'false_positive', 'expected', 'remediated', 'true_positive_benign', 'true_positive_malicious', 'other'"

_outbox = sa.table(
    "outbox",
    sa.column("id", sa.Integer()),
    sa.column("subscription_id", sa.String()),
    sa.column("event_id", sa.String()),
    sa.column("status", sa.String()),
    sa.column("batch", sa.String()),
    sa.column("thread_ts", sa.String()),
    sa.column("acked_by", sa.String()),
    sa.column("acked_at", UtcDateTime()),
)
_subscriptions = sa.table("subscriptions", sa.column("id", sa.String()), sa.column("channel_id", sa.String()))


def upgrade() -> None:
    states = op.create_table(
        "alert_states",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False, comment="event or burst"),
        sa.Column("alert_key", sa.String(), nullable=False, comment="the event id, or the burst's batch"),
        sa.Column("parent", sa.String(), nullable=True, comment="the burst (batch) an event was posted in"),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("assignee", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="bumped by every write; compare-and-set"),
        sa.CheckConstraint("kind IN ('event', 'burst')", name=op.f("ck_alert_states_kind")),
        sa.CheckConstraint("state IN ('open', 'acknowledged', 'resolved')", name=op.f("ck_alert_states_state")),
        sa.CheckConstraint(f"reason IN ({REASONS})", name=op.f("ck_alert_states_reason")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_states")),
        sa.UniqueConstraint("channel_id", "kind", "alert_key", name=op.f("uq_alert_states_channel_id_kind_alert_key")),
    )
    op.create_index(op.f("ix_alert_states_channel_id_parent"), "alert_states", ["channel_id", "parent"])
    acknowledged = _acknowledged_before()
    if acknowledged and states is not None:
        op.bulk_insert(states, acknowledged)


def _acknowledged_before() -> list[dict[str, object]]:
    """The rows for alerts acknowledged on the outbox: the first acknowledger of each (channel, event),
    and of each burst all of whose alerts were acknowledged."""
    rows = (
        op.get_bind()
        .execute(
            sa.select(
                _subscriptions.c.channel_id,
                _outbox.c.event_id,
                _outbox.c.batch,
                _outbox.c.thread_ts,
                _outbox.c.acked_by,
                _outbox.c.acked_at,
            )
            .join(_subscriptions, _outbox.c.subscription_id == _subscriptions.c.id)
            .where(_outbox.c.status == "sent")
            .order_by(_outbox.c.id)
        )
        .all()
    )
    first: dict[tuple[str, str], tuple[str, datetime, str | None]] = {}
    bursts: dict[tuple[str, str], list[tuple[str, datetime] | None]] = {}
    for channel, event_id, batch, thread_ts, by, at in rows:
        acked = (by, at) if by and at is not None else None
        parent = batch if thread_ts is not None else None
        if parent is not None:
            bursts.setdefault((channel, parent), []).append(acked)
        if acked is not None:
            known = first.get((channel, event_id))
            if known is None or at < known[1]:
                first[(channel, event_id)] = (by, at, parent)
    made: list[dict[str, object]] = [
        _acknowledged(channel, "event", event_id, by, at, parent)
        for (channel, event_id), (by, at, parent) in first.items()
    ]
    for (channel, batch), acks in bursts.items():
        if acks and all(a is not None for a in acks):
            by, at = min((a for a in acks if a is not None), key=lambda a: a[1])
            made.append(_acknowledged(channel, "burst", batch, by, at, None))
    return made


def _acknowledged(channel: str, kind: str, key: str, by: str, at: datetime, parent: str | None) -> dict[str, object]:
    return {
        "channel_id": channel,
        "kind": kind,
        "alert_key": key,
        "parent": parent,
        "state": "acknowledged",
        "changed_by": by,
        "changed_at": at,
        "version": 1,
    }


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_states_channel_id_parent"), table_name="alert_states")
    op.drop_table("alert_states")
