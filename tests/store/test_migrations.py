"""Migrations: run from the packaged folder, idempotent, reversible, in step with schema.py, and keeping data."""

from __future__ import annotations

import shutil
import threading
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, Text, inspect, select, text
from sqlalchemy.exc import IntegrityError

from auditbot.store import Database, EventMirror
from auditbot.store.migrate import current_revision, downgrade, head_revision, migrations_folder, upgrade
from auditbot.store.mirror import _row, derived_columns
from auditbot.store.schema import (
    digest_runs,
    digest_schedules,
    events,
    metadata,
    outbox,
    query_hash,
    snoozes,
    subscriptions,
)
from tests.store.events import ANCHOR, ORG, minute_events, sandbox_events

TABLES = {
    "events",
    "stream_cursors",
    "leases",
    "subscriptions",
    "outbox",
    "snoozes",
    "bot_audit",
    "digest_schedules",
    "digest_runs",
    "alert_states",
}
HEAD = "0008"


def tables(db: Database) -> set[str]:
    with db.read() as conn:
        return set(inspect(conn).get_table_names()) - {"alembic_version"}


def differences(db: Database) -> list[object]:
    with db.read() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_the_migrations_ship_inside_the_package():
    with migrations_folder() as folder:
        assert (folder / "env.py").is_file()
        assert (folder / "script.py.mako").is_file()
        assert (folder / "versions" / "0001_initial.py").is_file()
        assert not (folder / "alembic.ini").exists()
    assert head_revision() == HEAD


def test_upgrade_creates_every_table_and_running_it_again_changes_nothing(db):
    assert current_revision(db) is None
    db.migrate()
    assert tables(db) == TABLES
    assert current_revision(db) == HEAD
    db.migrate()
    assert current_revision(db) == HEAD
    assert differences(db) == []


def test_downgrade_to_base_and_up_again(db):
    db.migrate()
    downgrade(db, "base")
    assert tables(db) == set()
    assert current_revision(db) is None
    db.migrate()
    assert tables(db) == TABLES


def test_the_migrated_database_matches_schema_py(store):
    assert differences(store) == []


def test_the_comparison_would_see_a_difference(store):
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["events"].append_column(Column("note", Text))
    with store.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), changed)
    assert [(d[0], d[3].name) for d in diff if isinstance(d, tuple)] == [("add_column", "note")]


def test_constraints_carry_the_conventional_names(store):
    with store.read() as conn:
        found = inspect(conn)
        primary = found.get_pk_constraint("events")
        assert (primary["name"], primary["constrained_columns"]) == ("pk_events", ["org_id", "id"])
        assert [u["name"] for u in found.get_unique_constraints("outbox")] == ["uq_outbox_subscription_id_event_id"]
        assert {c["name"] for c in found.get_check_constraints("outbox")} == {"ck_outbox_status"}
        assert [f["name"] for f in found.get_foreign_keys("outbox")] == ["fk_outbox_subscription_id_subscriptions"]


SECOND = '''"""Add a note to events (test only).

Revision ID: 0099
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True, server_default="kept"))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("note")
'''


def test_an_upgrade_keeps_the_data(db, tmp_path):
    location = tmp_path / "migrations"
    with migrations_folder() as folder:
        shutil.copytree(folder, location, ignore=shutil.ignore_patterns("__pycache__"))
    (location / "versions" / "0099_note.py").write_text(SECOND)
    upgrade(db, HEAD, script_location=location)
    mirror = EventMirror(db)
    batch = minute_events(30)
    with db.begin() as conn:
        assert mirror.upsert(conn, ORG, batch) == 30

    upgrade(db, script_location=location)
    assert current_revision(db) == "0099"
    assert mirror.count(ORG) == 30
    assert mirror.get(ORG, batch[7].id) == batch[7]
    with db.read() as conn:
        assert conn.execute(text("SELECT DISTINCT note FROM events")).scalars().all() == ["kept"]

    downgrade(db, HEAD, script_location=location)
    assert mirror.window(ORG, ANCHOR - timedelta(days=1), ANCHOR, limit=100) == batch[::-1]


def test_replicas_migrating_at_once_all_succeed(postgres_url):
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def replica() -> None:
        with Database(postgres_url) as db:
            start.wait()
            try:
                db.migrate()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Database(postgres_url) as db:
        assert current_revision(db) == HEAD
        assert tables(db) == TABLES


def test_the_copies_migration_fills_stored_events_from_their_bodies(db):
    """Events stored before the copies existed get them from their bodies (more than one batch of them)."""
    upgrade(db, "0004")
    stored = [*sandbox_events(), *minute_events(2_100)]
    old_columns = ("org_id", "id", "time", "processed_at", "action", "actor_id", "actor_email", "ip", "body")
    rows = [
        {k: v for k, v in _row(ORG, event, ANCHOR).items() if k in (*old_columns, "ingested_at")} for event in stored
    ]
    with db.begin() as conn:
        conn.execute(events.insert(), rows)  # only the 0004 columns are given
    db.migrate()
    with db.read() as conn:
        found = {
            row.id: {name: getattr(row, name) for name in ("country", "city_key", "country_key", "products")}
            for row in conn.execute(events.select())
        }
    assert found == {event.id: derived_columns(event) for event in stored}
    assert any(copies["products"] for copies in found.values())
    assert any(copies["city_key"] for copies in found.values())


def test_the_unique_keys_migration_keeps_the_oldest_of_equal_subscriptions_and_schedules(db):
    """Rows two replicas made at once before the database enforced the rule: the oldest (then the
    smallest id) of each equal set stays; the others go, with their outbox rows, snoozes and runs."""
    upgrade(db, "0005")
    at = [ANCHOR + timedelta(minutes=m) for m in range(4)]
    sub = {"team_id": "T1", "channel_id": "C1", "query": "action:user_login", "created_by": "U1"}
    sched = {"team_id": "T1", "channel_id": "C1", "times": "09:00", "tz": "UTC", "query": "", "created_by": "U1"}
    with db.begin() as conn:
        conn.execute(
            subscriptions.insert(),
            [
                {**sub, "id": "sub-mid", "created_at": at[1]},
                {**sub, "id": "sub-old", "created_at": at[0]},
                {**sub, "id": "sub-new", "created_at": at[2]},
                {**sub, "id": "sub-elsewhere", "channel_id": "C2", "created_at": at[3]},
                {**sub, "id": "sub-tie-b", "query": "action:user_logout", "created_at": at[0]},
                {**sub, "id": "sub-tie-a", "query": "action:user_logout", "created_at": at[0]},
            ],
        )
        conn.execute(
            outbox.insert(),
            [
                {"subscription_id": s, "event_id": "e1", "org_id": ORG, "created_at": at[3]}
                for s in ("sub-old", "sub-mid")
            ],
        )
        snooze = {"actor_id": "a", "action": "x", "until": at[3], "created_by": "U1", "created_at": at[2]}
        conn.execute(snoozes.insert(), [{**snooze, "subscription_id": "sub-new"}])
        conn.execute(
            digest_schedules.insert(),
            [{**sched, "id": "dg-new", "created_at": at[1]}, {**sched, "id": "dg-old", "created_at": at[0]}],
        )
        conn.execute(
            digest_runs.insert(),
            [{"schedule_id": "dg-new", "slot_at": at[0], "claimed_by": "r", "claimed_at": at[0]}],
        )
    db.migrate()
    with db.read() as conn:
        kept = dict(conn.execute(select(subscriptions.c.id, subscriptions.c.query_hash)).all())
        alerts = conn.execute(select(outbox.c.subscription_id)).scalars().all()
        snoozed = conn.execute(select(snoozes.c.id)).scalars().all()
        schedules = dict(conn.execute(select(digest_schedules.c.id, digest_schedules.c.query_hash)).all())
        runs = conn.execute(select(digest_runs.c.schedule_id)).scalars().all()
    assert kept == {
        "sub-old": query_hash("action:user_login"),
        "sub-elsewhere": query_hash("action:user_login"),
        "sub-tie-a": query_hash("action:user_logout"),
    }
    assert (alerts, snoozed, runs) == (["sub-old"], [], [])
    assert schedules == {"dg-old": query_hash("")}
    with pytest.raises(IntegrityError), db.begin() as conn:
        conn.execute(subscriptions.insert().values(**sub, id="sub-again", created_at=at[3], query_hash=kept["sub-old"]))


def test_the_names_migration_adds_an_empty_name_and_takes_it_away_again(db):
    """Subscriptions made before names have none (they are shown by their query); a downgrade drops
    the column and keeps the rows."""
    upgrade(db, "0006")
    row = {
        "id": "sub-before",
        "team_id": "T1",
        "channel_id": "C1",
        "query": "action:added_org_admin",
        "created_by": "U1",
        "created_at": ANCHOR,
        "query_hash": query_hash("action:added_org_admin"),
    }
    with db.begin() as conn:
        conn.execute(subscriptions.insert(), [row])
    db.migrate()
    with db.begin() as conn:
        assert conn.execute(select(subscriptions.c.name)).scalars().all() == [None]
        conn.execute(subscriptions.update().values(name="Admin grants — «night» ✓"))
    with db.read() as conn:
        assert conn.execute(select(subscriptions.c.name)).scalars().all() == ["Admin grants — «night» ✓"]
    downgrade(db, "0006")
    with db.read() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("subscriptions")}
        assert "name" not in columns
        assert conn.execute(text("SELECT id FROM subscriptions")).scalars().all() == ["sub-before"]
