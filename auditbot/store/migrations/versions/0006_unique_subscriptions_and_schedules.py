"""Unique keys behind "it already existed": a channel's subscription to a query, and a digest schedule.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

The rules compare, within a workspace: a subscription's channel and canonical query; a schedule's
channel, canonical times, time zone and canonical filters. A canonical query may be 1,500 characters,
more than a PostgreSQL b-tree index entry holds, so each table gets ``query_hash`` (the SHA-256 of
``query``, in hex) and the unique index is on it instead of the text:

* ``uq_subscriptions_team_id_channel_id_query_hash`` replaces ``ix_subscriptions_team_id_channel_id``
  (its leading columns serve the same lookups);
* ``uq_digest_schedules_team_id_channel_id_times_tz_query_hash`` replaces ``ix_digest_schedules_team_id``.

Rows made before the rule was enforced by the database (two replicas racing) may break it: of each
set of equal ones the oldest (then the smallest id) is kept and the others are deleted, as if removed
by hand: their outbox rows and snoozes, or their runs, go with them (the foreign keys cascade).

``query_hash`` is added natively and nullable (on SQLite a NOT NULL column would need the table rebuilt,
which would cascade to the rows that refer to it); the repositories always set it and this migration
fills it for existing rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
HASH_COMMENT = "SHA-256 of query, the unique key"

_subscriptions = sa.table(
    "subscriptions",
    sa.column("id", sa.String()),
    sa.column("team_id", sa.String()),
    sa.column("channel_id", sa.String()),
    sa.column("query", sa.Text()),
    sa.column("created_at", TIMESTAMP),
    sa.column("query_hash", sa.String()),
)
_schedules = sa.table(
    "digest_schedules",
    sa.column("id", sa.String()),
    sa.column("team_id", sa.String()),
    sa.column("channel_id", sa.String()),
    sa.column("times", sa.Text()),
    sa.column("tz", sa.String()),
    sa.column("query", sa.Text()),
    sa.column("created_at", TIMESTAMP),
    sa.column("query_hash", sa.String()),
)


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("query_hash", sa.String(), nullable=True, comment=HASH_COMMENT))
    op.add_column("digest_schedules", sa.Column("query_hash", sa.String(), nullable=True, comment=HASH_COMMENT))
    _keep_the_oldest(_subscriptions, ("team_id", "channel_id", "query"))
    _keep_the_oldest(_schedules, ("team_id", "channel_id", "times", "tz", "query"))
    op.drop_index(op.f("ix_subscriptions_team_id_channel_id"), table_name="subscriptions")
    op.create_index(
        op.f("uq_subscriptions_team_id_channel_id_query_hash"),
        "subscriptions",
        ["team_id", "channel_id", "query_hash"],
        unique=True,
    )
    op.drop_index(op.f("ix_digest_schedules_team_id"), table_name="digest_schedules")
    op.create_index(
        op.f("uq_digest_schedules_team_id_channel_id_times_tz_query_hash"),
        "digest_schedules",
        ["team_id", "channel_id", "times", "tz", "query_hash"],
        unique=True,
    )


def _keep_the_oldest(table: sa.TableClause, key: tuple[str, ...]) -> None:
    """Delete all but the oldest row of each set with equal ``key`` columns, and fill ``query_hash``.

    Subscriptions and schedules are made by people, a few hundred at most: they are read at once.
    """
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(table.c.id, table.c.query, *(table.c[name] for name in key)).order_by(table.c.created_at, table.c.id)
    ).all()
    seen: set[tuple[object, ...]] = set()
    doomed: list[str] = []
    hashes: list[dict[str, str]] = []
    for row in rows:
        wanted = tuple(row._mapping[name] for name in key)
        if wanted in seen:
            doomed.append(row.id)
            continue
        seen.add(wanted)
        hashes.append({"key_id": row.id, "query_hash": hashlib.sha256(row.query.encode()).hexdigest()})
    if doomed:
        conn.execute(sa.delete(table).where(table.c.id.in_(doomed)))
    if hashes:
        conn.execute(
            sa.update(table).where(table.c.id == sa.bindparam("key_id")).values(query_hash=sa.bindparam("query_hash")),
            hashes,
        )


def downgrade() -> None:
    op.drop_index(op.f("uq_digest_schedules_team_id_channel_id_times_tz_query_hash"), table_name="digest_schedules")
    op.create_index(op.f("ix_digest_schedules_team_id"), "digest_schedules", ["team_id"])
    op.drop_index(op.f("uq_subscriptions_team_id_channel_id_query_hash"), table_name="subscriptions")
    op.create_index(op.f("ix_subscriptions_team_id_channel_id"), "subscriptions", ["team_id", "channel_id"])
    op.drop_column("digest_schedules", "query_hash")
    op.drop_column("subscriptions", "query_hash")
