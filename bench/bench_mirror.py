"""A search served from the mirror against the same search over the sandbox API, in process.

Three days of the seeded sandbox org are copied into a SQLite mirror the way ingest stores them;
then each query is walked through all its pages twice: live (the Admin API, here the sandbox over
an in-process HTTP transport) and from the mirror. Printed: pages, ``/events`` calls and wall time
for each, and the ratio. Every pair must list the same events.

Run: python -m bench.bench_mirror
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from auditbot.sandbox import GeneratedOrg
from auditbot.services.search import ResultPage, SearchService
from auditbot.store import Database
from auditbot.store.cursors import StreamCursors
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource
from bench.result import Log, Result, milliseconds, quiet
from tests.services.world import ANCHOR, UTC_ZONE, World, fill_mirror

QUERIES = (
    "last:2d",
    "action:user_login last:2d",
    'group:"Group management" -actor:atlassian-internal-system last:2d',
    "ip:198.51.100.0/24 last:2d",
    "product:jira -ip:203.0.113.0/24 last:2d",
)
QUICK_QUERIES = QUERIES[1:3]
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


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    queries = QUICK_QUERIES if quick else QUERIES
    org = GeneratedOrg(7, anchor=ANCHOR, days=30)
    with tempfile.TemporaryDirectory() as folder, Database(f"sqlite:///{Path(folder) / 'bench.db'}") as db:
        db.migrate()
        fill_mirror(db, org)
        world = World(org)
        world.catalog.snapshot()
        source = MirrorSearchSource(db, EventMirror(db), StreamCursors(db))
        mirrored = SearchService(
            world.client, world.catalog, world.codec, world.clock, page_size=25, mirror=source, org_id=org.org_id
        )
        log(f"{'query':<62} {'pages':>5} {'live calls':>10} {'live ms':>8} {'mirror calls':>12} {'mirror ms':>9}")
        calls = [0, 0]
        seconds = [0.0, 0.0]
        for text in queries:
            live_ids, pages, live_calls, live_s = timed(world.search, world, text)
            mirror_ids, _, mirror_calls, mirror_s = timed(mirrored, world, text)
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
            f"`mirror`: the same {len(queries)} searches, wall time",
            f"from the mirror: {milliseconds(mirror_s)}",
            f"live from the sandbox in process: {milliseconds(live_s)}",
            mirror_s / live_s,
            target=1.0,
        ),
    ]


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
