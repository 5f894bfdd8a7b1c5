"""``Database``: one engine over SQLite (the default, one process) or PostgreSQL (several replicas).

Transactions come from three context managers, each committing on success and rolling back on error:

* ``begin()`` - a write transaction on a ``Connection``. On SQLite it starts with ``BEGIN IMMEDIATE``,
  so it holds the database's single write lock from its first statement: read-then-write logic inside
  it (leases, the fencing check) cannot interleave with another writer.
* ``read()`` - a read transaction (a plain deferred ``BEGIN`` on SQLite; WAL lets it run beside a writer).
* ``session()`` - an ORM ``Session`` in a write transaction, for callers that prefer one.

SQLite is opened in WAL mode with foreign keys on and a busy timeout, and its parent directory is
created. The pysqlite driver's own transaction handling is switched off and ``BEGIN`` is emitted
explicitly (SQLAlchemy's documented recipe), which is what makes ``BEGIN IMMEDIATE`` possible.
A database that cannot be reached or opened raises ``StoreError`` naming the URL with its password masked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from auditbot.store.errors import StoreError
from auditbot.store.urls import default_url, mask_url, normalise_url

__all__ = ["Database", "StoreError", "default_url"]

_BEGIN_OPTION = "auditbot_sqlite_begin"


class Database:
    """The store's engine and its transactions; ``close()`` (or ``with``) releases its connections."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        busy_timeout_seconds: float = 30.0,
        connect_timeout_seconds: int = 10,
    ) -> None:
        parsed = normalise_url(url)
        self._password = parsed.password
        self.url = mask_url(parsed)
        """The URL with its password masked: safe to log and show."""
        if parsed.get_backend_name() == "sqlite":
            self._ensure_directory(Path(str(parsed.database)))
            engine = create_engine(parsed, echo=echo, connect_args={"timeout": busy_timeout_seconds})
            _configure_sqlite(engine, busy_timeout_seconds)
        else:
            engine = create_engine(
                parsed, echo=echo, pool_pre_ping=True, connect_args={"connect_timeout": connect_timeout_seconds}
            )
        self._engine = engine
        self._writer = engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @property
    def engine(self) -> Engine:
        return self._engine

    def migrate(self) -> None:
        """Bring the schema to the newest revision (alembic ``upgrade head``); safe to run on every start."""
        from auditbot.store.migrate import upgrade

        upgrade(self)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self._connect(self._writer) as conn, self._transaction(conn):
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A transaction for reading: a deferred ``BEGIN`` on SQLite, which never waits for a writer.

        Write with ``begin()``: on SQLite a write in here fails with "database is locked" when another
        writer got in first.
        """
        with self._connect(self._engine) as conn, self._transaction(conn):
            yield conn

    @contextmanager
    def session(self) -> Iterator[Session]:
        """An ORM session in a write transaction, committed when the block ends."""
        with Session(bind=self._writer, expire_on_commit=False) as session:
            try:
                transaction = session.begin()
                session.connection()
            except DBAPIError as exc:
                raise self._unusable(exc) from exc
            with transaction:
                yield session

    def ping(self) -> None:
        """Ask the database a trivial question (``SELECT 1``); raises ``StoreError`` when it does not answer."""
        with self.read() as conn:
            conn.execute(text("SELECT 1")).scalar_one()

    def close(self) -> None:
        """Close every pooled connection; the ``Database`` reconnects if used again."""
        self._engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({self.url!r})"

    @contextmanager
    def _connect(self, engine: Engine) -> Iterator[Connection]:
        try:
            conn = engine.connect()
        except DBAPIError as exc:
            raise self._unusable(exc) from exc
        with conn:
            yield conn

    @contextmanager
    def _transaction(self, conn: Connection) -> Iterator[None]:
        try:
            transaction = conn.begin()
        except OperationalError as exc:
            raise self._unusable(exc) from exc
        with transaction:
            yield

    def _unusable(self, exc: Exception) -> StoreError:
        cause = getattr(exc, "orig", None) or exc
        lines = str(cause).strip().splitlines()
        reason = lines[0].strip() if lines else type(cause).__name__
        if self._password:
            reason = reason.replace(self._password, "***")
        return StoreError(
            f"cannot use the database at {self.url}: {reason}",
            hint="check that the database server is running and the URL, user and password are right",
        )

    def _ensure_directory(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            where = path.parent
            raise StoreError(f"cannot create the directory {where} for the database at {self.url}: {exc}") from exc


def _configure_sqlite(engine: Engine, busy_timeout_seconds: float) -> None:
    busy_ms = int(busy_timeout_seconds * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN from the driver: _on_begin emits it
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
