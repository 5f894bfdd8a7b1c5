"""The handoff digest's numbers from the mirror in SQL against the same numbers tallied in Python.

The seeded sandbox org's last 30 days are repeated, each copy with fresh event ids and shifted a few
seconds, into 100,000 events in one window; the 30 days before it are mirrored once, as the baseline
that says what is new. "SQL" is ``HandoffCounts.aggregate`` over the window with that baseline; "tally"
is what a caller does without it: ``HandoffCounts.seen`` for the baseline, then ``EventTally`` over the
window read from the mirror page by page (``EventMirror.window``, newest first). Both must give the
same ``Aggregates``.

Each is run once, in a fresh process of its own over the filled database: wall time, and how much
the process's peak resident memory grows during the run (so the database's and the driver's buffers
count too). Ratios are SQL / tally. The live line is what the same digest costs from the Admin API:
``/events`` pages of 500 at 10 calls a minute. PostgreSQL runs only when a server answers at
127.0.0.1:5432 (in a schema of its own).

Run: python -m bench.bench_handoff
"""

from __future__ import annotations

import pickle
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditbot.core.handoff import Aggregates, EventTally
from auditbot.core.model import AuditEvent
from auditbot.sandbox import GeneratedOrg
from auditbot.store import Database, EventMirror
from auditbot.store.executor import insert_or_ignore
from auditbot.store.handoff_counts import HandoffCounts
from auditbot.store.mirror import _row
from auditbot.store.schema import events
from bench.result import Log, Result, format_ratio, milliseconds, quiet
from tests.store.conftest import postgres_available, postgres_schema

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ORG = "bench-org"
EVENTS = 100_000
QUICK_EVENTS = 5_000
NO_POSTGRES = "no PostgreSQL answering at 127.0.0.1:5432"
DAYS = 30
START = ANCHOR - timedelta(days=DAYS)
END = ANCHOR + timedelta(hours=2)
BASELINE_START = START - timedelta(days=DAYS)
MIRROR_PAGE = 1_000
INSERT_BATCH = 5_000
API_PAGE = 500
API_CALLS_PER_MINUTE = 10
GOAL_SECONDS = 0.25
"""The handoff of 100,000 mirrored events should take at most this long on either dialect."""
NAMESPACE = uuid.UUID("6f1c2d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f")


def mirrored_rows(count: int = EVENTS) -> tuple[list[dict[str, Any]], int]:
    """The ``events`` rows to mirror (the baseline's events once, the window's repeated to ``count``
    with fresh ids, each copy 7 seconds after the one before), and how many are the baseline's."""
    org = GeneratedOrg(7, anchor=ANCHOR, days=2 * DAYS)
    first = int(org.window_start.timestamp()) // 3600
    last = int(ANCHOR.timestamp()) // 3600
    made = [AuditEvent.model_validate(raw) for hour in range(first, last + 1) for raw in org.hour_events(hour)]
    baseline = [e for e in made if e.time < START]
    window = [e for e in made if e.time >= START]
    copies = [copied(window[n % len(window)], n // len(window)) for n in range(count)]
    now = datetime.now(UTC)
    return [_row(ORG, event, now) for event in (*baseline, *copies)], len(baseline)


def copied(event: AuditEvent, copy: int) -> AuditEvent:
    if copy == 0:
        return event
    shift = timedelta(seconds=7 * copy)
    update: dict[str, datetime] = {"time": event.attributes.time + shift}
    if event.attributes.processed_at is not None:
        update["processed_at"] = event.attributes.processed_at + shift
    attributes = event.attributes.model_copy(update=update)
    fresh = str(uuid.uuid5(NAMESPACE, f"{event.id}:{copy}"))
    return event.model_copy(update={"id": fresh, "attributes": attributes})


def fill(db: Database, rows: list[dict[str, Any]]) -> None:
    for first in range(0, len(rows), INSERT_BATCH):
        with db.begin() as conn:
            conn.execute(
                insert_or_ignore(conn, events, [events.c.org_id, events.c.id]), rows[first : first + INSERT_BATCH]
            )
    settle(db)


def settle(db: Database) -> None:
    """What a database that has been running a while has: statistics, and on PostgreSQL a visibility map
    (autovacuum's work after inserts), without which an index-only scan still visits every row."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE events" if db.dialect == "postgresql" else "ANALYZE")


def in_sql(db: Database) -> Aggregates:
    return HandoffCounts(db).aggregate(ORG, START, END, baseline_start=BASELINE_START)


def tallied(db: Database) -> Aggregates:
    mirror = EventMirror(db)
    tally = EventTally(seen=HandoffCounts(db).seen(ORG, BASELINE_START, START))
    before: tuple[datetime, str] | None = None
    while True:
        page = mirror.window(ORG, START, END, limit=MIRROR_PAGE, before=before)
        tally.add(page)
        if len(page) < MIRROR_PAGE:
            return tally.result()
        before = (page[-1].time, page[-1].id)


WAYS: dict[str, Callable[[Database], Aggregates]] = {"sql": in_sql, "tally": tallied}


def peak_mib() -> float:
    """This process's peak resident memory: ``VmHWM`` on Linux (``ru_maxrss`` keeps the high-water
    mark of the process that forked it across ``exec``), ``ru_maxrss`` elsewhere."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**10
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def measure(way: str, url: str) -> None:
    """Run one way once in this process; write (seconds, peak growth in MiB, result) to stdout, pickled."""
    with Database(url) as db:
        HandoffCounts(db).oldest(ORG)  # connect before measuring
        before = peak_mib()
        started = time.perf_counter()
        result = WAYS[way](db)
        seconds = time.perf_counter() - started
        grown = peak_mib() - before
    sys.stdout.buffer.write(pickle.dumps((seconds, grown, result)))


def measured(way: str, url: str) -> tuple[float, float, Aggregates]:
    command = [sys.executable, "-m", "bench.bench_handoff", "--measure", way, url]
    done = subprocess.run(command, check=True, capture_output=True, cwd=Path(__file__).parent.parent)
    seconds, grown, result = pickle.loads(done.stdout)
    return float(seconds), float(grown), result


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as scratch:
        yield f"sqlite:///{Path(scratch) / 'bench.db'}"


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    count = QUICK_EVENTS if quick else EVENTS
    rows, in_baseline = mirrored_rows(count)
    calls = -(-count // API_PAGE)
    minutes = calls / API_CALLS_PER_MINUTE
    log(f"{count:,} events in a {DAYS}-day window, {in_baseline:,} in the {DAYS}-day baseline before it")
    log(
        f"live: {calls} /events calls of {API_PAGE} events = {minutes:.0f} minutes "
        f"at {API_CALLS_PER_MINUTE} calls a minute, and nothing known to be new (no baseline)"
    )
    what = f"`handoff`: a handoff digest over {count:,} mirrored events ({DAYS}-day window, {DAYS}-day baseline), {{}}"
    backends: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [("SQLite", sqlite_url)]
    if postgres_available():
        backends.append(("PostgreSQL", postgres_schema))
    log(f"{'':>10}  {'SQL s':>6} {'tally s':>7} {'ratio':>6}   {'SQL MiB':>7} {'tally MiB':>9} {'ratio':>6}")
    results: list[Result] = []
    mirror_seconds = 0.0
    for name, fresh in backends:
        with fresh() as url:
            with Database(url) as db:
                db.migrate()
                fill(db, rows)
            sql_s, sql_mib, sql = measured("sql", url)
            tally_s, tally_mib, tally = measured("tally", url)
        assert sql == tally, f"{name}: SQL and the tally disagree"
        assert sql.total == count, sql.total
        memory = sql_mib / max(tally_mib, 0.1)
        log(
            f"{name:>10}  {sql_s:>6.2f} {tally_s:>7.2f} {sql_s / tally_s:>6.3f}   "
            f"{sql_mib:>7.1f} {tally_mib:>9.1f} {memory:>6.3f}"
        )
        results.append(
            Result(
                what.format(name),
                f"SQL GROUP BYs: {milliseconds(sql_s)}, peak memory +{sql_mib:.1f} MiB "
                f"({format_ratio(memory)} the tally's)",
                f"counting the same rows in Python, read page by page from the mirror: {milliseconds(tally_s)}, "
                f"+{tally_mib:.1f} MiB",
                sql_s / tally_s,
            )
        )
        results.append(
            Result(
                what.format(name) + ", against its goal",
                f"SQL GROUP BYs: {milliseconds(sql_s)}",
                f"the goal: {milliseconds(GOAL_SECONDS)}",
                sql_s / GOAL_SECONDS,
                target=1.0,
            )
        )
        mirror_seconds = mirror_seconds or sql_s
    if len(backends) == 1:
        log(f"PostgreSQL: skipped ({NO_POSTGRES})")
        results.append(Result.skip(what.format("PostgreSQL"), NO_POSTGRES))
    live = Result(
        "`handoff`: the same digest from the SQLite mirror against the Admin API",
        f"from the mirror: 0 API calls, {milliseconds(mirror_seconds)}",
        f"live: {calls} `/events` calls of {API_PAGE}, {minutes:.0f} minute{'' if minutes == 1 else 's'} "
        f"at {API_CALLS_PER_MINUTE} a minute, "
        "and no baseline to say what is new",
        0 / calls,
        of="API calls",
    )
    return [*results, live]


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2], sys.argv[3])
    else:
        main()
