"""A results page's summary: the whole result's total and busiest actors and addresses, never a guess.

The mirror is filled once per module (SQLite, and PostgreSQL when one answers) with three days of the
seeded sandbox org, as ingest would. The summary a mirror page carries must equal what counting the
events of the whole result in Python gives: every page of the same search walked, or, for random
criteria built from the org's own actors, addresses and actions, the window's events filtered by
``core.match``. Live pages say "at least N" with N the events listed so far, and the exact total only
on the last page. A narrowing state runs the same search narrowed to one actor or address.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from ipaddress import ip_address

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditbot.core.handoff import Tally, actor_label
from auditbot.core.match import Criteria
from auditbot.core.model import AuditEvent
from auditbot.core.paging import PageState
from auditbot.core.query import Query, parse
from auditbot.core.summary import TOP, ResultCounts
from auditbot.sandbox import GeneratedOrg
from auditbot.services.mirror_source import api_bounds
from auditbot.services.result_summary import ResultSummary
from auditbot.services.search import ResultPage, SearchService
from auditbot.store import Database
from auditbot.store.cursors import StreamCursors
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource
from auditbot.store.mirror_summary import MirrorSummary
from tests.services.world import ANCHOR, UTC_ZONE, World

COUNTED_IN_SQL = [
    "last:2d",
    "last:1h",
    "action:user_login_failed last:2d",
    "action:user_login_failed,user_logged_in_as_user,added_org_admin last:2d",
    'group:"Group management" last:2d',
    "-actor:atlassian-internal-system -action:user_login last:2d",
    "ip:192.0.2.12,203.0.113.25 last:2d",
    "product:jira last:2d",
    "-product:confluence last:2d",
]
NOT_IN_SQL = [
    "ip:198.51.100.0/24 last:2d",
    'location:"Sydney, Australia" last:2d',
]


def mirrored(world: World, store: Database, org: GeneratedOrg, page_size: int = 10) -> SearchService:
    source = MirrorSearchSource(store, EventMirror(store), StreamCursors(store))
    return SearchService(
        world.client,
        world.catalog,
        world.codec,
        world.clock,
        page_size=page_size,
        mirror=source,
        org_id=org.org_id,
        counter=MirrorSummary(store),
    )


def every_event(search: SearchService, first: ResultPage) -> list[AuditEvent]:
    """The whole result: every page after ``first`` (read without their own summaries)."""
    pages = [first]
    while (value := pages[-1].next_state) is not None:
        pages.append(search.open_page(value, page_size=500, summarize=False))
    return [f.event for p in pages for f in p.events]


def counted_in_python(events: list[AuditEvent], top_n: int = TOP) -> ResultCounts:
    """The reference, written out: totals, then busiest first with ties by key; labels from the newest event."""
    actors = Counter(e.actor.id for e in events)
    ips = Counter(e.ip for e in events if e.ip)
    labels: dict[str, str] = {}
    for event in events:  # newest first
        labels.setdefault(event.actor.id, actor_label(event))

    def top(counts: Counter[str], names: dict[str, str]) -> tuple[Tally, ...]:
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]
        return tuple(Tally(k, names.get(k, k), n) for k, n in ranked)

    return ResultCounts(len(events), top(actors, labels), top(ips, {}))


def shown(summary: ResultSummary | None) -> tuple[int, list[tuple[str, int]], list[tuple[str, int]]]:
    assert summary is not None
    return summary.total, [(n.label, n.count) for n in summary.actors], [(n.label, n.count) for n in summary.ips]


def expected(counts: ResultCounts) -> tuple[int, list[tuple[str, int]], list[tuple[str, int]]]:
    return counts.total, [(t.label, t.count) for t in counts.actors], [(t.label, t.count) for t in counts.ips]


@pytest.mark.parametrize("query", COUNTED_IN_SQL)
def test_a_mirror_page_carries_the_exact_summary_of_the_whole_result(world, org, store, query):
    search = mirrored(world, store, org)
    world.catalog.snapshot()
    requests = world.client.stats.requests
    first = search.search(query, tz=UTC_ZONE)
    assert first.source == "mirror"
    events = every_event(search, first)
    assert world.client.stats.requests == requests, "counting spends no API call"
    assert events, "the query selects something in the seeded org"
    assert first.summary is not None and first.summary.exact
    assert shown(first.summary) == expected(counted_in_python(events))
    if first.next_state:
        second = search.open_page(first.next_state)
        assert shown(second.summary) == shown(first.summary), "every page says the same"


@pytest.mark.parametrize("query", NOT_IN_SQL)
def test_where_sql_cannot_count_the_total_is_a_lower_bound_until_the_last_page(world, org, store, query):
    search = mirrored(world, store, org)
    pages = [search.search(query, tz=UTC_ZONE)]
    while (value := pages[-1].next_state) is not None:
        pages.append(search.open_page(value))
    total = sum(len(p.events) for p in pages)
    assert total > 10, "the result spans pages"
    listed = 0
    for page in pages:
        listed += len(page.events)
        assert page.source == "mirror" and page.summary is not None
        assert (page.summary.total, page.summary.exact) == (listed, page is pages[-1])
        assert page.summary.actors == page.summary.ips == (), "no busiest ones named from part of a result"


def test_live_pages_say_at_least_what_was_listed_and_the_last_one_the_total(world):
    _, pages = world.walk("action:user_login last:2d")
    assert len(pages) > 3
    listed = 0
    for page in pages:
        listed += len(page.events)
        assert page.source == "live" and page.summary is not None
        assert page.summary.total == listed
        assert page.summary.exact is (page.next_state is None)
    back = world.search.open_page(pages[3].prev_state or "")
    assert back.summary is not None and back.summary.total == sum(len(p.events) for p in pages[:3])


def test_a_live_result_on_one_page_is_counted_whole(world):
    page = world.search.search("action:password_change last:2d", tz=UTC_ZONE)
    assert page.next_state is None and page.events
    assert page.summary is not None and page.summary.exact
    assert shown(page.summary) == expected(counted_in_python([f.event for f in page.events]))


def test_narrowing_runs_the_same_search_for_one_actor_or_address(world, org, store):
    search = mirrored(world, store, org)
    first = search.search("action:user_login_failed last:2d", tz=UTC_ZONE)
    assert first.summary is not None and first.summary.actors and first.summary.ips
    for narrowing in (first.summary.actors[0], first.summary.ips[0]):
        assert narrowing.state is not None
        narrowed = search.open_page(narrowing.state)
        assert narrowed.source == "mirror"
        assert (narrowed.window, narrowed.page) == (first.window, 1)
        assert narrowed.query.startswith("actor:") or " ip:" in narrowed.query
        assert "action:user_login_failed" in narrowed.query
        assert narrowed.summary is not None and narrowed.summary.total == narrowing.count
    by_ip = search.open_page(first.summary.ips[0].state or "")
    assert by_ip.summary is not None and [n.state for n in by_ip.summary.ips] == [None], "nothing narrower"


def test_a_narrowed_actor_replaces_the_actors_the_query_named(world, org, store):
    search = mirrored(world, store, org)
    everyone = search.search("last:2d", tz=UTC_ZONE)
    assert everyone.summary is not None
    two = [parse(search.codec.decode(n.state or "").query).actors[0] for n in everyone.summary.actors[:2]]
    first = search.search(f"{Query(actors=tuple(two)).canonical} last:2d", tz=UTC_ZONE)
    assert first.summary is not None and len(first.summary.actors) == 2
    narrowed = search.open_page(first.summary.actors[1].state or "")
    assert narrowed.summary is not None and narrowed.summary.total == first.summary.actors[1].count
    assert narrowed.query.count("actor:") == 1 and "," not in narrowed.query.split()[0]


# -- the SQL against core.match, for criteria drawn from the org's own values ----------------------------


class Events(list[AuditEvent]):
    """A list that prints short (hypothesis prints its arguments when a case fails)."""

    def __repr__(self) -> str:
        return f"<{len(self)} events>"


@pytest.fixture(scope="module")
def window_events(org: GeneratedOrg, store: Database) -> Events:
    """The window's events newest first by (time, id) in code-point order, on both dialects alike."""
    start, end = api_bounds(parse("last:2d").window(ANCHOR, UTC_ZONE))
    found = EventMirror(store).window(org.org_id, start, end, limit=10_000)
    return Events(sorted(found, key=lambda e: (e.time, e.id), reverse=True))


def criteria_of(query: Query) -> Criteria:
    return Criteria(query, frozenset(query.actions), frozenset(query.not_actions))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.integers(0, 10**6), min_size=1, max_size=3),
    terms=st.fixed_dictionaries({t: st.booleans() for t in ("ids", "emails", "ips", "actions", "not")}),
    top=st.integers(0, 5),
)
def test_the_sql_counts_equal_core_match_over_the_window(org, store, window_events, picks, terms, top):
    assert 100 < len(window_events) < 10_000
    pick = [window_events[i % len(window_events)] for i in picks]
    actors = tuple(e.actor.id for e in pick) if terms["ids"] else ()
    actors += tuple(e.actor.email for e in pick if e.actor.email) if terms["emails"] else ()
    query = Query(
        actors=actors,
        ips=tuple(ip_address(e.ip) for e in pick if e.ip) if terms["ips"] else (),
        actions=tuple(e.action for e in pick) if terms["actions"] else (),
        not_actions=("user_login",) if terms["not"] else (),
        not_actors=("atlassian-internal-system",) if terms["not"] else (),
    )
    criteria = criteria_of(query)
    start, end = api_bounds(parse("last:2d").window(ANCHOR, UTC_ZONE))
    counted = MirrorSummary(store).counts(org.org_id, start, end, criteria, top=top)
    reference = counted_in_python([e for e in window_events if criteria.matches(e)], top)
    assert counted is not None
    assert counted.total == reference.total
    if counted.total:
        assert (counted.actors, counted.ips) == (reference.actors, reference.ips)


def test_criteria_sql_cannot_filter_give_no_counts(org, store):
    start, end = ANCHOR - timedelta(days=2), ANCHOR
    for text in NOT_IN_SQL:
        assert MirrorSummary(store).counts(org.org_id, start, end, criteria_of(parse(text))) is None


def test_a_state_that_names_nothing_new_gets_no_narrowing(world, org, store):
    """The query already is that one actor: its summary names it, without a button that would change nothing."""
    search = mirrored(world, store, org)
    first = search.search("last:2d", tz=UTC_ZONE)
    assert first.summary is not None
    actor = first.summary.actors[0]
    state = search.codec.decode(actor.state or "")
    page = search.open_page(search.codec.encode(PageState(state.query, state.start, state.end)))
    assert page.summary is not None and page.summary.actors[0].state is None
