"""What the mirror costs on disk: bytes per event, extrapolated to a million events.

Sandbox events (every shape the generator makes) are stored the way ingest stores them
(``EventMirror.upsert``, pages of 500) into a fresh SQLite file and a fresh PostgreSQL schema.
SQLite: the file's pages in use (free pages left out). PostgreSQL: ``pg_total_relation_size``
of ``events`` (table, TOAST and every index), after ``VACUUM``. Both are divided by the events
stored and multiplied by a million; the baseline is the events' JSON bodies alone (what a plain
log file of them would take). PostgreSQL runs only when a server answers at 127.0.0.1:5432.

Run: python -m bench.bench_disk
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from auditbot.core.model import AuditEvent
from auditbot.sandbox import GeneratedOrg
from auditbot.store import Database, EventMirror
from auditbot.store.mirror import _row
from bench.result import Log, Result, quiet
from tests.store.conftest import postgres_available, postgres_schema

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ORG = "disk-org"
DAYS = 30
QUICK_DAYS = 3
PAGE = 500
MILLION = 1_000_000
NO_POSTGRES = "no PostgreSQL answering at 127.0.0.1:5432"


def sandbox_events(days: int) -> list[AuditEvent]:
    org = GeneratedOrg(5, anchor=ANCHOR, days=days)
    first = int((ANCHOR - timedelta(days=days)).timestamp()) // 3600
    last = int(ANCHOR.timestamp()) // 3600
    return [AuditEvent.model_validate(raw) for hour in range(first, last) for raw in org.hour_events(hour)]


def store(db: Database, batch: list[AuditEvent]) -> None:
    db.migrate()
    mirror = EventMirror(db)
    for first in range(0, len(batch), PAGE):
        with db.begin() as conn:
            mirror.upsert(conn, ORG, batch[first : first + PAGE])
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM events")


def sqlite_bytes(db: Database) -> int:
    with db.read() as conn:
        pages = int(conn.execute(text("PRAGMA page_count")).scalar_one())
        pages -= int(conn.execute(text("PRAGMA freelist_count")).scalar_one())
        size = int(conn.execute(text("PRAGMA page_size")).scalar_one())
    return pages * size


def postgres_bytes(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(text("SELECT pg_total_relation_size('events')")).scalar_one())


def per_million(size: int, count: int) -> str:
    return f"{size / count * MILLION / 2**30:.2f} GiB per million events ({size / count:,.0f} bytes each)"


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    batch = sandbox_events(QUICK_DAYS if quick else DAYS)
    bodies = sum(len(str(_row(ORG, event, ANCHOR)["body"]).encode()) for event in batch)
    log(f"{len(batch):,} sandbox events, {bodies / len(batch):,.0f} bytes of JSON each on average")
    baseline = f"the JSON bodies alone: {per_million(bodies, len(batch))}"
    results = []
    with tempfile.TemporaryDirectory() as folder, Database(f"sqlite:///{Path(folder) / 'disk.db'}") as db:
        store(db, batch)
        size = sqlite_bytes(db)
    log(f"SQLite: {per_million(size, len(batch))}")
    results.append(
        Result(
            f"`disk`: the mirror's size, SQLite ({len(batch):,} events)",
            per_million(size, len(batch)),
            baseline,
            size / bodies,
            of="size",
        )
    )
    what = f"`disk`: the mirror's size, PostgreSQL ({len(batch):,} events)"
    if not postgres_available():
        return [*results, Result.skip(what, NO_POSTGRES)]
    with postgres_schema() as url, Database(url) as db:
        store(db, batch)
        size = postgres_bytes(db)
    log(f"PostgreSQL: {per_million(size, len(batch))}")
    results.append(Result(what, per_million(size, len(batch)), baseline, size / bodies, of="size"))
    return results


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
