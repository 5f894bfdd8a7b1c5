"""``/events`` filters: each one against the index it should agree with."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from auditbot.sandbox import GeneratedOrg, SandboxApi, event_products
from auditbot.sandbox.builders import to_us
from auditbot.sandbox.store import IndexedEvent

from .helpers import ANCHOR, events_of, events_path, walk


def visible(org: GeneratedOrg) -> list[IndexedEvent]:
    now = to_us(ANCHOR)
    return [e for e in org.index(ANCHOR).by_time if e.visible(now)]


def ids_where(org: GeneratedOrg, keep: Callable[[IndexedEvent], bool]) -> set[str]:
    return {e.id for e in visible(org) if keep(e)}


def query(client: httpx.Client, api: SandboxApi, **params: Any) -> list[dict[str, Any]]:
    return events_of(walk(client, events_path(api), {"limit": 500, **params}))


def ids(events: list[dict[str, Any]]) -> set[str]:
    return {e["id"] for e in events}


def test_action_is_an_exact_match(client: httpx.Client, api: SandboxApi, org: GeneratedOrg) -> None:
    found = query(client, api, action="user_removed_from_group")
    assert found and ids(found) == ids_where(org, lambda e: e.action == "user_removed_from_group")
    assert query(client, api, action="user_removed") == []


def test_actor_matches_account_id_or_email_case_insensitively(
    client: httpx.Client, api: SandboxApi, org: GeneratedOrg
) -> None:
    one, two = org.directory.admins[:2]
    by_id = query(client, api, actor=one.account_id)
    assert by_id and ids(by_id) == ids_where(org, lambda e: e.actor_id == one.account_id)
    assert ids(query(client, api, actor=one.email.upper())) == ids(by_id)
    both = ids_where(org, lambda e: e.actor_id in {one.account_id, two.account_id})
    assert ids(query(client, api, actor=f"{one.account_id},{two.email}")) == both
    repeated = client.get(events_path(api), params=[("actor", one.email), ("actor", two.account_id), ("limit", 500)])
    assert ids(repeated.json()["data"]) <= both and len(repeated.json()["data"]) == min(500, len(both))


def test_ip_matches_any_of_a_list(client: httpx.Client, api: SandboxApi, org: GeneratedOrg) -> None:
    incident = org.incident("failed_login_burst")
    attacker = org.index(ANCHOR).get(incident.event_ids[0])
    assert attacker is not None
    found = query(client, api, ip=attacker.ip)
    assert ids(found) == set(incident.event_ids)
    office = org.directory.admins[0].office_ip
    assert ids(query(client, api, ip=f"{attacker.ip},{office}")) == ids_where(
        org, lambda e: e.ip in {attacker.ip, office}
    )


@pytest.mark.parametrize("product", ["jira", "confluence"])
def test_product_filter_follows_event_products(
    client: httpx.Client, api: SandboxApi, org: GeneratedOrg, product: str
) -> None:
    found = query(client, api, product=product)
    assert found and ids(found) == ids_where(org, lambda e: product in e.products)


def test_product_list_and_products_nobody_uses(client: httpx.Client, api: SandboxApi, org: GeneratedOrg) -> None:
    assert query(client, api, product="bitbucket,loom") == []
    both = ids(query(client, api, product="jira,confluence"))
    assert both == ids_where(org, lambda e: bool(e.products & {"jira", "confluence"}))


def test_products_of_raw_events_follow_the_documented_rule() -> None:
    def event(action: str, container: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return {"attributes": {"action": action, "container": container or [], "context": []}}

    assert event_products(event("jira_issue_viewed")) == {"jira"}
    assert event_products(event("confluence_added_space_permission")) == {"confluence"}
    assert event_products(event("data_classification_policy_update")) == {"guard_detect"}
    assert event_products(event("user_login")) == frozenset()
    site = [{"id": "s", "type": "sites", "attributes": {"product": "service-desk"}}]
    assert event_products(event("user_granted_product_access", site)) == {"jira"}
    assert event_products({"attributes": "nonsense"}) == frozenset()


def test_location_list_single_object_and_case(client: httpx.Client, api: SandboxApi, org: GeneratedOrg) -> None:
    sydney = ids_where(org, lambda e: e.place["city"] == "sydney" and e.place["countryName"] == "australia")
    assert sydney
    as_list = query(client, api, location=json.dumps([{"city": "Sydney", "countryName": "Australia"}]))
    assert ids(as_list) == sydney
    assert ids(query(client, api, location=json.dumps({"city": "SYDNEY"}))) == sydney
    two = json.dumps([{"city": "Sydney"}, {"countryName": "Germany"}])
    assert ids(query(client, api, location=two)) == ids_where(
        org, lambda e: e.place["city"] == "sydney" or e.place["countryName"] == "germany"
    )


def test_q_needs_every_word_somewhere_case_insensitively(
    client: httpx.Client, api: SandboxApi, org: GeneratedOrg
) -> None:
    found = query(client, api, q="SITE-ADMINS Added")
    assert found and ids(found) == ids_where(org, lambda e: "site-admins" in e.text and "added" in e.text)
    assert all("site-admins" in json.dumps(e).lower() for e in found)
    admin = org.directory.admins[0]
    assert ids(query(client, api, q=admin.email)) >= ids_where(org, lambda e: e.actor_id == admin.account_id)
    assert ids(query(client, api, q="bengaluru logged")) == ids_where(
        org, lambda e: e.place["city"] == "bengaluru" and "logged" in e.text
    )
    assert query(client, api, q="no-such-word-anywhere") == []


def test_time_window_is_inclusive_in_milliseconds(client: httpx.Client, api: SandboxApi, org: GeneratedOrg) -> None:
    target = visible(org)[-40]
    ms = target.time_us // 1000
    found = query(client, api, **{"from": str(ms), "to": str(ms)})
    assert target.id in ids(found)
    assert all(e.time_us // 1000 == ms for e in visible(org) if e.id in ids(found))
    day = 24 * 3600 * 1000
    window = query(client, api, **{"from": str(ms - day), "to": str(ms)})
    assert ids(window) == ids_where(org, lambda e: ms - day <= e.time_us // 1000 <= ms)


def test_filters_combine(client: httpx.Client, api: SandboxApi, org: GeneratedOrg) -> None:
    found = query(client, api, action="user_login", location=json.dumps({"countryName": "India"}), q="logged")
    assert found and ids(found) == ids_where(
        org, lambda e: e.action == "user_login" and e.place["countryName"] == "india"
    )


@pytest.mark.parametrize(("limit", "expected"), [(None, 30), ("1", 1), ("500", 500), ("77", 77)])
def test_limit_sets_page_size(client: httpx.Client, api: SandboxApi, limit: str | None, expected: int) -> None:
    params = {} if limit is None else {"limit": limit}
    page = client.get(events_path(api), params=params).json()
    assert len(page["data"]) == expected
    assert page["meta"]["page_size"] == expected
