"""Revision 0003 reshapes the outbox and subscriptions and keeps every row already stored, both ways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from auditbot.store import Database
from auditbot.store.migrate import current_revision, downgrade, upgrade
from tests.store.conftest import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def bare(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        with Database(f"sqlite:///{tmp_path / 'bare.db'}") as db:
            yield db
        return
    with postgres_schema() as url, Database(url) as db:
        yield db


def columns(db: Database, table: str) -> set[str]:
    with db.read() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


def count(db: Database, table: str) -> int:
    with db.read() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_0003_keeps_subscriptions_and_their_queued_alerts(bare: Database):
    upgrade(bare, "0002")
    with bare.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO subscriptions (id, team_id, channel_id, query, created_by, created_at, paused) "
                "VALUES ('sub-a', 'T1', 'C1', 'action:user_login', 'U1', '2026-11-25 12:00:00', false)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO outbox (subscription_id, event_id, org_id, created_at, status, attempts) "
                "VALUES ('sub-a', 'e1', 'o', '2026-11-25 12:00:00', 'pending', 0), "
                "('sub-a', 'e2', 'o', '2026-11-25 12:00:00', 'sent', 1)"
            )
        )
    upgrade(bare, "0003")
    assert current_revision(bare) == "0003"
    assert (count(bare, "subscriptions"), count(bare, "outbox")) == (1, 2)
    assert {"batch", "attempted_at", "thread_ts", "acked_by", "acked_at"} <= columns(bare, "outbox")
    assert "claimed_by" not in columns(bare, "outbox")
    assert "snoozed_until" not in columns(bare, "subscriptions")
    downgrade(bare, "0002")
    assert (count(bare, "subscriptions"), count(bare, "outbox")) == (1, 2)
    assert "claimed_by" in columns(bare, "outbox") and "snoozes" not in inspect_tables(bare)


def inspect_tables(db: Database) -> set[str]:
    with db.read() as conn:
        return set(inspect(conn).get_table_names())
