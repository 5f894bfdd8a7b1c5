from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from ipaddress import ip_address, ip_network
from zoneinfo import ZoneInfo

import pytest

from auditbot.core.model import AuditEvent
from auditbot.core.paging import PageStateError
from auditbot.core.querysyntax import QueryError
from auditbot.sandbox import event_products as sandbox_products
from auditbot.services.search import SearchBusy
from tests.services.world import UTC_ZONE, World


def expect(world: World, keep: Callable[[AuditEvent], bool]) -> list[str]:
    return [e.id for e in world.everything() if keep(e)]


def ids(events: list[AuditEvent]) -> list[str]:
    return [e.id for e in events]


def test_one_action_is_filtered_by_the_api_and_named_from_the_catalog(world):
    found, pages = world.walk("action:user_login last:2d")
    assert ids(found) == expect(world, lambda e: e.action == "user_login")
    assert found, "the seeded org has logins"
    assert {f.action_name for p in pages for f in p.events} == {"User login"}
    assert all(p.scanned == len(p.events) for p in pages), "nothing was filtered on our side"


def test_an_action_by_display_name_resolves_to_its_id_in_the_canonical_query(world):
    page = world.search.search('action:"user added to group" last:2d', tz=UTC_ZONE)
    assert page.query == "action:user_added_to_group since:2d"


def test_a_few_actions_are_read_as_one_stream_each_and_merged_newest_first(world):
    found, pages = world.walk("action:user_login_failed,user_logged_in_as_user,added_org_admin last:2d")
    wanted = {"user_login_failed", "user_logged_in_as_user", "added_org_admin"}
    assert ids(found) == expect(world, lambda e: e.action in wanted)
    assert len(pages) > 1, "and page on across the merged streams"


def test_two_rare_actions_cost_two_requests_not_a_scan(world):
    world.catalog.snapshot()
    before = world.client.stats.requests
    page = world.search.search("action:user_logged_in_as_user,auth_policy_deleted last:30d", tz=UTC_ZONE)
    assert world.client.stats.requests - before == 2
    assert not page.partial
    assert {f.event.action for f in page.events} == {"user_logged_in_as_user", "auth_policy_deleted"}
    assert page.next_state is None


def test_many_actions_are_filtered_on_our_side_across_pages(world):
    many = "user_login_failed,user_logged_in_as_user,added_org_admin,user_logout,group_created"
    found, _ = world.walk(f"action:{many} last:2d")
    wanted = set(many.split(","))
    assert ids(found) == expect(world, lambda e: e.action in wanted)


def test_a_group_expands_to_its_actions(world):
    found, _ = world.walk('group:"Group management" last:2d')
    group = {a.id for a in world.catalog.snapshot().resolve_group("Group management")}
    assert found
    assert ids(found) == expect(world, lambda e: e.action in group)


def test_exclusions_leave_out_what_they_name(world):
    found, _ = world.walk("-actor:atlassian-internal-system -action:user_login last:2d")
    keep = lambda e: e.actor.id != "atlassian-internal-system" and e.action != "user_login"  # noqa: E731
    assert ids(found) == expect(world, keep)


def test_cidr_ranges_are_matched_on_our_side(world):
    found, _ = world.walk("ip:198.51.100.0/24 last:2d")
    net = ip_network("198.51.100.0/24")
    assert found
    assert ids(found) == expect(world, lambda e: e.ip is not None and ip_address(e.ip) in net)


def test_an_actor_by_email_is_filtered_by_the_api(world):
    someone = next(e.actor.email for e in world.everything() if e.action == "user_login" and e.actor.email)
    found, _ = world.walk(f"actor:{someone.upper()} last:2d")
    assert found
    assert ids(found) == expect(world, lambda e: (e.actor.email or "").lower() == someone.lower())


def test_a_lone_place_name_matches_city_or_country(world):
    sample = next(e for e in world.everything() if e.attributes.location and e.attributes.location.country_name)
    country = sample.attributes.location.country_name
    found, _ = world.walk(f'location:"{country}" last:2d')
    keep = lambda e: e.attributes.location is not None and e.attributes.location.country_name == country  # noqa: E731
    assert ids(found) == expect(world, keep)


def test_paging_forward_and_back_returns_the_same_pages_without_new_requests(world):
    first = world.search.search("last:2d", tz=UTC_ZONE)
    second = world.search.open_page(first.next_state)
    third = world.search.open_page(second.next_state)
    requests = world.client.stats.requests
    back = world.search.open_page(third.prev_state)
    again = world.search.open_page(back.prev_state)
    assert [f.event.id for f in back.events] == [f.event.id for f in second.events]
    assert [f.event.id for f in again.events] == [f.event.id for f in first.events]
    assert (back.page, again.page) == (2, 1)
    assert again.prev_state is None
    assert world.client.stats.requests == requests, "going back was served from the page cache"


def test_pages_are_pinned_to_the_window_of_the_first_page(world):
    first = world.search.search("last:1h", tz=UTC_ZONE)
    world.clock.advance(3600)
    later = world.search.open_page(first.state)
    assert later.window == first.window
    assert [f.event.id for f in later.events] == [f.event.id for f in first.events]


def test_an_empty_rate_budget_answers_busy_with_the_wait(org):
    world = World(org, per_minute=10)
    world.catalog.snapshot()
    for _ in range(10):
        world.search.search("action:user_login last:1h", tz=UTC_ZONE)
        world.clock.advance(1)
    with pytest.raises(SearchBusy) as caught:
        world.search.search("action:user_logout last:1h", tz=UTC_ZONE)
    assert caught.value.retry_after == 50
    assert "Ready in" in caught.value.message


RARE = "action:user_logged_in_as_user,auth_policy_deleted,policy_deleted,domain_removed,saml_config_deleted last:30d"
"""Five rare actions: more than are merged as separate streams, so they are scanned for here."""


def test_a_scan_that_spends_its_page_budget_returns_a_partial_page_that_continues(world):
    page = world.search.search(RARE, tz=UTC_ZONE)
    assert page.partial
    assert page.scanned == 1500, "three API pages of 500"
    assert page.retry_after is None
    following = world.search.open_page(page.next_state)
    assert following.page == 2
    assert following.scanned > 0
    assert not {f.event.id for f in following.events} & {f.event.id for f in page.events}


def test_a_scan_that_meets_the_rate_limit_returns_what_it_found_and_when_to_continue(org):
    world = World(org, per_minute=2, page_size=50)
    page = world.search.search(RARE, tz=UTC_ZONE)
    assert page.partial
    assert page.scanned == 1000
    assert page.retry_after == 60
    assert page.next_state is not None
    world.clock.advance(page.retry_after)
    following = world.search.open_page(page.next_state)
    assert following.scanned > 0


def test_an_unknown_action_points_at_its_column_with_a_suggestion(world):
    with pytest.raises(QueryError) as caught:
        world.search.search("last:2d action:user_logn", tz=UTC_ZONE)
    assert caught.value.column == 15
    assert "last:2d action:user_login" in caught.value.suggestions  # the whole query, corrected


def test_an_unknown_group_suggests_a_close_one(world):
    with pytest.raises(QueryError) as caught:
        world.search.search('group:"Group managment"', tz=UTC_ZONE)
    assert caught.value.suggestions[0] == 'group:"Group management"'  # the whole query, corrected


def test_a_tampered_button_value_is_refused(world):
    page = world.search.search("last:2d", tz=UTC_ZONE)
    with pytest.raises(PageStateError):
        world.search.open_page(page.next_state.replace("last", "lost") + "x")


AUTHENTICATION = {
    "email_change",
    "user_login",
    "user_logout",
    "password_change",
    "password_reset_complete",
    "password_reset_request",
    "user_logged_in_as_user",
    "user_password_reset_requested",
    "user_login_failed",
}


def api_products(e: AuditEvent) -> frozenset[str]:
    """The products the sandbox (standing in for the API) gives an event."""
    return sandbox_products(e.to_api_json())


def place(e: AuditEvent) -> tuple[str, str]:
    loc = e.attributes.location
    return ((loc.city or "") if loc else "", (loc.country_name or "") if loc else "")


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("ip:192.0.2.12,203.0.113.25", lambda e: e.ip in {"192.0.2.12", "203.0.113.25"}),
        ("-ip:192.0.2.0/24,203.0.113.0/24", lambda e: not (e.ip or "").startswith(("192.0.2.", "203.0.113."))),
        ("product:jira", lambda e: "jira" in api_products(e)),
        ("-product:jira", lambda e: "jira" not in api_products(e)),
        ('location:"Sydney, Australia"', lambda e: place(e) == ("Sydney", "Australia")),
        ('-location:"Berlin, Germany"', lambda e: place(e) != ("Berlin", "Germany")),
        ('-group:"Authentication"', lambda e: e.action not in AUTHENTICATION),
        ("action:user_login -actor:atlassian-internal-system", lambda e: e.action == "user_login"),
    ],
    ids=["ips-exact", "not-cidr", "product", "not-product", "city-country", "not-location", "not-group", "mixed"],
)
def test_every_filter_gives_what_it_says(world, query, keep):
    found, _ = world.walk(f"{query} last:2d")
    expected = expect(world, keep)
    assert expected, "the filter selects something in the seeded org"
    assert ids(found) == expected


def test_an_absolute_window_in_the_users_zone(world):
    tz = ZoneInfo("Australia/Sydney")
    page = world.search.search("since:2026-11-24 until:2026-11-24", tz=tz)
    assert page.window.start == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    assert page.window.end == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert all(page.window.start <= f.event.time <= page.window.end for f in page.events)


def test_free_text_is_passed_to_the_api(world):
    found, pages = world.walk('"Logged in as" last:30d')
    assert found
    assert "user_logged_in_as_user" in {e.action for e in found}
    assert all(p.scanned == len(p.events) for p in pages), "the API did the matching"
    assert all("logged" in json.dumps(e.to_api_json()).lower() for e in found)
