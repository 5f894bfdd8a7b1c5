"""A subscription may have a name its subscriber gave it ("Admin grants").

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

``subscriptions.name`` is nullable: subscriptions made before, and those made without a name, are
shown by a description built from their query. It is added natively (no table rebuild on SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_COMMENT = "the name its subscriber gave it, plain text"


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("name", sa.Text(), nullable=True, comment=NAME_COMMENT))


def downgrade() -> None:
    op.drop_column("subscriptions", "name")
