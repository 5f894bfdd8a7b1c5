"""A search served from the mirror against the same search over the sandbox API, in process.

Three days of the seeded sandbox org are copied into a SQLite mirror the way ingest stores them;
then each query is walked through all its pages, 25 events a page, both ways: live (the Admin API,
here the sandbox over an in-process HTTP transport) and from the mirror, the same queries and page
size. Each walk is run once to warm up, then ``ROUNDS`` times, and its best time counts (both ways
alike). Printed: pages, ``/events`` calls and wall time for each, and the ratio. Every pair must list
the same events.

Run: python -m bench.bench_mirror
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from auditbot.core.clock import ManualClock
from auditbot.sandbox import GeneratedOrg
from auditbot.services.search import ResultPage, SearchService
from auditbot.store import Database
from auditbot.store.cursors import StreamCursors
from auditbot.store.leases import Leases
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource
from bench.result import Log, Result, milliseconds, quiet
from tests.services.world import ANCHOR, MIRRORED_DAYS, UTC_ZONE, World, fill_mirror

QUERIES = (
    "last:2d",
    "action:user_login last:2d",
    'group:"Group management" -actor:atlassian-internal-system last:2d',
    "ip:198.51.100.0/24 last:2d",
    "product:jira -ip:203.0.113.0/24 last:2d",
)
QUICK_QUERIES = QUERIES[1:3]
PAGE_SIZE = 25
ROUNDS = 5
QUICK_ROUNDS = 1
API_CALLS_PER_MINUTE = 10


def walk(search: SearchService, text: str) -> list[ResultPage]:
    pages = [search.search(text, tz=UTC_ZONE)]
    while (value := pages[-1].next_state) is not None:
        pages.append(search.open_page(value))
    return pages


def timed(search: SearchService, world: World, text: str) -> tuple[list[str], int, int, float]:
    """Event ids, pages, API requests and seconds for one walk (the page cache emptied first)."""
    search._pages.clear()
    requests = world.client.stats.requests
    started = time.perf_counter()
    pages = walk(search, text)
    seconds = time.perf_counter() - started
    return [f.event.id for p in pages for f in p.events], len(pages), world.client.stats.requests - requests, seconds


def best_of(search: SearchService, world: World, text: str, rounds: int) -> tuple[list[str], int, int, float]:
    """``timed`` after a warm-up walk, its best time of ``rounds`` walks (each walk lists the same events)."""
    first = timed(search, world, text)
    walks = [timed(search, world, text) for _ in range(rounds)]
    assert all(w[:3] == first[:3] for w in walks), f"{text}: walks differ"
    return (*first[:3], min(w[3] for w in walks))


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    queries, rounds = (QUICK_QUERIES, QUICK_ROUNDS) if quick else (QUERIES, ROUNDS)
    org = GeneratedOrg(7, anchor=ANCHOR, days=30)
    with tempfile.TemporaryDirectory() as folder, Database(f"sqlite:///{Path(folder) / 'bench.db'}") as db:
        db.migrate()
        fill_mirror(db, org)
        cover(db, org.org_id, ANCHOR - timedelta(days=MIRRORED_DAYS))
        world = World(org)
        world.catalog.snapshot()
        source = MirrorSearchSource(db, EventMirror(db), StreamCursors(db))
        mirrored = SearchService(
            world.client, world.catalog, world.codec, world.clock, page_size=PAGE_SIZE, mirror=source, org_id=org.org_id
        )
        log(f"{'query':<62} {'pages':>5} {'live calls':>10} {'live ms':>8} {'mirror calls':>12} {'mirror ms':>9}")
        calls = [0, 0]
        seconds = [0.0, 0.0]
        for text in queries:
            live_ids, pages, live_calls, live_s = best_of(world.search, world, text, rounds)
            mirror_ids, _, mirror_calls, mirror_s = best_of(mirrored, world, text, rounds)
            assert live_ids == mirror_ids, f"{text}: the mirror and the API disagree"
            live_ms, mirror_ms = live_s * 1000, mirror_s * 1000
            log(f"{text:<62} {pages:>5} {live_calls:>10} {live_ms:>8.1f} {mirror_calls:>12} {mirror_ms:>9.1f}")
            calls = [calls[0] + live_calls, calls[1] + mirror_calls]
            seconds = [seconds[0] + live_s, seconds[1] + mirror_s]
    (live_calls, mirror_calls), (live_s, mirror_s) = calls, seconds
    minutes = -(-live_calls // API_CALLS_PER_MINUTE)
    log(
        f"total: live {live_calls} /events calls in {live_s * 1000:.0f} ms; "
        f"mirror {mirror_calls} calls in {mirror_s * 1000:.0f} ms (live/mirror time ratio {live_s / mirror_s:.2f})"
    )
    log(f"At the Admin API's {API_CALLS_PER_MINUTE} /events calls a minute, the live walks need {minutes} minutes.")
    return [
        Result(
            f"`mirror`: {len(queries)} searches walked through all their pages, sandbox in process",
            f"from the mirror: {mirror_calls} API calls, {milliseconds(mirror_s)}",
            f"live: {live_calls} `/events` calls ({minutes} minute{'' if minutes == 1 else 's'} of the "
            f"{API_CALLS_PER_MINUTE}/min budget), "
            f"{milliseconds(live_s)} without network latency",
            mirror_calls / live_calls,
            of="API calls",
        ),
        Result(
            f"`mirror`: the same {len(queries)} searches walked through all their pages ({PAGE_SIZE} a page), "
            f"wall time, best of {rounds} warm walks each",
            f"from the mirror: {milliseconds(mirror_s)}",
            f"live from the sandbox in process, same queries and pages: {milliseconds(live_s)}",
            mirror_s / live_s,
            target=1.0,
        ),
    ]


def cover(db: Database, org_id: str, covered_from: datetime) -> None:
    """Record where the mirror's coverage starts, as ingest does when its backfill begins."""
    clock = ManualClock(ANCHOR + timedelta(minutes=5))  # after the filling lease ran out
    lease = Leases(db, clock).acquire(f"ingest:{org_id}", "bench", 60)
    assert lease is not None
    with db.begin() as conn:
        StreamCursors(db, clock=clock).cover(conn, org_id, covered_from, lease)


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
