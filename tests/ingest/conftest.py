"""Ingest fixtures: a migrated store on a SQLite file and on PostgreSQL (a fresh schema per test), a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditbot.core.clock import ManualClock
from auditbot.store import Database
from tests.ingest.helpers import ANCHOR
from tests.store.conftest import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        with Database(f"sqlite:///{tmp_path / 'auditbot.db'}") as db:
            db.migrate()
            yield db
        return
    with postgres_schema() as url, Database(url) as db:
        db.migrate()
        yield db


@pytest.fixture
def postgres_store() -> Iterator[Database]:
    with postgres_schema() as url, Database(url) as db:
        db.migrate()
        yield db


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(ANCHOR)
