"""Store fixtures: every store test runs on a SQLite file and on PostgreSQL, each test in a fresh database.

PostgreSQL tests use the server at 127.0.0.1:5432 (trust auth, database ``test``). Each gets a schema
of its own, made first in the ``search_path`` through the URL's ``options`` and dropped afterwards.
They skip only when no server answers there — unless ``AUDITBOT_TEST_POSTGRES=required`` (CI sets
it), when a missing server fails them instead of hiding half the suite.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import psycopg
import pytest

from auditbot.core.clock import ManualClock
from auditbot.store import Database
from tests.store.events import ANCHOR

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_CONNINFO = "postgresql://postgres@127.0.0.1:5432/test"
PG_MISSING = "no PostgreSQL at 127.0.0.1:5432"


@cache
def postgres_available() -> bool:
    try:
        with psycopg.connect(PG_CONNINFO, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose connections work in a new, empty schema (dropped at the end)."""
    if not postgres_available():
        if os.environ.get("AUDITBOT_TEST_POSTGRES") == "required":
            pytest.fail(f"{PG_MISSING}, and AUDITBOT_TEST_POSTGRES=required")
        pytest.skip(PG_MISSING)
    schema = f"auditbot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_CONNINFO, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_CONNINFO, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'auditbot.db'}"
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    with Database(db_url) as database:
        yield database


@pytest.fixture
def store(db: Database) -> Database:
    """A migrated database."""
    db.migrate()
    return db


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(ANCHOR)
