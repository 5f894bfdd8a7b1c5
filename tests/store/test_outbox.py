from __future__ import annotations

from datetime import timedelta
from itertools import count

from auditbot.core.clock import ManualClock
from auditbot.store.db import Database
from auditbot.store.outbox import MAX_ATTEMPTS, Channel, Outbox
from auditbot.store.snoozes import Snoozes
from auditbot.store.subscriptions import Subscriptions

C1 = Channel("T1", "C1")
_QUERIES = count()
"""A channel is subscribed to a query once: each queued subscription gets a query of its own."""


def queued(store: Database, clock: ManualClock, events: int = 5, channel: str = "C1") -> tuple[Outbox, str]:
    query = f"x{next(_QUERIES)}"
    sub = Subscriptions(store, clock).create(team_id="T1", channel_id=channel, query=query, created_by="U1")
    box = Outbox(store, clock)
    with store.begin() as conn:
        assert box.add(conn, "org", [(sub.id, f"e{n}") for n in range(events)]) == events
    return box, sub.id


def test_each_subscription_event_pair_is_queued_once(store: Database, clock: ManualClock):
    box, sub = queued(store, clock)
    with store.begin() as conn:
        assert box.add(conn, "org", [(sub, "e1"), (sub, "e1"), (sub, "e9")]) == 1
    assert box.count("pending") == 6
    assert box.pending_channels() == [C1]
    assert [a.event_id for a in box.pending(C1)] == ["e0", "e1", "e2", "e3", "e4", "e9"]


def test_a_channel_gets_the_alerts_of_all_its_unpaused_subscriptions(store: Database, clock: ManualClock):
    box, first = queued(store, clock, events=2)
    _, second = queued(store, clock, events=3)
    _, elsewhere = queued(store, clock, events=1, channel="C2")
    assert box.pending_channels() == [C1, Channel("T1", "C2")]
    assert {(a.subscription_id, a.event_id) for a in box.pending(C1)} == {
        (first, "e0"),
        (first, "e1"),
        (second, "e0"),
        (second, "e1"),
        (second, "e2"),
    }
    Subscriptions(store, clock).pause(second)
    Subscriptions(store, clock).pause(elsewhere)
    assert box.pending_channels() == [C1]
    assert [a.subscription_id for a in box.pending(C1)] == [first, first]
    assert len(box.pending(C1, limit=1)) == 1


def test_an_events_alerts_are_never_split_by_the_limit(store: Database, clock: ManualClock):
    box, first = queued(store, clock, events=3)
    _, second = queued(store, clock, events=3)
    limited = box.pending(C1, limit=2)
    assert sorted((a.event_id, a.subscription_id) for a in limited) == sorted(
        [("e0", first), ("e0", second), ("e1", first), ("e1", second)]
    )


def test_an_attempt_is_remembered_until_sent_and_marks_the_subscription_delivered(store: Database, clock: ManualClock):
    box, sub = queued(store, clock, events=3)
    alerts = box.pending(C1)
    box.attempt([alerts[0].id, alerts[1].id], "b-1")
    clock.advance(5)
    first, second, third = box.pending(C1)
    assert (first.batch, second.batch, third.batch) == ("b-1", "b-1", None)
    assert first.attempted_at == clock.now() - timedelta(seconds=5)
    box.sent([first.id, second.id], "1700000000.000100", thread_ts="1700000000.000001")
    assert [a.event_id for a in box.pending(C1)] == ["e2"]
    assert box.count("sent") == 2
    subscription = Subscriptions(store, clock).get(sub)
    assert subscription is not None and subscription.last_delivery_at == clock.now()
    posted = box.posted("T1", since=clock.now() - timedelta(hours=1))
    assert [(p.event_id, p.message_ts, p.thread_ts) for p in posted] == [
        ("e0", "1700000000.000100", "1700000000.000001"),
        ("e1", "1700000000.000100", "1700000000.000001"),
    ]


def test_failed_attempts_keep_the_batch_only_when_in_doubt_then_give_up(store: Database, clock: ManualClock):
    box, _ = queued(store, clock, events=2)
    doubtful, refused = box.pending(C1)
    box.attempt([doubtful.id, refused.id], "b-1")
    box.failed_attempt([doubtful.id], in_doubt=True)
    box.failed_attempt([refused.id], in_doubt=False)
    again = {a.event_id: a for a in box.pending(C1)}
    assert (again["e0"].batch, again["e0"].attempts) == ("b-1", 1)
    assert (again["e1"].batch, again["e1"].attempts) == (None, 1)
    box.not_in_doubt([doubtful.id])
    assert box.pending(C1)[0].batch is None
    for _ in range(MAX_ATTEMPTS - 1):
        box.failed_attempt([refused.id], in_doubt=False)
    assert box.count("failed") == 1
    assert [a.event_id for a in box.pending(C1)] == ["e0"]


def test_acknowledging_an_alert_keeps_the_first_click(store: Database, clock: ManualClock):
    box, _sub = queued(store, clock, events=2)
    alerts = box.pending(C1)
    box.sent([a.id for a in alerts], "1.000100")
    assert box.acknowledge("C2", "e0", "U9") is None, "not an alert of that channel"
    first = box.acknowledge("C1", "e0", "U1")
    assert first == clock.now()
    clock.advance(60)
    assert box.acknowledge("C1", "e0", "U2") == first
    since = clock.now() - timedelta(hours=1)
    assert [p.event_id for p in box.posted("T1", since=since, unacknowledged=True)] == ["e1"]
    acked = [p for p in box.posted("T1", since=since) if p.event_id == "e0"]
    assert [(p.acked_by, p.acked_at) for p in acked] == [("U1", first)]


def test_removing_a_subscription_removes_its_alerts_and_snoozes(store: Database, clock: ManualClock):
    box, sub = queued(store, clock, events=2)
    Snoozes(store, clock).snooze(
        sub, actor_id="a1", action="x", until=clock.now() + timedelta(hours=1), created_by="U1"
    )
    assert Subscriptions(store, clock).remove(sub)
    assert box.count("pending") == 0
    assert Snoozes(store, clock).active() == []
