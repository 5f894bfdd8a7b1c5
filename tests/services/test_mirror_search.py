"""Mirror-backed search over the seeded sandbox: the same query gives the same events from the mirror as live.

A store (a SQLite file, and PostgreSQL when one answers at 127.0.0.1:5432) is filled once per module
with three days of the sandbox org's stream, as ingest would: events upserted and the stream cursor
advanced under the ingest lease in one transaction. Each query is then walked page by page live and
from the mirror, and the two must list exactly the same event ids in the same order.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from auditbot.core.model import AuditEvent
from auditbot.core.paging import PageStateError
from auditbot.services.mirror_source import MirrorSource, decode_key, encode_key
from auditbot.services.search import ResultPage, SearchService
from auditbot.store import Database
from auditbot.store.cursors import StreamCursors
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource
from tests.services.world import ANCHOR, MIRRORED_DAYS, UTC_ZONE, World


@pytest.fixture
def source(store: Database) -> MirrorSearchSource:
    built = MirrorSearchSource(store, EventMirror(store), StreamCursors(store))
    typed: MirrorSource = built  # the store's reader is what search expects (checked by mypy)
    assert typed is built
    return built


def mirrored(
    world: World,
    source: MirrorSource,
    org_id: str,
    *,
    freshness: timedelta = timedelta(minutes=2),
    max_mirror_rows: int = 20_000,
) -> SearchService:
    """A search service like ``world.search`` that may read from ``source``."""
    return SearchService(
        world.client,
        world.catalog,
        world.codec,
        world.clock,
        page_size=25,
        mirror=source,
        org_id=org_id,
        freshness=freshness,
        max_mirror_rows=max_mirror_rows,
    )


def walk(search: SearchService, text: str, tz: ZoneInfo = UTC_ZONE) -> tuple[list[str], list[ResultPage]]:
    pages = [search.search(text, tz=tz)]
    while (value := pages[-1].next_state) is not None:
        pages.append(search.open_page(value))
    return [f.event.id for p in pages for f in p.events], pages


def follow(search: SearchService, value: str | None) -> ResultPage:
    assert value is not None, "there is a page there"
    return search.open_page(value)


def sample(world: World, keep: object) -> AuditEvent:
    return next(e for e in world.everything() if keep(e))  # type: ignore[operator]


QUERIES = [
    "last:2d",
    "last:1h",
    "action:user_login last:2d",
    "action:user_login_failed,user_logged_in_as_user,added_org_admin last:2d",
    'group:"Group management" last:2d',
    '-group:"Authentication" last:2d',
    "-actor:atlassian-internal-system -action:user_login last:2d",
    "ip:198.51.100.0/24 last:2d",
    "ip:192.0.2.12,203.0.113.25 last:2d",
    "-ip:192.0.2.0/24,203.0.113.0/24 last:2d",
    "product:jira last:2d",
    "-product:jira last:2d",
    'location:"Sydney, Australia" last:2d',
    'location:"Australia" last:2d',
    '-location:"Berlin, Germany" last:2d',
    'location:"London, United Kingdom" -action:user_logout -actor:atlassian-internal-system last:2d',
    "product:jira,confluence -actor:atlassian-internal-system -ip:203.0.113.0/24 last:2d",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_mirror_gives_the_same_events_as_the_api_with_no_api_calls(world, org, source, query):
    _, live_pages = world.walk(query)
    search = mirrored(world, source, org.org_id)
    requests = world.client.stats.requests
    found, pages = walk(search, query)
    assert world.client.stats.requests == requests, "mirror pages spend no API call"
    assert [f.event.id for p in live_pages for f in p.events] == found
    assert found, "the query selects something in the seeded org"
    assert {p.source for p in pages} == {"mirror"}
    assert all((p.source_note or "").startswith("from auditbot's copy of the log") for p in pages)
    assert all(p.source == "live" for p in live_pages)


def test_an_actor_by_email_and_an_absolute_window_in_another_zone(world, org, source):
    email = sample(world, lambda e: e.action == "user_login" and e.actor.email).actor.email
    assert email is not None
    search = mirrored(world, source, org.org_id)
    for query, tz in ((f"actor:{email.upper()} last:2d", UTC_ZONE), ("since:2026-11-24 until:2026-11-24", None)):
        zone = tz or ZoneInfo("Australia/Sydney")
        live, _ = walk(world.search, query, zone)
        found, pages = walk(search, query, zone)
        assert live and found == live
        assert pages[0].source == "mirror"


def test_paging_back_and_forth_on_the_mirror(world, org, source):
    search = mirrored(world, source, org.org_id)
    first = search.search("last:2d", tz=UTC_ZONE)
    second = follow(search, first.next_state)
    third = follow(search, second.next_state)
    back = follow(search, third.prev_state)
    again = follow(search, back.prev_state)
    assert [f.event.id for f in back.events] == [f.event.id for f in second.events]
    assert [f.event.id for f in again.events] == [f.event.id for f in first.events]
    assert {p.source for p in (first, second, third, back, again)} == {"mirror"}


def test_a_small_scan_budget_gives_partial_pages_that_still_add_up(world, org, source):
    query = 'location:"Sydney, Australia" -ip:192.0.2.0/24 last:2d'  # read from bodies: no column filters places
    live, _ = walk(world.search, query)
    found, pages = walk(mirrored(world, source, org.org_id, max_mirror_rows=100), query)
    assert found == live
    assert any(p.partial for p in pages)
    assert all(p.scanned <= 100 for p in pages)


def test_a_stale_mirror_sends_the_search_live(world, org, source):
    world.clock.advance(timedelta(minutes=3).total_seconds())
    page = mirrored(world, source, org.org_id).search("action:user_login last:2d", tz=UTC_ZONE)
    assert page.source == "live"
    assert not any("copy of the log" in n for n in page.notes)


def test_the_freshness_limit_is_configurable(world, org, source):
    world.clock.advance(timedelta(minutes=3).total_seconds())
    page = mirrored(world, source, org.org_id, freshness=timedelta(minutes=5)).search("last:1h", tz=UTC_ZONE)
    assert page.source == "mirror"
    assert page.source_note == "from auditbot's copy of the log, up to date"


def test_a_window_older_than_the_mirror_goes_live(world, org, source):
    page = mirrored(world, source, org.org_id).search("last:5d", tz=UTC_ZONE)
    assert page.source == "live"


def test_free_text_always_goes_live(world, org, source):
    live, _ = walk(world.search, '"Logged in as" last:2d')
    found, pages = walk(mirrored(world, source, org.org_id), '"Logged in as" last:2d')
    assert found and found == live
    assert {p.source for p in pages} == {"live"}


def test_an_org_with_no_mirror_goes_live(world, source):
    page = mirrored(world, source, "another-org").search("last:1h", tz=UTC_ZONE)
    assert page.source == "live"


def test_a_live_search_stays_live_when_the_mirror_catches_up(world, org, source):
    world.clock.advance(timedelta(minutes=3).total_seconds())
    search = mirrored(world, source, org.org_id)
    first = search.search("last:2d", tz=UTC_ZONE)
    assert first.source == "live"
    world.clock.advance(-timedelta(minutes=3).total_seconds())
    assert follow(search, first.next_state).source == "live"


def test_a_mirror_page_cannot_be_opened_without_the_mirror(world, org, source):
    first = mirrored(world, source, org.org_id).search("last:2d", tz=UTC_ZONE)
    with pytest.raises(PageStateError):
        follow(world.search, first.next_state)


def test_the_status_reads_the_cursor_and_the_oldest_event(store, source, org):
    status = source.status(org.org_id)
    assert status is not None
    assert status.covered_from is not None
    assert ANCHOR - timedelta(days=MIRRORED_DAYS) <= status.covered_from < ANCHOR - timedelta(days=2)
    assert status.updated_at == ANCHOR
    assert source.status("another-org") is None


def test_mirror_cursors_round_trip():
    key = (ANCHOR + timedelta(microseconds=7), "abc:def")
    assert decode_key(encode_key(key)) == key
    assert decode_key(encode_key(None)) is None
    with pytest.raises(ValueError):
        decode_key("cursor-from-the-api")


def test_a_window_beyond_the_apis_180_days_is_answered_from_the_mirror_saying_what_it_lacks(world, org, source):
    status = source.status(org.org_id)
    assert status is not None and status.covered_from is not None
    world.catalog.snapshot()
    requests = world.client.stats.requests
    page = mirrored(world, source, org.org_id).search("action:user_login last:365d", tz=UTC_ZONE)
    assert world.client.stats.requests == requests, "no API call: the API does not reach back a year"
    assert page.source == "mirror"
    assert page.source_note == "from auditbot's copy of the log, up to date"
    assert page.notes[:1] == (
        f"The copy starts on {status.covered_from:%Y-%m-%d}; earlier events are not available "
        "(the Admin API keeps 180 days).",
    )
    recent = world.search.search("action:user_login last:2d", tz=UTC_ZONE)
    assert [f.event.id for f in page.events] == [f.event.id for f in recent.events][: len(page.events)]


def test_beyond_180_days_even_a_stale_mirror_answers_and_says_so(world, org, source):
    world.clock.advance(timedelta(minutes=30).total_seconds())
    page = mirrored(world, source, org.org_id).search('"Logged in" last:200d', tz=UTC_ZONE)
    assert page.source == "mirror", "free text too: there is nothing else to ask"
    assert page.source_note == "from auditbot's copy of the log, 30 min behind"


def test_terms_the_columns_hold_are_filtered_before_any_body_is_read(world, org, source):
    query = "action:user_logged_in_as_user,auth_policy_deleted,added_org_admin last:2d"
    live, _ = walk(world.search, query)
    found, pages = walk(mirrored(world, source, org.org_id, max_mirror_rows=100), query)
    assert found == live
    assert sum(p.scanned for p in pages) <= len(found) + len(pages), "only matching rows are read"
