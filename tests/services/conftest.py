"""Fixtures for service tests: one seeded org for the session, a fresh search stack per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from auditbot.sandbox import GeneratedOrg
from auditbot.store import Database
from tests.services.world import ANCHOR, World, fill_mirror
from tests.store.conftest import postgres_schema


@pytest.fixture(scope="session")
def org() -> GeneratedOrg:
    return GeneratedOrg(7, anchor=ANCHOR, days=30)


@pytest.fixture
def world(org: GeneratedOrg) -> World:
    return World(org)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest, org: GeneratedOrg, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A store whose mirror holds the org's last days (``fill_mirror``), filled once per module, on a
    SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('mirror') / 'auditbot.db'}"
        with Database(url) as db:
            db.migrate()
            fill_mirror(db, org)
            yield db
        return
    with postgres_schema() as url, Database(url) as db:
        db.migrate()
        fill_mirror(db, org)
        yield db


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """The URL of a migrated database with nothing in it, fresh for each test, on a SQLite file and on
    PostgreSQL: for tests that open it more than once (two replicas on one database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'auditbot.db'}"
        with Database(url) as db:
            db.migrate()
        yield url
        return
    with postgres_schema() as url:
        with Database(url) as db:
            db.migrate()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    """A migrated store with nothing in it, fresh for each test, on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        with Database(f"sqlite:///{tmp_path / 'auditbot.db'}") as db:
            db.migrate()
            yield db
        return
    with postgres_schema() as url, Database(url) as db:
        db.migrate()
        yield db
