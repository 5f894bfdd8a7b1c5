"""Delivery against the Slack stand-in: pace, bursts, refusals, lost answers, snooze ends, the lease."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import yaml

from auditbot.core.model import AuditEvent
from auditbot.playground import seed
from auditbot.playground.workspace import ALL_SCOPES
from auditbot.services.delivery import Delivery, DeliveryReport, DeliverySettings
from auditbot.services.subscriptions import Subscription
from auditbot.store.outbox import Channel
from tests.delivery.world import CHANNEL, DeliveryWorld
from tests.store.events import ANCHOR, make_event

SETTINGS = DeliverySettings(burst_threshold=5, burst_window=60.0, part_size=50)


def test_each_alert_is_posted_once_with_its_event_ids_at_one_message_a_second(world: DeliveryWorld):
    sub = world.subscribe()
    events = world.events[:3]
    world.queue(sub, events)
    report = world.delivery(settings=SETTINGS).run_once()
    assert (report.leader, report.messages, report.alerts_sent) == (True, 3, 3)
    assert world.announced_ids() == [e.id for e in events]
    assert all(gap >= 0.999 for gap in world.gaps()), world.gaps()
    assert world.outbox.count("sent") == 3
    assert world.delivery(settings=SETTINGS).run_once().messages == 0, "nothing is posted twice"
    subscription = world.subscriptions.get(sub.id)
    assert subscription is not None and subscription.last_delivery_at is not None


def test_an_event_two_subscriptions_of_a_channel_match_is_one_message_naming_both(world: DeliveryWorld):
    first, second = world.subscribe(query="action:user_login"), world.subscribe(query="actor:jane@example.com")
    event = world.events[0]
    world.queue(first, [event])
    world.queue(second, [event])
    world.delivery(settings=SETTINGS).run_once()
    (message,) = world.posts()
    assert world.announced_ids() == [event.id]
    text = str(message.blocks)
    assert first.id in text and second.id in text
    assert world.outbox.count("sent") == 2


def burst_events(count: int) -> list[AuditEvent]:
    return [
        make_event(n, time=ANCHOR - timedelta(seconds=60) + timedelta(milliseconds=100 * n), action="user_login")
        for n in range(count)
    ]


def test_a_burst_of_500_events_in_a_minute_is_a_summary_and_a_thread_with_every_event(tmp_path: Path, db_url: str):
    events = burst_events(500)
    world = DeliveryWorld(tmp_path, url=db_url, events=events)
    try:
        sub = world.subscribe()
        world.queue(sub, events)
        report = world.delivery(settings=SETTINGS).run_once()
        assert report.alerts_sent == 500
        top = world.top_level()
        assert len(top) == 1, "one summary in the channel"
        assert len(world.posts()) == 1 + 10, "the events in ten thread replies of 50"
        assert all(m.thread_ts == top[0].ts for m in world.posts() if m is not top[0])
        counts = Counter(world.announced_ids())
        assert set(counts) == {e.id for e in events} and set(counts.values()) == {1}
        assert all(gap >= 0.999 for gap in world.gaps())
    finally:
        world.close()


def test_events_arriving_while_a_burst_is_open_join_its_thread(tmp_path: Path):
    events = burst_events(40)
    world = DeliveryWorld(tmp_path, events=events)
    try:
        sub = world.subscribe()
        delivery = world.delivery(settings=SETTINGS)
        world.queue(sub, events[:30])
        delivery.run_once()
        world.clock.advance(5)
        world.queue(sub, events[30:])
        delivery.run_once()
        assert len(world.top_level()) == 1
        assert Counter(world.announced_ids()) == Counter(e.id for e in events)
        summary = world.top_level()[0]
        updated = next(m for m in world.workspace.messages(CHANNEL) if m.ts == summary.ts)
        assert "40" in updated.text, "the summary's count follows the thread"
    finally:
        world.close()


def test_a_few_events_after_the_window_closes_are_single_messages_again(tmp_path: Path):
    events = burst_events(12)
    world = DeliveryWorld(tmp_path, events=events)
    try:
        sub = world.subscribe()
        delivery = world.delivery(settings=SETTINGS)
        world.queue(sub, events[:10])
        delivery.run_once()
        world.clock.advance(61)
        world.queue(sub, events[10:])
        delivery.run_once()
        assert len(world.top_level()) == 3, "one summary, then two single alerts"
    finally:
        world.close()


def test_429_is_waited_out_and_the_alert_is_posted_once(world: DeliveryWorld):
    sub = world.subscribe()
    world.queue(sub, world.events[:1])
    world.workspace.fail_next("chat.postMessage", "ratelimited", retry_after=7, times=2)
    before = world.clock.monotonic()
    world.delivery(settings=SETTINGS).run_once()
    assert world.clock.monotonic() - before >= 14
    assert world.announced_ids() == [world.events[0].id]


def test_a_server_error_that_posted_nothing_is_checked_then_posted_once(world: DeliveryWorld):
    sub = world.subscribe()
    world.queue(sub, world.events[:2])
    world.workspace.fail_next("chat.postMessage", "internal_error", status=500)
    delivery = world.delivery(settings=SETTINGS)
    first = delivery.run_once()
    assert first.in_doubt == 1
    world.clock.advance(2)
    delivery.run_once()
    assert Counter(world.announced_ids()) == Counter(e.id for e in world.events[:2])
    assert world.workspace.calls_to("conversations.history"), "the channel was read before posting again"


def test_refusals_pause_the_channels_subscriptions_tell_the_owner_and_keep_the_alerts(world: DeliveryWorld):
    sub = world.subscribe(by=seed.RAVI)
    other = world.subscribe(query="actor:jane@example.com", by=seed.RAVI)
    world.queue(sub, world.events[:2])
    world.workspace.fail_next("chat.postMessage", "is_archived")
    delivery = world.delivery(settings=SETTINGS)
    report = delivery.run_once()
    assert sorted(report.paused) == sorted([sub.id, other.id])
    paused = world.subscriptions.get(sub.id)
    assert paused is not None and paused.paused and paused.last_error == "is_archived"
    dm = world.workspace.conversations.messages(world.workspace.directory.dm_with(seed.RAVI).id)
    assert sorted(sub_id for m in dm for sub_id in (sub.id, other.id) if sub_id in m.text) == sorted([sub.id, other.id])
    assert len(dm) == 2, "the owner hears of each paused subscription once"
    assert world.outbox.count("pending") == 2 and world.posts() == []
    world.subscriptions.resume(sub.id)
    delivery.run_once()
    assert len(world.announced_ids()) == 2


def test_a_revoked_token_pauses_too(world: DeliveryWorld):
    sub = world.subscribe()
    world.queue(sub, world.events[:1])
    world.workspace.fail_next("*", "token_revoked", times=3)
    report = world.delivery(settings=SETTINGS).run_once()
    assert report.paused == [sub.id]
    stored = world.subscriptions.get(sub.id)
    assert stored is not None and stored.last_error == "token_revoked"


def test_a_rejected_message_is_retried_a_few_times_then_given_up(world: DeliveryWorld):
    sub = world.subscribe()
    world.queue(sub, world.events[:1])
    world.workspace.fail_next("chat.postMessage", "invalid_blocks", times=10)
    delivery = world.delivery(settings=SETTINGS)
    for _ in range(6):
        delivery.run_once()
    assert world.outbox.count("failed") == 1 and world.outbox.count("pending") == 0


def test_only_the_lease_holder_posts_and_a_successor_takes_over(world: DeliveryWorld):
    sub = world.subscribe()
    world.queue(sub, world.events[:1])
    first, second = world.delivery(settings=SETTINGS), world.delivery(settings=SETTINGS)
    assert first.run_once().leader
    world.queue(sub, world.events[1:2])
    assert not second.run_once().leader
    first.release()
    assert second.run_once().alerts_sent == 1
    assert len(world.announced_ids()) == 2


def test_the_end_of_a_snooze_is_announced_once(world: DeliveryWorld):
    sub = world.subscribe()
    event = world.events[0]
    world.snoozes.snooze(
        sub.id,
        actor_id=event.actor.id,
        action=event.action,
        until=ANCHOR + timedelta(hours=1),
        created_by=seed.JANE,
        actor_label="jane@example.com",
    )
    delivery = world.delivery(settings=SETTINGS)
    delivery.run_once()
    assert world.workspace.messages(CHANNEL)[-1].user != seed.BOT_USER_ID
    world.clock.advance(3601)
    delivery.run_once()
    delivery.run_once()
    notes = [m for m in world.workspace.messages(CHANNEL) if m.user == seed.BOT_USER_ID]
    assert len(notes) == 1 and sub.id in str(notes[0].blocks) and "jane\uff20example\u2024com" in notes[0].text


def test_pending_channels_follow_the_subscriptions(world: DeliveryWorld):
    sub = world.subscribe(channel=seed.INCIDENTS)
    world.queue(sub, world.events[:1])
    assert world.outbox.pending_channels() == [Channel(seed.TEAM.id, seed.INCIDENTS)]


def test_a_post_whose_answer_was_lost_is_found_in_the_channel_and_not_posted_again(world: DeliveryWorld):
    sub = world.subscribe()
    world.queue(sub, world.events[:3])
    world.workspace.lose_next_response("chat.postMessage", status=502)
    delivery = world.delivery(settings=SETTINGS)
    first = delivery.run_once()
    assert first.in_doubt == 1 and len(world.posts()) == 1, "Slack has it, we do not know"
    world.clock.advance(2)
    second = delivery.run_once()
    assert second.reconciled == 1
    assert Counter(world.announced_ids()) == Counter(e.id for e in world.events[:3])
    assert world.outbox.count("sent") == 3


def test_a_burst_interrupted_after_its_summary_resumes_in_the_same_thread(tmp_path: Path, db_url: str):
    events = burst_events(30)
    world = DeliveryWorld(tmp_path, url=db_url, events=events)
    try:
        sub = world.subscribe()
        world.queue(sub, events)
        world.workspace.lose_next_response("chat.postMessage", status=500)  # the summary
        delivery = world.delivery(settings=DeliverySettings(burst_threshold=5, part_size=10))
        delivery.run_once()
        assert len(world.posts()) == 1
        world.clock.advance(3)
        replacement = world.delivery(settings=DeliverySettings(burst_threshold=5, part_size=10))
        delivery.release()
        replacement.run_once()
        assert len(world.top_level()) == 1, "no second summary"
        assert len(world.posts()) == 1 + 3
        assert Counter(world.announced_ids()) == Counter(e.id for e in events)
    finally:
        world.close()


def test_the_manifests_scopes_are_enough_to_deliver_and_reconcile_in_a_private_channel(tmp_path: Path):
    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())
    world = DeliveryWorld(tmp_path, scopes=manifest["oauth_config"]["scopes"]["bot"])
    try:
        sub = world.subscribe(channel=seed.INCIDENTS)
        world.queue(sub, world.events[:2])
        world.workspace.lose_next_response("chat.postMessage")
        delivery = world.delivery(settings=SETTINGS)
        delivery.run_once()
        world.clock.advance(2)
        report = delivery.run_once()
        assert (report.reconciled, report.paused) == (1, [])
        assert Counter(world.announced_ids(seed.INCIDENTS)) == Counter(e.id for e in world.events[:2])
    finally:
        world.close()


# -- reading back where the bot posts without being a member ----------------------------------------


def lost_post_in(world: DeliveryWorld, channel: str) -> tuple[Subscription, Delivery]:
    """Two alerts queued for ``channel``; the first is posted but its answer lost: Slack has it, we do not know."""
    sub = world.subscribe(channel=channel, by=seed.RAVI)
    world.queue(sub, world.events[:2])
    world.workspace.lose_next_response("chat.postMessage", status=502)
    delivery = world.delivery(settings=SETTINGS)
    first = delivery.run_once()
    assert (first.in_doubt, len(world.posts(channel))) == (1, 1)
    world.clock.advance(2)
    return sub, delivery


def joins(world: DeliveryWorld, channel: str) -> int:
    return sum(1 for call in world.workspace.calls_to("conversations.join") if call.get("channel") == channel)


def test_a_lost_post_in_a_public_channel_the_bot_never_joined_is_found_after_joining(world: DeliveryWorld):
    assert not world.workspace.directory.is_member(seed.IT_OPS, seed.BOT_USER_ID), "posts by chat:write.public"
    _, delivery = lost_post_in(world, seed.IT_OPS)
    report = delivery.run_once()
    assert (report.reconciled, report.paused) == (1, [])
    assert joins(world, seed.IT_OPS) == 1 and world.workspace.directory.is_member(seed.IT_OPS, seed.BOT_USER_ID)
    assert Counter(world.announced_ids(seed.IT_OPS)) == Counter(e.id for e in world.events[:2]), "no duplicate"
    assert world.outbox.count("sent") == 2


def test_a_bot_removed_after_a_lost_post_joins_again_and_finds_it(world: DeliveryWorld):
    _, delivery = lost_post_in(world, CHANNEL)
    world.workspace.directory.remove_member(CHANNEL, seed.BOT_USER_ID)
    report = delivery.run_once()
    assert (report.reconciled, report.paused) == (1, [])
    assert joins(world, CHANNEL) == 1
    assert Counter(world.announced_ids()) == Counter(e.id for e in world.events[:2])


def test_a_lost_burst_summary_is_resumed_after_joining_to_read_its_thread(tmp_path: Path):
    events = burst_events(30)
    world = DeliveryWorld(tmp_path, events=events)
    try:
        sub = world.subscribe(channel=seed.IT_OPS)
        world.queue(sub, events)
        world.workspace.lose_next_response("chat.postMessage", status=500)  # the summary
        delivery = world.delivery(settings=DeliverySettings(burst_threshold=5, part_size=10))
        delivery.run_once()
        world.clock.advance(3)
        world.workspace.fail_next("conversations.replies", "not_in_channel")  # removed again between the reads
        report = delivery.run_once()
        assert report.paused == [] and joins(world, seed.IT_OPS) == 2
        assert len(world.top_level(seed.IT_OPS)) == 1, "no second summary"
        assert Counter(world.announced_ids(seed.IT_OPS)) == Counter(e.id for e in events)
    finally:
        world.close()


def unjoinable_pause(world: DeliveryWorld, sub: Subscription, report: DeliveryReport, join_error: str) -> str:
    """The subscription's recorded reason, after checking the pause kept the alerts and told the owner."""
    assert report.paused == [sub.id] and report.reconciled == 0
    stored = world.subscriptions.get(sub.id)
    assert stored is not None and stored.paused and stored.last_error is not None
    assert world.outbox.count("pending") == 2 and len(world.posts(seed.IT_OPS)) == 1, "nothing posted twice"
    (dm,) = world.workspace.conversations.messages(world.workspace.directory.dm_with(seed.RAVI).id)
    assert f"Slack would not let it join (`{join_error}`)" in str(dm.blocks) and "/invite @auditbot" in str(dm.blocks)
    return stored.last_error


def test_where_joining_is_refused_the_channel_pauses_with_the_fix_and_resumes_once_invited(tmp_path: Path):
    scopes = set(ALL_SCOPES) - {"channels:join"}
    world = DeliveryWorld(tmp_path, scopes=sorted(scopes))
    try:
        sub, delivery = lost_post_in(world, seed.IT_OPS)
        report = delivery.run_once()
        reason = unjoinable_pause(world, sub, report, "missing_scope")
        assert reason == (
            "not_in_channel: auditbot could not join #it-ops to check which alerts it already posted "
            "(missing_scope); invite @auditbot to #it-ops"
        )
        world.workspace.directory.add_member(seed.IT_OPS, seed.BOT_USER_ID)  # someone typed /invite @auditbot
        world.subscriptions.resume(sub.id)
        again = delivery.run_once()
        assert (again.reconciled, again.paused) == (1, [])
        assert Counter(world.announced_ids(seed.IT_OPS)) == Counter(e.id for e in world.events[:2])
    finally:
        world.close()


def test_an_archived_channel_that_cannot_be_joined_pauses_too(world: DeliveryWorld):
    sub, delivery = lost_post_in(world, seed.IT_OPS)
    world.workspace.fail_next("conversations.join", "is_archived")
    reason = unjoinable_pause(world, sub, delivery.run_once(), "is_archived")
    assert "(is_archived); invite @auditbot to #it-ops" in reason


def test_alerts_the_pause_dm_and_the_end_of_a_snooze_name_the_subscription(world: DeliveryWorld):
    named = world.subscribe(name="Logins", by=seed.RAVI)
    described = world.subscribe(query="action:user_login,api_token_created", by=seed.RAVI)
    event = world.events[0]
    world.queue(named, [event])
    world.queue(described, [event])
    delivery = world.delivery(settings=SETTINGS)
    delivery.run_once()
    (alert,) = world.posts()
    shown = str(alert.blocks)
    assert "Matched *" in shown and f"*Logins* (`{named.id}`)" in shown
    assert f"*User login, Api token created* (`{described.id}`)" in shown

    world.snoozes.snooze(
        named.id, actor_id="a", action="user_login", until=ANCHOR + timedelta(minutes=1), created_by=seed.JANE
    )
    world.clock.advance(61)
    delivery.run_once()
    ended = [m for m in world.workspace.messages(CHANNEL) if m.user == seed.BOT_USER_ID][-1]
    assert f"on *Logins* (`{named.id}`) resume" in str(ended.blocks)

    world.queue(named, world.events[1:2])
    world.workspace.fail_next("chat.postMessage", "is_archived")
    delivery.run_once()
    dm = world.workspace.conversations.messages(world.workspace.directory.dm_with(seed.RAVI).id)
    assert any(f"*Alerts paused for* *Logins* (`{named.id}`)" in str(m.blocks) for m in dm)
    assert any(m.text.startswith(f"Alerts paused for Logins ({named.id})") for m in dm)
