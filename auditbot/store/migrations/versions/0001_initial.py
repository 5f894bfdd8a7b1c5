"""The initial store: event mirror, stream cursors, leases, subscriptions, outbox and the bot's audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Written against the types SQLAlchemy renders, not against ``auditbot.store.schema``, so that this
revision keeps creating the same tables whatever the schema module becomes later. Timestamps are
``timestamp with time zone`` on PostgreSQL and ``DATETIME`` (naive UTC text) on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("org_id", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("time", TIMESTAMP, nullable=False),
        sa.Column("processed_at", TIMESTAMP, nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("actor_id", sa.String(), nullable=False),
        sa.Column("actor_email", sa.String(), nullable=True, comment="lower-case"),
        sa.Column("ip", sa.String(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False, comment="the event as the API's JSON"),
        sa.Column("ingested_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_org_id_time_id"), "events", ["org_id", "time", "id"])
    op.create_index(op.f("ix_events_org_id_processed_at"), "events", ["org_id", "processed_at"])

    op.create_table(
        "stream_cursors",
        sa.Column("org_id", sa.String(), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("newest_processed_at", TIMESTAMP, nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("fencing_token", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_stream_cursors")),
    )

    op.create_table(
        "leases",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=True, comment="null when released"),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("token", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False, comment="canonical query text"),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("snoozed_until", TIMESTAMP, nullable=True),
        sa.Column("last_delivery_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    op.create_index(op.f("ix_subscriptions_team_id_channel_id"), "subscriptions", ["team_id", "channel_id"])

    op.create_table(
        "outbox",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("org_id", sa.String(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("claimed_until", TIMESTAMP, nullable=True),
        sa.Column("message_ts", sa.String(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f("ck_outbox_status")),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_outbox_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("subscription_id", "event_id", name=op.f("uq_outbox_subscription_id_event_id")),
    )
    op.create_index(op.f("ix_outbox_status_id"), "outbox", ["status", "id"])

    op.create_table(
        "bot_audit",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("query", sa.Text(), nullable=True, comment="canonical query text"),
        sa.Column("channel_id", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.CheckConstraint("outcome IN ('ok', 'denied', 'error')", name=op.f("ck_bot_audit_outcome")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_audit")),
    )
    op.create_index(op.f("ix_bot_audit_at_id"), "bot_audit", ["at", "id"])
    op.create_index(op.f("ix_bot_audit_user_id_at"), "bot_audit", ["user_id", "at"])


def downgrade() -> None:
    op.drop_table("bot_audit")
    op.drop_table("outbox")
    op.drop_table("subscriptions")
    op.drop_table("leases")
    op.drop_table("stream_cursors")
    op.drop_table("events")
