"""Digest schedules: handoff digests posted at times of day, and one claimed run per (schedule, slot).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

* ``digest_schedules`` - a channel, canonical times of day (``09:00,21:00``), an IANA time zone, the
  canonical filter text, who made it, and how its last run went.
* ``digest_runs`` - keyed by (schedule, slot instant): the replica that inserts the row posts that slot,
  so each slot is posted once however many replicas run. Deleting a schedule deletes its runs.

Both tables are new and nothing existing is altered, so no batch mode (which on SQLite rebuilds a
table, and dropping the old copy of a referenced table would cascade to the rows that refer to it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "digest_schedules",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("times", sa.Text(), nullable=False, comment="canonical times of day, 09:00,21:00"),
        sa.Column("tz", sa.String(), nullable=False, comment="IANA time zone name"),
        sa.Column("query", sa.Text(), nullable=False, comment="canonical filter text, may be empty"),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_run_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_schedules")),
    )
    op.create_index(op.f("ix_digest_schedules_team_id"), "digest_schedules", ["team_id"])
    op.create_table(
        "digest_runs",
        sa.Column("schedule_id", sa.String(), nullable=False),
        sa.Column("slot_at", TIMESTAMP, nullable=False, comment="the slot's instant"),
        sa.Column("claimed_by", sa.String(), nullable=False),
        sa.Column("claimed_at", TIMESTAMP, nullable=False),
        sa.Column("posted_at", TIMESTAMP, nullable=True),
        sa.Column("message_ts", sa.String(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True, comment="why the slot was not posted; it is not tried again"),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["digest_schedules.id"],
            name=op.f("fk_digest_runs_schedule_id_digest_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("schedule_id", "slot_at", name=op.f("pk_digest_runs")),
    )


def downgrade() -> None:
    op.drop_table("digest_runs")
    op.drop_index(op.f("ix_digest_schedules_team_id"), table_name="digest_schedules")
    op.drop_table("digest_schedules")
