"""Ingest throughput into the mirror against the raw insert rate of the same rows, on SQLite and PostgreSQL.

Pages of ``/events-stream`` are fetched from the sandbox once, before timing, so HTTP is left out.
"ingest" is ``Ingestor.run_once`` over those pages into a fresh, migrated database: per page one
transaction with the fencing check, the upsert and the cursor, plus the lease and the prune; its rows
are built from the events as it goes (the body serialized, the columns copied), and on PostgreSQL it
stores them with ``COPY`` into a temporary table and one ``INSERT … SELECT … ON CONFLICT DO NOTHING``.
"raw" is a plain ``executemany`` of ``INSERT … ON CONFLICT DO NOTHING`` of the same rows (built
beforehand, outside the timing), one transaction per page, into another fresh database with the same
table and indexes. Each figure is the best of ``ROUNDS`` runs.
PostgreSQL runs only when a server answers at 127.0.0.1:5432 (each run in a schema of its own).

Run: python -m bench.bench_ingest
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditbot.core.clock import ManualClock
from auditbot.core.model import AuditEvent, EventPage
from auditbot.core.ports import SortOrder
from auditbot.services.ingest import Ingestor
from auditbot.store import Database
from auditbot.store.executor import insert_or_ignore
from auditbot.store.ingest_store import SqlIngestStore
from auditbot.store.mirror import _row
from auditbot.store.schema import events
from bench.result import Log, Result, per_second, quiet
from tests.ingest.helpers import make_client, make_sandbox
from tests.store.conftest import postgres_available, postgres_schema

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAYS = 30
PAGE_LIMIT = 500
ROUNDS = 3
QUICK_DAYS = 2
QUICK_ROUNDS = 1
POSTGRES_TARGET = 2.0
"""Ingest into PostgreSQL should cost at most twice a raw insert of the same rows."""
NO_POSTGRES = "no PostgreSQL answering at 127.0.0.1:5432"


class PrefetchedStream:
    """A ``StreamSource`` serving pages fetched beforehand; the cursor is the next page's number."""

    def __init__(self, pages: list[list[AuditEvent]]) -> None:
        self._pages = pages

    def poll_events(
        self,
        *,
        cursor: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        sort_order: SortOrder | None = None,
        max_wait: float | None = None,
    ) -> EventPage:
        number = int(cursor or 0)
        if number >= len(self._pages):
            return EventPage.model_validate({"data": [], "meta": {}})
        page = EventPage.model_validate({"data": [], "meta": {"next": str(number + 1)}})
        return page.model_copy(update={"data": self._pages[number]})


def fetch_pages(days: int = DAYS) -> list[list[AuditEvent]]:
    clock = ManualClock(ANCHOR)
    api = make_sandbox(clock, days=days)
    client = make_client(api, clock)
    pages = client.iter_stream_pages(start=ANCHOR - timedelta(days=days + 1), limit=PAGE_LIMIT)
    return [page.data for page in pages]


def ingest_seconds(db: Database, pages: list[list[AuditEvent]]) -> float:
    clock = ManualClock(ANCHOR)
    worker = Ingestor(
        PrefetchedStream(pages),
        SqlIngestStore(db, clock),
        clock,
        org_id="bench-org",
        owner="bench",
        backfill=timedelta(days=DAYS + 1),
        page_limit=PAGE_LIMIT,
    )
    started = time.perf_counter()
    report = worker.run_once()
    elapsed = time.perf_counter() - started
    assert report.error is None and report.events_new == sum(len(p) for p in pages), report
    return elapsed


def raw_seconds(db: Database, pages: list[list[AuditEvent]]) -> float:
    now = datetime.now(UTC)
    batches: list[list[dict[str, Any]]] = [[_row("bench-org", event, now) for event in page] for page in pages]
    started = time.perf_counter()
    for batch in batches:
        with db.begin() as conn:
            conn.execute(insert_or_ignore(conn, events, [events.c.org_id, events.c.id]), batch)
    return time.perf_counter() - started


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as scratch:
        yield f"sqlite:///{Path(scratch) / 'bench.db'}"


def best(
    fresh: Callable[[], AbstractContextManager[str]], run: Callable[[Database], float], rounds: int = ROUNDS
) -> float:
    times = []
    for _ in range(rounds):
        with fresh() as url, Database(url) as db:
            db.migrate()
            times.append(run(db))
    return min(times)


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    days, rounds = (QUICK_DAYS, QUICK_ROUNDS) if quick else (DAYS, ROUNDS)
    pages = fetch_pages(days)
    count = sum(len(page) for page in pages)
    log(f"{count} events in {len(pages)} pages of up to {PAGE_LIMIT} (HTTP excluded); best of {rounds}")
    what = f"`ingest`: {count:,} events from pre-fetched pages into the mirror (HTTP excluded), {{}}"
    backends: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [("SQLite", sqlite_url)]
    results: list[Result] = []
    if postgres_available():
        backends.append(("PostgreSQL", postgres_schema))
    for name, fresh in backends:
        ingest = best(fresh, lambda db: ingest_seconds(db, pages), rounds)
        raw = best(fresh, lambda db: raw_seconds(db, pages), rounds)
        rate, raw_rate = count / ingest, count / raw
        log(
            f"{name:>10}: ingest {rate:>8,.0f} events/s, raw insert {raw_rate:>8,.0f} events/s, "
            f"ratio {rate / raw_rate:.2f}"
        )
        results.append(
            Result(
                what.format(name),
                f"{per_second(count, ingest)} events/s",
                f"a plain `INSERT … ON CONFLICT DO NOTHING` of the same rows, a transaction a page: "
                f"{per_second(count, raw)} events/s",
                ingest / raw,
                target=POSTGRES_TARGET if name == "PostgreSQL" else None,
            )
        )
    if len(backends) == 1:
        log(f"PostgreSQL: skipped ({NO_POSTGRES})")
        results.append(Result.skip(what.format("PostgreSQL"), NO_POSTGRES))
    return results


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
