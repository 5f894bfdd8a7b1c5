"""A results page's summary from the mirror (total, busiest actors and addresses) against counting in Python.

The same 100,000 mirrored events as the handoff benchmark, in one 30-day window. "SQL" is
``MirrorSummary.counts`` on a fresh instance (nothing kept), for every event of the window and for one
action; the baseline reads the same result from the mirror page by page (``EventMirror.window``, pages
of 1,000) and counts it with ``core.summary.count_events`` (once: it takes seconds). Both must agree.
"Kept" is the summary a later page of the same result gets (the counts kept while the stream cursor is
unchanged), against reading that page itself (``EventMirror.window``, 11 rows). The SQL and kept
figures are medians of 3 runs, all after ``ANALYZE``. PostgreSQL runs only when a server answers at
127.0.0.1:5432 (in a schema of its own).

Run: python -m bench.bench_summary
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial

from auditbot.core.match import Criteria
from auditbot.core.model import AuditEvent
from auditbot.core.query import Query
from auditbot.core.summary import ResultCounts, count_events
from auditbot.store import Database, EventMirror
from auditbot.store.mirror_summary import MirrorSummary
from bench.bench_handoff import END, EVENTS, NO_POSTGRES, ORG, QUICK_EVENTS, START, fill, mirrored_rows, sqlite_url
from bench.result import Log, Result, format_ratio, milliseconds, quiet
from tests.store.conftest import postgres_available, postgres_schema

RUNS = 3
MIRROR_PAGE = 1_000
RESULT_PAGE = 11
CRITERIA = {
    "every event": Criteria(Query(), frozenset(), frozenset()),
    "one action": Criteria(Query(actions=("user_login",)), frozenset({"user_login"}), frozenset()),
}


def median_seconds(work: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def counted_afresh(db: Database, criteria: Criteria) -> ResultCounts | None:
    return MirrorSummary(db).counts(ORG, START, END, criteria)


def in_python(db: Database, criteria: Criteria) -> ResultCounts:
    mirror = EventMirror(db)
    found: list[AuditEvent] = []
    before = None
    while True:
        page = mirror.window(ORG, START, END, limit=MIRROR_PAGE, before=before)
        found.extend(e for e in page if criteria.matches(e))
        if len(page) < MIRROR_PAGE:
            return count_events(found)
        before = (page[-1].time, page[-1].id)


def ranked(counts: ResultCounts | None) -> tuple[int, list[tuple[str, int]], list[tuple[str, int]]]:
    assert counts is not None
    return counts.total, [(t.key, t.count) for t in counts.actors], [(t.key, t.count) for t in counts.ips]


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    count = QUICK_EVENTS if quick else EVENTS
    rows, _ = mirrored_rows(count)
    backends: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [("SQLite", sqlite_url)]
    if postgres_available():
        backends.append(("PostgreSQL", postgres_schema))
    results: list[Result] = []
    for name, fresh in backends:
        with fresh() as url, Database(url) as db:
            db.migrate()
            fill(db, rows)
            with db.begin() as conn:
                conn.exec_driver_sql("ANALYZE" if db.dialect == "sqlite" else "ANALYZE events")
            for what, criteria in CRITERIA.items():
                sql_s = median_seconds(partial(counted_afresh, db, criteria))
                started = time.perf_counter()
                reference = in_python(db, criteria)
                python_s = time.perf_counter() - started
                assert ranked(MirrorSummary(db).counts(ORG, START, END, criteria)) == ranked(reference)
                log(f"{name:>10} {what:>12}: SQL {sql_s * 1e3:8.1f} ms  Python {python_s * 1e3:8.1f} ms")
                results.append(
                    Result(
                        f"`summary`: a result's total and busiest actors and IPs, {what} of {count:,} "
                        f"mirrored events, {name}",
                        f"SQL (one GROUP BY): {milliseconds(sql_s)}",
                        f"reading the result from the mirror and counting it in Python: {milliseconds(python_s)}",
                        sql_s / python_s,
                    )
                )
            kept = MirrorSummary(db)
            kept.counts(ORG, START, END, CRITERIA["every event"])
            kept_s = median_seconds(partial(kept.counts, ORG, START, END, CRITERIA["every event"]))
            page_s = median_seconds(lambda: EventMirror(db).window(ORG, START, END, limit=RESULT_PAGE))
            log(f"{name:>10} kept summary {kept_s * 1e3:.2f} ms, one page {page_s * 1e3:.2f} ms")
            results.append(
                Result(
                    f"`summary`: the same summary on a later page of the result (kept), {name}",
                    f"kept: {milliseconds(kept_s)} ({format_ratio(kept_s / page_s)} the page read)",
                    f"reading that page's {RESULT_PAGE - 1} events from the mirror: {milliseconds(page_s)}",
                    kept_s / page_s,
                )
            )
    if len(backends) == 1:
        results.append(Result.skip("`summary`: PostgreSQL", NO_POSTGRES))
    return results


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
