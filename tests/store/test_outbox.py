from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from auditbot.core.clock import ManualClock
from auditbot.store.db import Database
from auditbot.store.outbox import MAX_ATTEMPTS, Outbox
from auditbot.store.subscriptions import Subscriptions


def queued(store: Database, clock: ManualClock, events: int = 5) -> tuple[Outbox, str]:
    sub = Subscriptions(store, clock).create(team_id="T1", channel_id="C1", query="x", created_by="U1")
    box = Outbox(store, clock)
    with store.begin() as conn:
        assert box.add(conn, "org", [(sub.id, f"e{n}") for n in range(events)]) == events
    return box, sub.id


def test_each_subscription_event_pair_is_queued_once(store: Database, clock: ManualClock):
    box, sub = queued(store, clock)
    with store.begin() as conn:
        assert box.add(conn, "org", [(sub, "e1"), (sub, "e1"), (sub, "e9")]) == 1
    assert box.count("pending") == 6
    assert box.pending_subscriptions() == [sub]


def test_claimed_alerts_are_sent_or_retried_then_given_up(store: Database, clock: ManualClock):
    box, sub = queued(store, clock)
    claimed = box.claim(sub, "n1", limit=3)
    assert [a.event_id for a in claimed] == ["e0", "e1", "e2"]
    assert [a.event_id for a in box.claim(sub, "n2", limit=10)] == ["e3", "e4"], "the first claim holds"
    box.sent([a.id for a in claimed[:2]], "1700000000.000100")
    assert box.count("sent") == 2
    for _ in range(MAX_ATTEMPTS):
        box.failed_attempt([claimed[2].id])
    assert box.count("failed") == 1


def test_a_dead_notifiers_claim_expires(store: Database, clock: ManualClock):
    box, sub = queued(store, clock, events=2)
    assert len(box.claim(sub, "dead", ttl=60)) == 2
    assert box.claim(sub, "alive") == []
    clock.advance(61)
    assert len(box.claim(sub, "alive")) == 2


def test_concurrent_notifiers_never_claim_the_same_alert(store: Database, clock: ManualClock):
    box, sub = queued(store, clock, events=200)
    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(lambda n: box.claim(sub, f"n{n}", limit=60), range(4)))
    ids = [a.id for batch in batches for a in batch]
    assert len(ids) == len(set(ids))
    assert len(ids) == 200
