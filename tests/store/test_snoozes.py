from __future__ import annotations

from datetime import timedelta

from auditbot.core.clock import ManualClock
from auditbot.store.db import Database
from auditbot.store.snoozes import Snoozes
from auditbot.store.subscriptions import Subscriptions


def test_a_snooze_runs_until_its_end_and_snoozing_again_moves_the_end(store: Database, clock: ManualClock):
    sub = Subscriptions(store, clock).create(team_id="T1", channel_id="C1", query="x", created_by="U1")
    other = Subscriptions(store, clock).create(team_id="T2", channel_id="C9", query="x", created_by="U1")
    snoozes = Snoozes(store, clock)
    hour = clock.now() + timedelta(hours=1)
    first = snoozes.snooze(sub.id, actor_id="a1", action="user_login", until=hour, created_by="U1", message_ts="1.1")
    snoozes.snooze(other.id, actor_id="a1", action="user_login", until=hour, created_by="U1")
    assert (first.until, first.message_ts, first.announced_at) == (hour, "1.1", None)
    assert [s.subscription_id for s in snoozes.of_team("T1")] == [sub.id]
    assert len(snoozes.active()) == 2

    clock.advance(3601)
    assert snoozes.active() == []
    ended = snoozes.ended_unannounced()
    assert [s.subscription_id for s in ended] == [sub.id, other.id]
    assert snoozes.announced(ended[0])
    assert not snoozes.announced(ended[0]), "announced once"
    assert [s.subscription_id for s in snoozes.ended_unannounced()] == [other.id]

    later = clock.now() + timedelta(hours=4)
    again = snoozes.snooze(sub.id, actor_id="a1", action="user_login", until=later, created_by="U2")
    assert (again.id, again.until, again.created_by, again.announced_at) == (first.id, later, "U2", None)
    assert [s.id for s in snoozes.active()] == [first.id]


def test_an_end_is_not_marked_announced_when_the_snooze_was_renewed_meanwhile(store: Database, clock: ManualClock):
    sub = Subscriptions(store, clock).create(team_id="T1", channel_id="C1", query="x", created_by="U1")
    snoozes = Snoozes(store, clock)
    snoozes.snooze(sub.id, actor_id="a1", action="x", until=clock.now() + timedelta(minutes=1), created_by="U1")
    clock.advance(120)
    (ended,) = snoozes.ended_unannounced()
    snoozes.snooze(sub.id, actor_id="a1", action="x", until=clock.now() + timedelta(hours=1), created_by="U1")
    assert not snoozes.announced(ended)
    assert len(snoozes.active()) == 1
