"""The mirror says how fresh it is, and keeps what is counted in columns of its own.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

* ``stream_cursors.read_to_end_at``: when the stream reader last read ``/events-stream`` to its end,
  the mirror's freshness (a quiet org is up to date, not behind); ``failed_at`` and ``failure``: when
  and why a pass last failed, so a failing reader stops claiming freshness.
* ``events.country``, ``city_key``, ``country_key`` and ``products``: copies from the body that search
  and the handoff filter and count by, so neither reads JSON to count. Existing rows are filled from
  their bodies, a batch at a time (by key, so memory stays flat however large the mirror is).
* ``ix_events_org_id_time_id_action_actor_id_ip_country_products`` covers the handoff's counts over a window and the
  filters mirror search applies before it reads any body, in newest-first order.

Columns are added natively (no table is rebuilt: on SQLite, batch mode would recreate the table).
The downgrade drops them in batch mode, which rebuilds ``events`` and ``stream_cursors`` on SQLite;
no foreign key refers to either, so nothing cascades.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from auditbot.core.model import AuditEvent
from auditbot.store.mirror import derived_columns

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
BATCH = 2_000
COPIES = ("country", "city_key", "country_key", "products")

_events = sa.table(
    "events",
    sa.column("org_id", sa.String()),
    sa.column("id", sa.String()),
    sa.column("body", sa.Text()),
    *(sa.column(name, sa.String()) for name in COPIES),
)


def upgrade() -> None:
    op.add_column(
        "stream_cursors",
        sa.Column("read_to_end_at", TIMESTAMP, nullable=True, comment="when the reader last reached the stream's end"),
    )
    op.add_column(
        "stream_cursors",
        sa.Column("failed_at", TIMESTAMP, nullable=True, comment="when a pass of the reader last failed"),
    )
    op.add_column("stream_cursors", sa.Column("failure", sa.Text(), nullable=True, comment="why it failed"))
    op.add_column("events", sa.Column("country", sa.String(), nullable=True, comment="attributes.location.countryName"))
    op.add_column("events", sa.Column("city_key", sa.String(), nullable=True, comment="the city, case-folded"))
    op.add_column("events", sa.Column("country_key", sa.String(), nullable=True, comment="the country, case-folded"))
    op.add_column(
        "events", sa.Column("products", sa.String(), nullable=True, comment="the event's products, ',jira,loom,'")
    )
    _fill_copies()
    op.create_index(
        op.f("ix_events_org_id_time_id_action_actor_id_ip_country_products"),
        "events",
        ["org_id", "time", "id", "action", "actor_id", "ip", "country", "products"],
    )


def _fill_copies() -> None:
    """Each stored event's copies from its body, ``BATCH`` rows at a time in (org, id) order."""
    conn = op.get_bind()
    after: tuple[str, str] | None = None
    while True:
        query = sa.select(_events.c.org_id, _events.c.id, _events.c.body).order_by(_events.c.org_id, _events.c.id)
        if after is not None:
            query = query.where(sa.tuple_(_events.c.org_id, _events.c.id) > sa.tuple_(*after))
        rows = conn.execute(query.limit(BATCH)).all()
        if not rows:
            return
        updates = [
            {"key_org": org_id, "key_id": event_id, **derived_columns(AuditEvent.model_validate_json(body))}
            for org_id, event_id, body in rows
        ]
        conn.execute(
            sa.update(_events)
            .where(_events.c.org_id == sa.bindparam("key_org"), _events.c.id == sa.bindparam("key_id"))
            .values({name: sa.bindparam(name) for name in COPIES}),
            updates,
        )
        after = (rows[-1].org_id, rows[-1].id)


def downgrade() -> None:
    op.drop_index(op.f("ix_events_org_id_time_id_action_actor_id_ip_country_products"), table_name="events")
    with op.batch_alter_table("events") as batch:
        for name in reversed(COPIES):
            batch.drop_column(name)
    with op.batch_alter_table("stream_cursors") as batch:
        batch.drop_column("failure")
        batch.drop_column("failed_at")
        batch.drop_column("read_to_end_at")
