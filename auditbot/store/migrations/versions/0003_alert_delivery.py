"""Alert delivery: post attempts and acknowledgements on the outbox, and per-actor snoozes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

* ``outbox.batch`` and ``outbox.attempted_at`` are written (and committed) just before a post: a row
  that has them but is still pending may already be in Slack, so delivery looks for it there first.
  ``thread_ts`` is the burst summary a row was posted under; ``acked_by``/``acked_at`` record the
  Acknowledge button. ``claimed_by``/``claimed_until`` go: one delivery worker at a time holds a lease.
* ``subscriptions.snoozed_until`` goes: a snooze is narrower than a subscription, so it has its own
  table, ``snoozes``, one row per (subscription, actor, action).

The outbox changes use batch mode (SQLite rebuilds the table; nothing references it); the
subscriptions column is dropped natively, since rebuilding that table would cascade to the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_by")
        batch.drop_column("claimed_until")
        batch.add_column(sa.Column("batch", sa.String(), nullable=True, comment="the post attempt that carries it"))
        batch.add_column(sa.Column("attempted_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("thread_ts", sa.String(), nullable=True, comment="the burst summary it went under"))
        batch.add_column(sa.Column("acked_by", sa.String(), nullable=True))
        batch.add_column(sa.Column("acked_at", TIMESTAMP, nullable=True))
    op.create_index(op.f("ix_outbox_event_id"), "outbox", ["event_id"])
    # Not batch mode: on SQLite that rebuilds the table, and dropping the old copy would cascade
    # to the outbox rows that reference it. ALTER TABLE … DROP COLUMN is native on both (SQLite 3.35+).
    op.drop_column("subscriptions", "snoozed_until")
    op.create_table(
        "snoozes",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.String(), nullable=False),
        sa.Column("actor_id", sa.String(), nullable=False),
        sa.Column("actor_label", sa.String(), nullable=True, comment="how the actor is shown"),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("until", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("message_ts", sa.String(), nullable=True, comment="the alert it was snoozed from"),
        sa.Column("announced_at", TIMESTAMP, nullable=True, comment="when its end was posted"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_snoozes_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snoozes")),
        sa.UniqueConstraint(
            "subscription_id", "actor_id", "action", name=op.f("uq_snoozes_subscription_id_actor_id_action")
        ),
    )


def downgrade() -> None:
    op.drop_table("snoozes")
    op.add_column("subscriptions", sa.Column("snoozed_until", TIMESTAMP, nullable=True))
    op.drop_index(op.f("ix_outbox_event_id"), table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        for name in ("acked_at", "acked_by", "thread_ts", "attempted_at", "batch"):
            batch.drop_column(name)
        batch.add_column(sa.Column("claimed_by", sa.String(), nullable=True))
        batch.add_column(sa.Column("claimed_until", TIMESTAMP, nullable=True))
