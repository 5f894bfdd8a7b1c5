"""Database: URLs accepted and refused, SQLite set-up, transactions, and errors that never show a password."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import StatementError

from auditbot.core.errors import AuditbotError
from auditbot.store import Database, StoreError, default_url, mask_url
from auditbot.store.schema import leases
from tests.store.events import ANCHOR


def test_the_default_store_is_a_sqlite_file_in_the_data_directory(tmp_path):
    url = default_url(tmp_path / "data")
    assert url == f"sqlite:///{tmp_path / 'data' / 'auditbot.db'}"
    with Database(url) as db:
        db.migrate()
        assert db.dialect == "sqlite"
    assert (tmp_path / "data" / "auditbot.db").is_file()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    with Database(f"sqlite:///{tmp_path}/a/b/c.db", busy_timeout_seconds=7) as db, db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7000


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("postgres://u:pw@db.example/audit", "postgresql+psycopg://u:***@db.example/audit"),
        ("postgresql://u:pw@db.example:5433/audit", "postgresql+psycopg://u:***@db.example:5433/audit"),
        ("postgresql+psycopg://u@db.example/audit", "postgresql+psycopg://u@db.example/audit"),
    ],
)
def test_postgresql_urls_are_rewritten_to_psycopg_and_shown_masked(given, shown):
    db = Database(given)
    assert (db.dialect, db.url, repr(db)) == ("postgresql", shown, f"Database({shown!r})")
    assert "pw" not in db.url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://root:hunter2@db/audit", "is not SQLite or PostgreSQL"),
        ("postgresql://root:hunter2@db", "names no database"),
        ("sqlite://", "names no SQLite file"),
        ("sqlite:///:memory:", "names no SQLite file"),
    ],
)
def test_unusable_urls_raise_a_store_error_without_the_password(url, says):
    with pytest.raises(StoreError) as caught:
        Database(url)
    assert says in str(caught.value)
    assert "hunter2" not in str(caught.value)
    assert isinstance(caught.value, AuditbotError)
    assert caught.value.hint


def test_an_unparseable_url_is_still_masked():
    assert mask_url("weird://root:hunter2@host/x y") == "weird://root:***@host/x y"
    with pytest.raises(StoreError) as caught:
        Database("weird://root:hunter2@host/x y")
    assert "weird://root:***@host/x y" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_an_unreachable_postgresql_names_the_masked_url_not_the_password():
    db = Database("postgresql://auditor:hunter2@127.0.0.1:1/audit", connect_timeout_seconds=2)
    with pytest.raises(StoreError) as caught:
        db.migrate()
    message = str(caught.value)
    assert message.startswith("cannot use the database at postgresql+psycopg://auditor:***@127.0.0.1:1/audit: ")
    assert "hunter2" not in message
    db.close()


def test_a_sqlite_file_that_cannot_be_created_is_a_store_error(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StoreError, match="cannot create the directory"):
        Database(f"sqlite:///{tmp_path / 'file' / 'auditbot.db'}")


def test_a_sqlite_file_that_is_not_a_database_is_a_store_error(tmp_path):
    path = Path(tmp_path / "junk.db")
    path.write_bytes(b"this is not sqlite" * 100)
    with Database(f"sqlite:///{path}") as db, pytest.raises(StoreError, match="cannot use the database at sqlite"):
        db.migrate()


def _lease_rows(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(leases)).scalar_one())


def test_begin_commits_and_rolls_back(store):
    with store.begin() as conn:
        conn.execute(insert(leases).values(name="a", owner="x", expires_at=ANCHOR, token=1))
    with pytest.raises(RuntimeError), store.begin() as conn:
        conn.execute(insert(leases).values(name="b", owner="x", expires_at=ANCHOR, token=1))
        raise RuntimeError("boom")
    assert _lease_rows(store) == 1


def test_a_session_commits_and_rolls_back(store):
    with store.session() as session:
        session.execute(insert(leases).values(name="a", owner="x", expires_at=ANCHOR, token=1))
    with pytest.raises(RuntimeError), store.session() as session:
        session.execute(insert(leases).values(name="b", owner="x", expires_at=ANCHOR, token=1))
        raise RuntimeError("boom")
    assert _lease_rows(store) == 1


def test_timestamps_come_back_aware_utc_and_naive_ones_are_refused(store):
    local = ANCHOR.astimezone(ZoneInfo("Pacific/Auckland"))
    with store.begin() as conn:
        conn.execute(insert(leases).values(name="a", owner="x", expires_at=local, token=1))
    with store.read() as conn:
        stored = conn.execute(select(leases.c.expires_at)).scalar_one()
    assert stored == ANCHOR and stored.utcoffset() is not None and stored.tzname() == "UTC"
    with pytest.raises(StatementError, match=r"\(builtins\.ValueError\) naive datetime"), store.begin() as conn:
        conn.execute(insert(leases).values(name="b", owner="x", expires_at=ANCHOR.replace(tzinfo=None), token=1))


def test_sqlite_write_transactions_take_the_write_lock_at_once(tmp_path):
    with Database(f"sqlite:///{tmp_path}/a.db", busy_timeout_seconds=0.05) as db:
        db.migrate()
        with db.begin() as conn:
            conn.execute(text("SELECT 1"))
            with pytest.raises(StoreError, match="locked"), db.begin():
                pass
            with db.read() as reader:
                assert reader.execute(text("SELECT 1")).scalar() == 1
