"""Stream cursors say where the mirror's coverage starts: ``stream_cursors.covered_from``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

``covered_from`` is the start of the window the mirror holds for the org (the backfill start, moved
forward by retention pruning), so mirror-backed search can tell whether the mirror covers a query's
window. Nullable: rows written before this revision do not know it. Batch mode keeps the downgrade
working on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("stream_cursors") as batch:
        batch.add_column(
            sa.Column("covered_from", TIMESTAMP, nullable=True, comment="start of the window the mirror holds")
        )


def downgrade() -> None:
    with op.batch_alter_table("stream_cursors") as batch:
        batch.drop_column("covered_from")
