"""A day in a quiet org: how much of it the mirror answers, and what reaches the Admin API.

A sandbox org with sparse activity (``activity=QUIET``: an event every few minutes in working hours,
hours without one at night) is followed by ingest every 30 seconds on a fast clock (``ManualClock``),
after a 7-day backfill. Over one day (midnight to midnight UTC) people run typical searches at
random moments of their working hours (a seeded mix of the quick queries, actors, addresses and
groups, a few with free text), and three handoffs at the shift changes. Everything runs in
process: the sandbox over an httpx transport, the mirror in SQLite.

Printed: the searches and handoffs answered from the mirror, and the ``/events`` calls they cost
(the searches with free text go live by design, so they are counted apart). Goals: at least 99%
from the mirror, at most one ``/events`` call per 100 searches without free text.

Run: python -m bench.bench_quiet_day
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from pydantic import SecretStr

from auditbot.atlassian import AdminApiClient, RequestBudget
from auditbot.core.clock import ManualClock
from auditbot.core.paging import PageStateCodec
from auditbot.sandbox import DEFAULT_API_KEY, GeneratedOrg, RateLimits, SandboxApi
from auditbot.services.catalog import ActionCatalog
from auditbot.services.handoff import HandoffService
from auditbot.services.ingest import Ingestor
from auditbot.services.search import SearchService
from auditbot.store import Database
from auditbot.store.cursors import StreamCursors
from auditbot.store.handoff_counts import HandoffCounts
from auditbot.store.ingest_store import SqlIngestStore
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource
from bench.result import Log, Result, quiet

DAY = datetime(2026, 11, 25, tzinfo=UTC)
"""A Wednesday: the replayed day starts at its midnight."""
QUIET = 0.3
"""The sandbox's activity knob: about 120 events a weekday, none for hours at night."""
BACKFILL = timedelta(days=7)
INGEST_EVERY = timedelta(seconds=30)
FRESHNESS = timedelta(seconds=120)
SEARCHES = 300
QUICK_SEARCHES = 60
HANDOFF_HOURS = (1, 9, 17)
UTC_ZONE = ZoneInfo("UTC")
QUERIES = (
    "last:1h",
    "last:24h",
    "action:user_login last:24h",
    "action:user_login_failed last:7d",
    'group:"Group management" last:7d',
    "-actor:atlassian-internal-system last:12h",
    "ip:203.0.113.0/24 last:3d",
    "product:jira last:1d",
    "action:added_org_admin,removed_org_admin last:7d",
    'location:"Australia" last:2d',
)
FREE_TEXT = ('"password" last:1d',)
FREE_TEXT_SHARE = 0.05
GENEROUS = {"events": 100_000, "event": 100_000, "event-actions": 100_000, "events-stream": 100_000}


class CountingTransport(httpx.BaseTransport):
    """The sandbox's transport, counting ``/events`` requests (searches' calls, not the stream's)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner
        self.events_calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/events"):
            self.events_calls += 1
        return self._inner.handle_request(request)


@dataclass
class Tally:
    searches: int = 0
    from_mirror: int = 0
    calls: int = 0
    text_searches: int = 0
    text_calls: int = 0
    handoffs: int = 0
    handoffs_from_mirror: int = 0
    live_queries: list[str] = field(default_factory=list)


def schedule(count: int, rng: random.Random) -> list[tuple[datetime, str]]:
    """``count`` searches at random moments of the day, most in working hours (07:00-19:00 UTC)."""
    planned = []
    for _ in range(count):
        hour = rng.uniform(7, 19) if rng.random() < 0.85 else rng.uniform(0, 24)
        text = rng.choice(FREE_TEXT) if rng.random() < FREE_TEXT_SHARE else rng.choice(QUERIES)
        planned.append((DAY + timedelta(hours=hour), text))
    return sorted(planned)


def replay(count: int, log: Log) -> tuple[Tally, int]:
    org = GeneratedOrg(11, anchor=DAY, days=int(BACKFILL.days) + 1, activity=QUIET)
    clock = ManualClock(DAY)
    sandbox = SandboxApi(org, org_id=org.org_id, clock=clock, limits=RateLimits.of(100_000, 100_000))
    transport = CountingTransport(sandbox.transport())
    client = AdminApiClient.create(
        org_id=org.org_id,
        api_key=SecretStr(DEFAULT_API_KEY),
        base_url="http://sandbox.test/admin",
        transport=transport,
        clock=clock,
        budget=RequestBudget(clock, GENEROUS),
    )
    tally = Tally()
    with tempfile.TemporaryDirectory() as folder, Database(f"sqlite:///{Path(folder) / 'quiet.db'}") as db:
        db.migrate()
        ingest = Ingestor(client, SqlIngestStore(db, clock), clock, org_id=org.org_id, owner="bench", backfill=BACKFILL)
        ingest.run_once()
        catalog = ActionCatalog(client, org_id=org.org_id, clock=clock, max_wait=None)
        source = MirrorSearchSource(db, EventMirror(db, clock=clock), StreamCursors(db, clock=clock))
        search = SearchService(
            client,
            catalog,
            PageStateCodec(b"bench-secret-0123456789", org.org_id),
            clock,
            page_size=10,
            mirror=source,
            org_id=org.org_id,
            freshness=FRESHNESS,
        )
        handoff = HandoffService(
            client, catalog, clock, org_id=org.org_id, digest=HandoffCounts(db), mirror=source, freshness=FRESHNESS
        )
        catalog.snapshot()
        planned = schedule(count, random.Random(20261125))
        handoffs = [DAY + timedelta(hours=h) for h in HANDOFF_HOURS]
        end = DAY + timedelta(days=1)
        events_seen = 0
        while clock.now() < end:
            events_seen += ingest.run_once().events_new
            step_end = clock.now() + INGEST_EVERY
            while planned and planned[0][0] < step_end:
                at, text = planned.pop(0)
                clock.advance(max(0.0, (at - clock.now()).total_seconds()))
                before = transport.events_calls
                page = search.search(text, tz=UTC_ZONE)
                calls = transport.events_calls - before
                if text in FREE_TEXT:
                    tally.text_searches += 1
                    tally.text_calls += calls
                    continue
                tally.searches += 1
                tally.calls += calls
                if page.source == "mirror":
                    tally.from_mirror += 1
                else:
                    tally.live_queries.append(f"{at:%H:%M} {text}")
            while handoffs and handoffs[0] < step_end:
                clock.advance(max(0.0, (handoffs.pop(0) - clock.now()).total_seconds()))
                tally.handoffs += 1
                tally.handoffs_from_mirror += handoff.handoff("12h", tz=UTC_ZONE).source == "mirror"
            clock.advance(max(0.0, (step_end - clock.now()).total_seconds()))
    log(f"{events_seen} events arrived during the day ({org.org_id})")
    return tally, events_seen


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    tally, arrived = replay(QUICK_SEARCHES if quick else SEARCHES, log)
    share = tally.from_mirror / max(1, tally.searches)
    per_100 = 100 * tally.calls / max(1, tally.searches)
    log(
        f"searches without free text: {tally.searches}, from the mirror {tally.from_mirror} ({share:.1%}), "
        f"/events calls {tally.calls} ({per_100:.2f} per 100)"
    )
    log(f"searches with free text (live by design): {tally.text_searches}, /events calls {tally.text_calls}")
    log(f"handoffs: {tally.handoffs}, from the mirror {tally.handoffs_from_mirror}")
    for line in tally.live_queries:
        log(f"  went live: {line}")
    what = f"`quiet-org day`: a day of a quiet org ({arrived} new events), ingest every 30 s"
    return [
        Result(
            f"{what}: {tally.searches} searches without free text",
            f"from the mirror: {tally.from_mirror} of {tally.searches} ({share:.1%})",
            "goal: at least 99% from the mirror",
            (tally.searches - tally.from_mirror) / max(1, tally.searches),
            of="share sent live",
            target=0.01,
        ),
        Result(
            f"{what}: `/events` calls for those searches",
            f"{tally.calls} calls ({per_100:.2f} per 100 searches)",
            "goal: at most 1 per 100 searches",
            tally.calls / max(1, tally.searches),
            of="calls per search",
            target=0.01,
        ),
        Result(
            f"{what}: handoffs at {', '.join(f'{h:02d}:00' for h in HANDOFF_HOURS)}",
            f"from the mirror: {tally.handoffs_from_mirror} of {tally.handoffs}",
            f"free text searches, live by design: {tally.text_searches} ({tally.text_calls} calls)",
        ),
    ]


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
