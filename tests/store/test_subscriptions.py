from __future__ import annotations

import re

import pytest

from auditbot.core.clock import ManualClock
from auditbot.services.subscriptions import SubscriptionExists
from auditbot.store.db import Database
from auditbot.store.subscriptions import Subscriptions, new_id


def test_a_subscription_is_stored_and_listed_for_its_workspace(store: Database, clock: ManualClock):
    subs = Subscriptions(store, clock)
    made_at = clock.now()
    first = subs.create(team_id="T1", channel_id="C1", query="action:added_org_admin", created_by="U1")
    clock.advance(60)
    second = subs.create(team_id="T1", channel_id="C2", query='group:"API tokens"', created_by="U2")
    subs.create(team_id="T2", channel_id="C9", query="x", created_by="U9")
    assert [s.id for s in subs.of_team("T1")] == [first.id, second.id]
    assert subs.get(first.id) == first
    assert first.created_at == made_at


def test_a_name_is_kept_changed_and_taken_away(store: Database, clock: ManualClock):
    subs = Subscriptions(store, clock)
    named = subs.create(team_id="T1", channel_id="C1", query="action:x", created_by="U1", name="Admin grants ✓")
    clock.advance(60)
    unnamed = subs.create(team_id="T1", channel_id="C1", query="action:y", created_by="U1")
    assert subs.get(named.id) == named and named.name == "Admin grants ✓"
    assert subs.get(unnamed.id) == unnamed and unnamed.name is None
    assert subs.rename(unnamed.id, "Logins")
    assert [s.name for s in subs.of_team("T1")] == ["Admin grants ✓", "Logins"]
    assert subs.rename(named.id, None) and subs.get(named.id).name is None  # type: ignore[union-attr]
    assert not subs.rename("sub-gone00", "x")


def test_pause_resume_remove_and_delivery_marks(store: Database, clock: ManualClock):
    subs = Subscriptions(store, clock)
    made = subs.create(team_id="T1", channel_id="C1", query="action:user_login", created_by="U1")
    assert subs.pause(made.id, error="channel_not_found")
    paused = subs.get(made.id)
    assert paused is not None and paused.paused and paused.last_error == "channel_not_found"
    assert [s.id for s in subs.active()] == []
    assert subs.resume(made.id)
    resumed = subs.get(made.id)
    assert resumed is not None and not resumed.paused and resumed.last_error is None
    clock.advance(30)
    assert subs.delivered(made.id)
    delivered = subs.get(made.id)
    assert delivered is not None and delivered.last_delivery_at == clock.now()
    assert subs.remove(made.id)
    assert not subs.remove(made.id)
    assert subs.get(made.id) is None
    assert not subs.pause("sub-nothere")


def test_ids_are_short_and_unambiguous():
    ids = {new_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(re.fullmatch(r"sub-[2-9a-hjkmnp-z]{6}", i) for i in ids)


def test_a_channel_is_subscribed_to_a_query_once_even_by_two_replicas(store: Database, clock: ManualClock):
    ours, theirs = Subscriptions(store, clock), Subscriptions(store, clock)
    won = theirs.create(team_id="T1", channel_id="C1", query="action:user_login", created_by="U2")
    with pytest.raises(SubscriptionExists) as lost:
        ours.create(team_id="T1", channel_id="C1", query="action:user_login", created_by="U1")
    assert lost.value.existing == won
    assert ours.existing("T1", "C1", "action:user_login") == won
    assert ours.existing("T1", "C2", "action:user_login") is None
    long_query = "name:" + "\u8a9e" * 1_495
    made = ours.create(team_id="T1", channel_id="C1", query=long_query, created_by="U1")
    assert ours.existing("T1", "C1", long_query) == made, "a query too long for a b-tree entry is still keyed"
    assert len(ours.of_team("T1")) == 2
