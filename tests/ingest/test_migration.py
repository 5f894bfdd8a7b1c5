"""Revision 0002 adds ``stream_cursors.covered_from`` and keeps the cursors already stored, both ways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from auditbot.core.clock import ManualClock
from auditbot.store import Database, Leases, StreamCursors
from auditbot.store.migrate import current_revision, downgrade, upgrade
from tests.ingest.helpers import ANCHOR
from tests.store.conftest import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def bare(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        with Database(f"sqlite:///{tmp_path / 'bare.db'}") as db:
            yield db
        return
    with postgres_schema() as url, Database(url) as db:
        yield db


def columns(db: Database) -> set[str]:
    with db.read() as conn:
        return {c["name"] for c in inspect(conn).get_columns("stream_cursors")}


def test_0002_adds_covered_from_and_keeps_the_stored_cursor(bare: Database):
    clock = ManualClock(ANCHOR)
    upgrade(bare, "0001")
    assert "covered_from" not in columns(bare)
    lease = Leases(bare, clock).acquire("ingest:o", "w", 30.0)
    assert lease is not None
    cursors = StreamCursors(bare, clock=clock)
    with bare.begin() as conn:
        cursors.advance(conn, "o", "c1", ANCHOR, lease)
    upgrade(bare, "0002")
    assert current_revision(bare) == "0002"
    assert "covered_from" in columns(bare)
    upgrade(bare)  # the code reads the head's columns; later revisions keep the row too
    stored = cursors.get("o")
    assert stored is not None and (stored.cursor, stored.covered_from) == ("c1", None)
    with bare.begin() as conn:
        cursors.cover(conn, "o", ANCHOR, lease)
    stored = cursors.get("o")
    assert stored is not None and stored.covered_from == ANCHOR
    downgrade(bare, "0001")
    assert "covered_from" not in columns(bare)
    assert current_revision(bare) == "0001"
