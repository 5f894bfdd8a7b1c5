"""A newcomer finds each incident woven into the sandbox org by typing queries in the playground."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import Page, expect

from auditbot.playground import seed

from .test_demo import search

if TYPE_CHECKING:
    from auditbot.demo import RunningDemo

# The queries README suggests, by incident name.
QUERIES = {
    "admin_granted_at_night": "action:added_org_admin last:30d",
    "api_token_unusual_ip": 'group:"API tokens" last:30d',
    "auth_policy_deleted": "action:auth_policy_deleted last:30d",
    "user_impersonation": "action:user_logged_in_as_user last:30d",
}


def incidents(demo: RunningDemo) -> dict[str, dict[str, object]]:
    org = httpx.get(f"{demo.sandbox.root_url}/_sandbox/org", timeout=10).json()
    return {incident["name"]: incident for incident in org["incidents"]}


def shown_event_ids(demo: RunningDemo) -> str:
    """What the latest reply to Jane holds (the Details buttons carry event ids)."""
    latest = demo.workspace.ephemerals(seed.SEC_ALERTS, seed.JANE)[-1]
    return json.dumps(latest.blocks)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_each_incident_turns_up_for_the_query_readme_suggests(page: Page, demo: RunningDemo, name: str):
    incident = incidents(demo)[name]
    reply = search(page, QUERIES[name])
    expect(reply.get_by_test_id("action-event_details").first).to_be_visible()
    event_ids = incident["eventIds"]
    assert isinstance(event_ids, list)
    assert any(event_id in shown_event_ids(demo) for event_id in event_ids), incident["summary"]


def test_the_failed_login_burst_stands_out_once_narrowed_to_its_address(page: Page, demo: RunningDemo):
    """The burst's failures within a minute collapse into one row that says how many."""
    incident = incidents(demo)["failed_login_burst"]
    address = re.search(r"\d+\.\d+\.\d+\.\d+", str(incident["summary"]))
    assert address is not None
    reply = search(page, f"action:user_login_failed ip:{address.group(0)} last:30d")
    expect(reply).to_contain_text(re.compile(r"User login failed \u00d7\d+"))
    expect(reply.get_by_test_id("action-page_next")).to_be_visible()
    rows = reply.get_by_test_id("action-event_details").count()
    repeats = [int(n) for n in re.findall(r"\u00d7(\d+)", reply.inner_text())]
    assert repeats, "a burst's failed logins within one minute are one row marked with a count"
    assert rows - len(repeats) + sum(repeats) == 10, "the first page still holds ten events"
