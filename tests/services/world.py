"""A search stack over the seeded sandbox, in process: sandbox -> httpx transport -> client -> catalog -> search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from auditbot.atlassian import AdminApiClient, RequestBudget
from auditbot.core.clock import ManualClock
from auditbot.core.model import AuditEvent
from auditbot.core.paging import PageStateCodec
from auditbot.core.ports import EventFilters
from auditbot.sandbox import DEFAULT_API_KEY, GeneratedOrg, RateLimits, SandboxApi
from auditbot.services.catalog import ActionCatalog
from auditbot.services.search import ResultPage, SearchService
from auditbot.store import Database
from auditbot.store.cursors import StreamCursors
from auditbot.store.leases import Leases
from auditbot.store.mirror import EventMirror

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")
GENEROUS = {"events": 100_000, "event": 100_000, "event-actions": 100_000, "events-stream": 100_000}


class World:
    def __init__(self, org: GeneratedOrg, *, per_minute: int | None = None, page_size: int = 25) -> None:
        self.clock = ManualClock(ANCHOR)
        limits = RateLimits.of(per_minute, per_minute) if per_minute else RateLimits.of(100_000, 100_000)
        self.sandbox = SandboxApi(org, org_id=org.org_id, clock=self.clock, limits=limits)
        self.client = AdminApiClient.create(
            org_id=org.org_id,
            api_key=SecretStr(DEFAULT_API_KEY),
            base_url="http://sandbox.test/admin",
            transport=self.sandbox.transport(),
            clock=self.clock,
            budget=RequestBudget(self.clock, {**GENEROUS, "events": per_minute} if per_minute else GENEROUS),
        )
        self.catalog = ActionCatalog(self.client, org_id=org.org_id, clock=self.clock, max_wait=None)
        self.codec = codec = PageStateCodec(b"test-secret-0123456789", org.org_id)
        self.search = SearchService(self.client, self.catalog, codec, self.clock, page_size=page_size)

    def everything(self, days: int = 2) -> list[AuditEvent]:
        start = ANCHOR - timedelta(days=days)
        return list(self.client.iter_events(EventFilters(start=start, end=ANCHOR)))

    def walk(self, text: str) -> tuple[list[AuditEvent], list[ResultPage]]:
        pages = [self.search.search(text, tz=UTC_ZONE)]
        while (value := pages[-1].next_state) is not None:
            pages.append(self.search.open_page(value))
        return [f.event for p in pages for f in p.events], pages


MIRRORED_DAYS = 3


def fill_mirror(db: Database, org: GeneratedOrg, *, days: int = MIRRORED_DAYS) -> None:
    """Copy ``days`` of the org's stream into the mirror and commit a cursor, as ingest does."""
    world = World(org)
    clock = ManualClock(ANCHOR)
    mirror, cursors = EventMirror(db, clock=clock), StreamCursors(db, clock=clock)
    lease = Leases(db, clock).acquire(f"ingest:{org.org_id}", "test", 60)
    assert lease is not None
    for page in world.client.iter_stream_pages(start=ANCHOR - timedelta(days=days)):
        if not page.data:
            continue
        newest = max(e.processed_at for e in page.data if e.processed_at)
        with db.begin() as conn:
            mirror.upsert(conn, org.org_id, page.data)
            cursors.advance(conn, org.org_id, page.next_cursor, newest, lease)
    with db.begin() as conn:
        cursors.finish_pass(conn, org.org_id, lease, read_to_end_at=ANCHOR, failure=None)
