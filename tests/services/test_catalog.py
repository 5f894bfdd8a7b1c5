from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from auditbot.core.clock import ManualClock
from auditbot.core.errors import ApiServerError, AuditbotError
from auditbot.core.model import AuditAction
from auditbot.services.catalog import ActionCatalog, UnknownActionError, humanise

ACTIONS_FILE = Path(__file__).parents[2] / "auditbot" / "sandbox" / "actions.json"


def real_actions() -> list[AuditAction]:
    data = json.loads(ACTIONS_FILE.read_text())["data"]
    return [
        AuditAction(id=a["id"], display_name=a["attributes"]["displayName"], group=a["attributes"]["groupDisplayName"])
        for a in data
    ]


class FakeActionSource:
    """The /event-actions boundary: counts fetches, can fail, can hold a fetch open."""

    def __init__(self, actions: list[AuditAction] | None = None) -> None:
        self.actions = real_actions() if actions is None else actions
        self.calls: list[str | None] = []
        self.fail = False
        self.gate: threading.Event | None = None

    def list_event_actions(self, *, locale=None, max_wait=None):
        self.calls.append(locale)
        if self.gate is not None:
            self.gate.wait(timeout=5)
        if self.fail:
            raise ApiServerError("The Admin API failed (500).")
        return list(self.actions)


def make(source=None, ttl=3600.0):
    clock = ManualClock()
    source = source or FakeActionSource()
    return ActionCatalog(source, org_id="org", clock=clock, ttl_seconds=ttl), source, clock


def test_the_catalog_is_fetched_once_then_served_from_cache_until_the_ttl():
    catalog, source, clock = make(ttl=100)
    catalog.snapshot()
    clock.advance(99)
    catalog.snapshot()
    assert len(source.calls) == 1
    clock.advance(2)
    catalog.snapshot()
    assert len(source.calls) == 2


def test_locales_are_cached_separately():
    catalog, source, _ = make()
    catalog.snapshot("en")
    catalog.snapshot("de")
    catalog.snapshot("en")
    assert source.calls == ["en", "de"]


def test_a_failed_refresh_keeps_serving_the_stale_catalog_and_says_so():
    catalog, source, clock = make(ttl=100)
    fresh = catalog.snapshot()
    assert not fresh.stale
    clock.advance(101)
    source.fail = True
    stale = catalog.snapshot()
    assert stale.stale
    assert stale.actions == fresh.actions
    assert stale.problem is not None and "could not be refreshed" in stale.problem
    assert stale.fetched_at == fresh.fetched_at


def test_after_a_failure_the_api_is_not_asked_again_for_a_minute():
    catalog, source, clock = make()
    source.fail = True
    assert catalog.snapshot().actions == ()
    catalog.snapshot()
    assert len(source.calls) == 1
    clock.advance(61)
    source.fail = False
    assert catalog.snapshot().actions
    assert len(source.calls) == 2


def test_concurrent_callers_share_one_fetch():
    source = FakeActionSource()
    source.gate = threading.Event()
    catalog, _, _ = make(source)
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(catalog.snapshot) for _ in range(8)]
        source.gate.set()
        results = [f.result(timeout=5) for f in futures]
    assert len(source.calls) == 1
    assert all(r is results[0] for r in results)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("user_added_to_group", ["user_added_to_group"]),
        ("USER_ADDED_TO_GROUP", ["user_added_to_group"]),
        ("user added to group", ["user_added_to_group"]),
        ("User added to group", ["user_added_to_group"]),
        ("API tokens", ["api_token_created", "api_token_revoked"]),
        ("added_org", ["added_org_admin"]),
        ("user login failed", ["user_login_failed"]),
    ],
)
def test_text_resolves_by_id_name_group_and_unambiguous_prefix(text, ids):
    snapshot = make()[0].snapshot()
    assert sorted(a.id for a in snapshot.resolve(text)) == ids


def test_an_ambiguous_prefix_lists_the_candidates():
    snapshot = make()[0].snapshot()
    with pytest.raises(UnknownActionError) as caught:
        snapshot.resolve("api token")
    assert caught.value.ambiguous
    assert {"api_token_created", "api_token_revoked"} <= set(caught.value.suggestions)


def test_an_unknown_action_gets_did_you_mean():
    snapshot = make()[0].snapshot()
    with pytest.raises(UnknownActionError) as caught:
        snapshot.resolve("user_aded_to_grup")
    assert caught.value.suggestions[0] == "user_added_to_group"
    assert (
        caught.value.hint == "Try /audit actions to browse every action."
    )  # the suggestion is said once, by the error


def test_an_empty_catalog_still_accepts_id_shaped_text():
    catalog, source, _ = make(FakeActionSource([]))
    source.fail = True
    assert [a.id for a in catalog.snapshot().resolve("brand_new_action")] == ["brand_new_action"]


def test_actions_missing_from_the_catalog_get_a_humanised_name():
    snapshot = make()[0].snapshot()
    assert snapshot.get("confluence_space_exported").display_name == "Confluence space exported"
    assert snapshot.get("user_login").display_name == "User login"
    assert humanise("") == ""


def test_blank_display_names_from_the_api_are_filled_in():
    source = FakeActionSource([AuditAction(id="user_login", display_name="", group="")])
    assert make(source)[0].snapshot().get("user_login").display_name == "User login"


def test_groups_list_every_action_once_and_unknown_groups_suggest():
    snapshot = make()[0].snapshot()
    groups = snapshot.groups()
    assert sum(len(v) for v in groups.values()) == len(snapshot.actions)
    assert [a.id for a in snapshot.resolve_group("group management")][:1]
    with pytest.raises(AuditbotError) as caught:
        snapshot.resolve_group("user managment")
    assert getattr(caught.value, "suggestions", [])[0] == "User management"
