"""The seeded org: determinism, realism, real-world quirks and the woven-in incidents."""

from __future__ import annotations

import ipaddress
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from auditbot.core.model import SYSTEM_ACTOR_ID, AuditEvent
from auditbot.core.query import parse
from auditbot.sandbox import EXAMPLE_EVENT_ID, GeneratedOrg, load_actions
from auditbot.sandbox.builders import from_us, to_us
from auditbot.sandbox.generate import HOUR_US
from auditbot.sandbox.store import IndexedEvent

from .helpers import ANCHOR, SEED

DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]


@pytest.fixture(scope="module")
def events(org: GeneratedOrg) -> list[IndexedEvent]:
    now = to_us(ANCHOR)
    return [e for e in org.index(ANCHOR).by_time if e.visible(now)]


def attrs(event: IndexedEvent) -> dict[str, Any]:
    value: dict[str, Any] = event.raw["attributes"]
    return value


# -- determinism -------------------------------------------------------------------------------


def test_same_seed_and_anchor_give_identical_events() -> None:
    one = GeneratedOrg(3, anchor=ANCHOR, days=2)
    two = GeneratedOrg(3, anchor=ANCHOR, days=2)
    assert [e.raw for e in one.index(ANCHOR).by_time] == [e.raw for e in two.index(ANCHOR).by_time]
    assert one.incidents == two.incidents
    assert one.org_id == two.org_id


def test_different_seed_gives_a_different_org() -> None:
    one = GeneratedOrg(3, anchor=ANCHOR, days=1)
    two = GeneratedOrg(4, anchor=ANCHOR, days=1)
    assert one.org_id != two.org_id
    shared = {e.id for e in one.index(ANCHOR).by_time} & {e.id for e in two.index(ANCHOR).by_time}
    assert shared == {EXAMPLE_EVENT_ID}, "only README's example event has the same id in every org"


def test_an_hour_is_the_same_whenever_and_in_whatever_order_it_is_made(org: GeneratedOrg) -> None:
    hour = to_us(ANCHOR - timedelta(days=3)) // HOUR_US
    fresh = GeneratedOrg(SEED, anchor=ANCHOR, days=30)
    assert fresh.hour_events(hour + 5) == org.hour_events(hour + 5)
    assert fresh.hour_events(hour) == fresh.hour_events(hour) == org.hour_events(hour)


def test_org_id_is_a_uuid_derived_from_the_seed(org: GeneratedOrg) -> None:
    assert uuid.UUID(org.org_id).version == 4
    assert GeneratedOrg(SEED, anchor=ANCHOR - timedelta(days=9), days=1).org_id == org.org_id


def test_the_org_is_live_events_keep_appearing_after_the_anchor(org: GeneratedOrg) -> None:
    later = ANCHOR + timedelta(hours=5)
    now_us = to_us(later)
    fresh = [e for e in org.index(later).by_time if e.time_us > to_us(ANCHOR) and e.visible(now_us)]
    assert len(fresh) > 20
    assert max(e.time_us for e in fresh) < now_us


# -- realism -----------------------------------------------------------------------------------


def test_daily_volume_is_a_few_hundred_with_quiet_weekends(events: list[IndexedEvent]) -> None:
    per_day = Counter(from_us(e.time_us).date() for e in events)
    full_days = sorted(per_day)[1:-1]
    weekdays = [per_day[d] for d in full_days if d.weekday() < 5]
    weekends = [per_day[d] for d in full_days if d.weekday() >= 5]
    assert all(250 <= n <= 700 for n in weekdays), weekdays
    assert all(40 <= n <= 250 for n in weekends), weekends
    assert 200 <= len(events) / 30 <= 500


def test_activity_follows_local_business_hours(org: GeneratedOrg, events: list[IndexedEvent]) -> None:
    tz_of = {p.account_id: ZoneInfo(p.city.tz) for p in org.directory.people}
    local_hours = Counter(
        from_us(e.time_us).astimezone(tz_of[e.actor_id]).hour for e in events if e.action == "user_login"
    )
    business = sum(local_hours[h] for h in range(8, 18))
    night = sum(local_hours[h] for h in range(6))
    assert business > 20 * max(night, 1)


def test_action_mix_is_realistic_and_uses_real_action_ids(events: list[IndexedEvent]) -> None:
    counts = Counter(e.action for e in events)
    assert counts.most_common(1)[0][0] == "user_login"
    for action in (
        "user_login_failed",
        "user_added_to_group",
        "user_removed_from_group",
        "user_granted_product_access",
        "scim_auto_sync_complete",
        "jira_issue_viewed",
        "confluence_added_space_permission",
    ):
        assert counts[action] > 0, action
    assert set(counts) <= {a["id"] for a in load_actions()}


def test_directory_is_a_realistic_org(org: GeneratedOrg) -> None:
    directory = org.directory
    assert 200 <= len(directory.people) <= 500
    assert 35 <= len(directory.groups) <= 45
    assert 3 <= len(directory.sites) <= 4
    assert len(directory.admins) >= 3
    assert all(p.email.endswith(("@example.com", "@example.org")) for p in directory.people)
    assert len({p.email for p in directory.people}) == len(directory.people)
    assert all(site.host == f"https://{site.name}.atlassian.net" for site in directory.sites)


def test_every_event_parses_and_is_processed_after_it_happened(events: list[IndexedEvent]) -> None:
    for event in events:
        model = AuditEvent.model_validate(event.raw)
        assert model.processed_at >= model.time
        assert to_us(model.time) == event.time_us


def test_processing_delay_is_short_except_for_a_late_few(events: list[IndexedEvent]) -> None:
    delays = [(e.processed_us - e.time_us) / 1e6 for e in events]
    late = [d for d in delays if d >= 120]
    assert all(0.19 <= d <= 1.5 or 120 <= d <= 1800 for d in delays)
    assert 0.01 <= len(late) / len(delays) <= 0.04


def test_addresses_are_documentation_only(events: list[IndexedEvent]) -> None:
    ips = {e.ip for e in events if e.ip}
    assert any(":" in ip for ip in ips)
    assert all(any(ipaddress.ip_address(ip) in net for net in DOC_NETS) for ip in ips)
    emails = {e.actor_email for e in events if "@" in e.actor_email}
    assert all(email.endswith(("@example.com", "@example.org")) for email in emails)


def test_real_world_quirks_are_present(events: list[IndexedEvent]) -> None:
    times = [attrs(e)["time"] for e in events[-500:]]
    assert any(len(t) == 27 for t in times)  # 2021-04-03T06:12:11.117451Z
    assert any(len(t) == 24 for t in times)  # 2021-04-03T06:12:11.117Z
    assert any(len(t) == 20 for t in times)  # 2021-04-03T06:12:11Z
    assert any("relations" in e.raw and e.raw["relations"] is None for e in events)
    items = [item for e in events for item in attrs(e)["context"] + attrs(e)["container"]]
    assert any(item.get("links") == {"alt": None, "self": None} for item in items)
    assert {"users", "groups", "orgs", "sites", "auth-policy", "org-policy", "directory"} <= {i["type"] for i in items}
    assert any(i["type"] == "orgs" and "domain" in i["attributes"] for i in items)
    assert all(e.raw["message"]["format"] == "simple" for e in events)
    system = [e for e in events if e.actor_id == SYSTEM_ACTOR_ID]
    assert system
    assert all("location" not in attrs(e) for e in system)
    assert all(attrs(e)["actor"]["name"] == attrs(e)["actor"]["email"] == "Atlassian Internal System" for e in system)
    admin_actions = [e for e in events if e.action == "user_added_to_group"]
    assert any("location" not in attrs(e) for e in admin_actions)


def test_jira_views_carry_a_site_container_like_real_ones(events: list[IndexedEvent]) -> None:
    view = next(e for e in events if e.action == "jira_issue_viewed")
    (site,) = attrs(view)["container"]
    assert site["type"] == "sites"
    assert set(site["attributes"]) == {"siteName", "product", "issueId", "issueKeyOrId", "siteHostName"}
    assert site["links"]["alt"].endswith(f"/browse/{site['attributes']['issueKeyOrId']}")
    assert view.raw["message"]["content"] == f"Viewed Jira issue {site['attributes']['issueKeyOrId']}"
    assert attrs(view)["actor"]["links"]["alt"].startswith("https://admin.atlassian.com/s/")


# -- incidents ---------------------------------------------------------------------------------


def incident_events(org: GeneratedOrg, name: str) -> list[IndexedEvent]:
    index = org.index(ANCHOR)
    found = [index.get(event_id) for event_id in org.incident(name).event_ids]
    assert all(e is not None and e.visible(to_us(ANCHOR)) for e in found)
    return [e for e in found if e is not None]


def test_five_incidents_are_woven_in(org: GeneratedOrg) -> None:
    assert [i.name for i in org.incidents] == [
        "admin_granted_at_night",
        "failed_login_burst",
        "api_token_unusual_ip",
        "auth_policy_deleted",
        "user_impersonation",
    ]
    window = (to_us(org.window_start), to_us(ANCHOR))
    for incident in org.incidents:
        assert all(window[0] < e.time_us < window[1] for e in incident_events(org, incident.name))


def test_admin_granted_at_night_from_a_new_country(org: GeneratedOrg, events: list[IndexedEvent]) -> None:
    login, grant = incident_events(org, "admin_granted_at_night")
    assert (login.action, grant.action) == ("user_login", "added_org_admin")
    admin = next(p for p in org.directory.people if p.account_id == grant.actor_id)
    assert from_us(grant.time_us).astimezone(ZoneInfo(admin.city.tz)).hour < 5
    usual = {
        e.place["countryName"] for e in events if e.actor_id == admin.account_id and e.id not in {login.id, grant.id}
    }
    assert grant.place["countryName"] not in usual
    assert all(e.action != "added_org_admin" for e in events if e.id != grant.id)


def test_failed_login_burst_then_success(org: GeneratedOrg) -> None:
    burst = incident_events(org, "failed_login_burst")
    *failures, success = burst
    assert len(failures) >= 20
    assert {e.action for e in failures} == {"user_login_failed"}
    assert success.action == "user_login"
    assert len({(e.actor_id, e.ip) for e in burst}) == 1
    assert burst[-1].time_us - burst[0].time_us < 10 * 60 * 1_000_000


def test_api_token_created_then_used_from_an_unusual_ip(org: GeneratedOrg, events: list[IndexedEvent]) -> None:
    created, *used = incident_events(org, "api_token_unusual_ip")
    assert created.action == "api_token_created"
    assert used and all(attrs(e)["actor"]["auth"]["authType"] == "api-token" for e in used)
    assert all(e.actor_id == created.actor_id for e in used)
    ids = {e.id for e in used}
    assert used[0].ip not in {e.ip for e in events if e.id not in ids}


def test_auth_policy_deleted_and_impersonation(org: GeneratedOrg) -> None:
    (deleted,) = incident_events(org, "auth_policy_deleted")
    assert deleted.action == "auth_policy_deleted"
    assert attrs(deleted)["context"][0]["type"] == "auth-policy"
    (impersonation,) = incident_events(org, "user_impersonation")
    assert impersonation.action == "user_logged_in_as_user"
    assert attrs(impersonation)["container"][0]["type"] == "sites"
    target = attrs(impersonation)["context"][0]["attributes"]["email"]
    assert impersonation.raw["message"]["content"] == f"Logged in as {target}"


@pytest.mark.parametrize("days", [1, 7])
def test_incidents_fit_short_windows(days: int) -> None:
    short = GeneratedOrg(11, anchor=ANCHOR, days=days)
    index = short.index(ANCHOR)
    for incident in short.incidents:
        for event_id in incident.event_ids:
            event = index.get(event_id)
            assert event is not None and event.visible(to_us(ANCHOR))
            assert from_us(event.time_us) >= short.window_start


def test_anchor_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone"):
        GeneratedOrg(1, anchor=datetime(2026, 1, 1), days=1)


@pytest.mark.parametrize("seed", [1, 7, 11])
def test_the_admin_grant_is_readmes_example_event_in_every_org(seed: int) -> None:
    org = GeneratedOrg(seed, anchor=ANCHOR, days=2)
    grant = org.index(ANCHOR).get(EXAMPLE_EVENT_ID)
    assert grant is not None and grant.action == "added_org_admin"
    assert org.incident("admin_granted_at_night").key_event_id == EXAMPLE_EVENT_ID
    assert grant.raw["links"]["self"].endswith(f"/events/{EXAMPLE_EVENT_ID}")


def test_each_incident_names_its_people_key_event_and_a_query(org: GeneratedOrg) -> None:
    index = org.index(ANCHOR)
    for incident in org.incidents:
        key = index.get(incident.key_event_id)
        assert key is not None and key.id in incident.event_ids
        assert incident.label and len(incident.label) <= 75
        query = parse(incident.query)
        assert query.actors == (incident.actor,)
        assert key.actor_email == incident.actor or incident.actor in key.raw["message"]["content"]
        if incident.ip is not None:
            assert incident.ip in {e.ip for e in (index.get(i) for i in incident.event_ids) if e is not None}
    burst = org.incident("failed_login_burst")
    assert parse(burst.query).ip_addresses and burst.ip is not None and burst.ip in burst.query
