"""``AlertStates.posted`` on SQLite and PostgreSQL: the workspace's posted alerts joined with their
states (open when no row), one per (channel, event), newest first, by view, assignee, channel and pin."""

from __future__ import annotations

from auditbot.core.clock import ManualClock
from auditbot.core.triage import AlertKey, Reason, State, Triage
from auditbot.store.alert_states import AlertStates
from auditbot.store.db import Database
from auditbot.store.outbox import Outbox
from auditbot.store.subscriptions import Subscriptions
from tests.store.events import ANCHOR

MAYA, RAVI = "U0MAYA", "U0RAVI"
UNRESOLVED = (State.OPEN, State.ACKNOWLEDGED)


def post(store: Database, clock: ManualClock, subs: list[str], event: str) -> None:
    """``event`` posted by ``subs`` (all in one channel) in one message, as delivery leaves it."""
    box = Outbox(store, clock)
    with store.begin() as conn:
        box.add(conn, "org", [(s, event) for s in subs])
    ids = [p.id for c in box.pending_channels() for p in box.pending(c) if p.event_id == event]
    box.attempt(ids, f"b-{event}")
    box.sent(ids, f"1.{event}")
    clock.advance(60)


def test_posted_alerts_come_newest_first_once_each_with_their_state(store: Database, clock: ManualClock):
    made = Subscriptions(store, clock)
    one = made.create(team_id="T1", channel_id="C1", query="a", created_by=MAYA).id
    two = made.create(team_id="T1", channel_id="C1", query="b", created_by=MAYA).id
    other = made.create(team_id="T1", channel_id="C2", query="c", created_by=MAYA).id
    elsewhere = made.create(team_id="T9", channel_id="C9", query="d", created_by=MAYA).id
    post(store, clock, [one, two], "e1")  # two subscriptions, one message
    post(store, clock, [other], "e2")
    post(store, clock, [one], "e3")
    post(store, clock, [elsewhere], "e4")
    states = AlertStates(store)
    assigned = Triage(State.ACKNOWLEDGED, MAYA, changed_by=MAYA, changed_at=ANCHOR)
    resolved = Triage(State.RESOLVED, RAVI, Reason.FALSE_POSITIVE, "noisy", RAVI, ANCHOR)
    assert states.compare_and_set(AlertKey.event("C1", "e1"), assigned, expected=0) is not None
    assert states.compare_and_set(AlertKey.event("C1", "e3"), resolved, expected=0) is not None
    assert states.compare_and_set(AlertKey.event("C2", "e1"), resolved, expected=0) is not None  # not posted there

    unresolved = states.posted("T1", states=UNRESOLVED, limit=10)
    assert [(a.channel_id, a.event_id) for a in unresolved] == [("C2", "e2"), ("C1", "e1")]
    assert unresolved[0].triage == Triage() and unresolved[1].triage == assigned
    assert unresolved[1].message_ts == "1.e1" and unresolved[1].posted_at.tzinfo is not None
    done = states.posted("T1", states=(State.RESOLVED,), limit=10)
    assert [(a.event_id, a.triage) for a in done] == [("e3", resolved)]
    assert [a.event_id for a in states.posted("T1", states=UNRESOLVED, assignee=MAYA, limit=10)] == ["e1"]
    assert [a.event_id for a in states.posted("T1", states=UNRESOLVED, channel_id="C1", limit=10)] == ["e1"]
    assert [a.event_id for a in states.posted("T9", states=UNRESOLVED, limit=10)] == ["e4"]


def test_a_page_reads_up_to_its_pin_with_limit_and_offset(store: Database, clock: ManualClock):
    sub = Subscriptions(store, clock).create(team_id="T1", channel_id="C1", query="a", created_by=MAYA).id
    for n in range(5):
        post(store, clock, [sub], f"e{n}")
    states = AlertStates(store)
    everything = states.posted("T1", states=tuple(State), limit=10)
    assert [a.event_id for a in everything] == ["e4", "e3", "e2", "e1", "e0"]
    pin = everything[2].posted_id
    post(store, clock, [sub], "e5")
    assert [a.event_id for a in states.posted("T1", states=UNRESOLVED, up_to_id=pin, limit=2)] == ["e2", "e1"]
    assert [a.event_id for a in states.posted("T1", states=UNRESOLVED, up_to_id=pin, limit=2, offset=2)] == ["e0"]
