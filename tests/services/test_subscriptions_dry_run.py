"""Alert queries and the subscription dry run, over the seeded sandbox (live) and a filled mirror."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from auditbot.core.querysyntax import QueryError
from auditbot.sandbox import GeneratedOrg
from auditbot.services.search import SearchBusy, SearchService
from auditbot.services.subscriptions import NOISY_PER_DAY, SubscriptionPreview
from auditbot.store import Database
from auditbot.store.cursors import StreamCursors
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource
from tests.services.world import ANCHOR, UTC_ZONE, World, fill_mirror


def service(world: World, **kwargs: int) -> SubscriptionPreview:
    return SubscriptionPreview(world.search, world.clock, **kwargs)


def direct_count(world: World, keep) -> list[str]:
    """Ids of the last seven days' events that ``keep`` accepts, newest first, read straight from the API."""
    return [e.id for e in world.everything(days=7) if keep(e)]


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("action:user_login_failed", lambda e: e.action == "user_login_failed"),
        ('action:"User added to group"', lambda e: e.action == "user_added_to_group"),
        (
            "action:user_login_failed,user_added_to_group -actor:atlassian-internal-system",
            lambda e: e.action in ("user_login_failed", "user_added_to_group"),
        ),
        (
            "ip:198.51.100.0/24 action:user_login_failed",
            lambda e: e.action == "user_login_failed" and e.ip and e.ip.startswith("198.51.100."),
        ),
    ],
    ids=["one-action", "action-by-name", "two-actions-minus-actor", "cidr"],
)
def test_the_dry_run_counts_what_a_direct_count_finds(world: World, query: str, keep):
    expected = direct_count(world, keep)
    assert expected, "the sandbox has such events"
    dry = service(world).dry_run(query, tz=UTC_ZONE)
    assert dry.count == len(expected)
    assert dry.exact and dry.source == "live"
    assert [f.event.id for f in dry.examples] == expected[:3], "the three newest"
    assert dry.window.end == ANCHOR and dry.window.start == ANCHOR - timedelta(days=7)


def test_the_stored_query_is_canonical_with_action_ids(world: World):
    checked = service(world).check('action:"User login failed"   -actor:SCIM@Example.com')
    assert checked.canonical == "-actor:scim@example.com action:user_login_failed"
    assert service(world).dry_run(checked, tz=UTC_ZONE).query == checked.canonical


def test_a_busy_query_is_noisy(world: World):
    logins = direct_count(world, lambda e: e.action == "user_login")
    assert len(logins) / 7 > NOISY_PER_DAY
    dry = service(world).dry_run("action:user_login", tz=UTC_ZONE)
    assert (dry.count, dry.exact, dry.noisy) == (len(logins), True, True)
    quiet = service(world).dry_run("action:user_login_failed", tz=UTC_ZONE)
    assert not quiet.noisy and quiet.per_day == pytest.approx(quiet.count / 7)


def test_counting_stops_after_a_few_api_pages_and_says_at_least(world: World):
    world.catalog.snapshot()
    requests = world.client.stats.requests
    dry = service(world, page_size=100, live_pages=2).dry_run("action:user_login", tz=UTC_ZONE)
    assert (dry.count, dry.exact) == (200, False)
    assert world.client.stats.requests - requests <= 2, "one API request per page of a single-action query"


def test_counting_stops_when_the_rate_budget_runs_out(org: GeneratedOrg):
    world = World(org, per_minute=1)
    dry = SubscriptionPreview(world.search, world.clock, page_size=100).dry_run("action:user_login", tz=UTC_ZONE)
    assert (dry.count, dry.exact) == (100, False)
    with pytest.raises(SearchBusy):
        SubscriptionPreview(world.search, world.clock).dry_run("action:user_logout", tz=UTC_ZONE)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("action:user_login since:24h", "since:24h"),
        ("last:7d action:user_login", "since:7d"),
        ("action:user_login from:2026-11-01", "since:2026-11-01"),
        ("action:user_login until:yesterday", "until:yesterday"),
        ("to:now actor:jane@example.com", "until:now"),
    ],
)
def test_time_terms_are_refused_pointing_at_the_term(world: World, text: str, term: str):
    with pytest.raises(QueryError) as refused:
        service(world).check(text)
    error = refused.value
    assert "which events, not when" in error.message and term in error.message
    assert error.hint is not None and f"Remove {term}" in error.hint
    assert error.source == text
    assert text[error.column : error.column + error.length] == term.split(":", 1)[1], "the caret is under the value"
    assert error.suggestions and "since" not in error.suggestions[0] and "until" not in error.suggestions[0]


def test_a_query_of_time_terms_only_has_no_suggestion(world: World):
    with pytest.raises(QueryError) as refused:
        service(world).check("last:1h")
    assert refused.value.suggestions == []


def test_an_unknown_action_or_a_broken_query_is_a_query_error(world: World):
    with pytest.raises(QueryError) as unknown:
        service(world).check("action:user_logn_failed")
    assert any("user_login_failed" in s for s in unknown.value.suggestions)
    with pytest.raises(QueryError):
        service(world).check('actor:"unclosed')


# -- counting over the mirror ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def mirror_store(org: GeneratedOrg, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path_factory.mktemp('subscribe') / 'auditbot.db'}"
    with Database(url) as db:
        db.migrate()
        fill_mirror(db, org, days=8)
        yield db


def mirrored(world: World, store: Database, org: GeneratedOrg) -> SearchService:
    source = MirrorSearchSource(store, EventMirror(store), StreamCursors(store))
    return SearchService(world.client, world.catalog, world.codec, world.clock, mirror=source, org_id=org.org_id)


@pytest.mark.parametrize("query", ["action:user_login_failed", "action:user_login", 'group:"Group management"'])
def test_a_fresh_mirror_is_counted_without_api_calls_and_agrees_with_the_api(world, org, mirror_store, query):
    live = service(world).dry_run(query, tz=UTC_ZONE)
    requests = world.client.stats.requests
    dry = SubscriptionPreview(mirrored(world, mirror_store, org), world.clock).dry_run(query, tz=UTC_ZONE)
    assert world.client.stats.requests == requests, "no API call"
    assert dry.source == "mirror" and dry.exact
    assert dry.count == live.count
    assert [f.event.id for f in dry.examples] == [f.event.id for f in live.examples]
    assert "from auditbot's copy of the log, up to date" in dry.notes


def test_free_text_is_counted_live_even_with_a_mirror(world, org, mirror_store):
    dry = SubscriptionPreview(mirrored(world, mirror_store, org), world.clock).dry_run(
        "action:user_login token", tz=UTC_ZONE
    )
    assert dry.source == "live"
