"""Clicks on alert messages through the real app: Acknowledge, Acknowledge all, Snooze, Details.

Alerts are posted the way delivery posts them (queued in the outbox, posted by the bot, marked
sent, see ``SlackWorld.post_alert``); clicks are signed block actions on those channel messages.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from auditbot.core.model import AuditEvent
from auditbot.playground import seed
from auditbot.playground.model import WorkspaceMessage
from auditbot.slack import ids
from auditbot.slack.render.alerts import ACKNOWLEDGED_BLOCK, SEVERITY_BLOCK, ack_value, snooze_value
from tests.services.world import ANCHOR
from tests.slack.harness import SlackWorld
from tests.slack.render.support import moment
from tests.slack.test_app import event_ids

JANE, RAVI = seed.JANE, seed.RAVI


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def failed_login(slack: SlackWorld, n: int = 0) -> AuditEvent:
    return [e for e in slack.search_world.everything(days=2) if e.action == "user_login_failed"][n]


def now_in_channel(slack: SlackWorld, message: WorkspaceMessage) -> WorkspaceMessage:
    return slack.workspace.conversations.get(message.channel, message.ts)


def elements(message: WorkspaceMessage) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for block in message.blocks:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            found[element["action_id"]] = element
    return found


def snooze_option(message: WorkspaceMessage, label: str) -> str:
    options = elements(message)[ids.ALERT_SNOOZE]["options"]
    return str(next(o["value"] for o in options if o["text"]["text"] == label))


# -- Acknowledge ----------------------------------------------------------------------------------------


def test_acknowledge_replaces_the_alert_in_place_saying_who_and_when(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed")
    event = failed_login(slack)
    alert = slack.post_alert(event, sub)
    assert elements(alert)[ids.ALERT_ACK]["value"] == f"{event.id}|{sub.id}"

    slack.clock.advance(125)
    posts = len(slack.workspace.messages(seed.SEC_ALERTS))
    slack.click_on(alert, ids.ALERT_ACK, elements(alert)[ids.ALERT_ACK]["value"])

    updated = now_in_channel(slack, alert)
    assert ids.ALERT_ACK not in elements(updated)
    assert {ids.ALERT_SNOOZE, ids.EVENT_DETAILS} <= set(elements(updated))
    assert f"Acknowledged by <@{JANE}> · {moment(ANCHOR + timedelta(seconds=125))}" in text_of(updated.blocks)
    assert "User login failed" in text_of(updated.blocks) and sub.id in text_of(updated.blocks)
    (posted,) = slack.outbox.posted(seed.TEAM.id, since=ANCHOR - timedelta(days=1))
    assert (posted.acked_by, posted.acked_at) == (JANE, ANCHOR + timedelta(seconds=125))
    assert slack.trail.recent()[0].kind == "ack" and event.id in (slack.trail.recent()[0].detail or "")
    assert len(slack.workspace.messages(seed.SEC_ALERTS)) == posts + 1, "replaced in place, one line in its thread"
    assert slack.last_reply()["metadata"] == alert.metadata, "delivery's metadata is kept"
    assert updated.metadata == alert.metadata


def test_a_second_acknowledgement_keeps_the_first(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed")
    alert = slack.post_alert(failed_login(slack), sub)
    value = elements(alert)[ids.ALERT_ACK]["value"]
    slack.click_on(alert, ids.ALERT_ACK, value, user=JANE)
    first = now_in_channel(slack, alert).blocks
    slack.clock.advance(600)
    slack.click_on(alert, ids.ALERT_ACK, value, user=RAVI)  # Ravi's client still showed the button
    assert now_in_channel(slack, alert).blocks == first
    assert f"<@{RAVI}>" not in text_of(first) and f"<@{JANE}>" in text_of(first)
    (posted,) = slack.outbox.posted(seed.TEAM.id, since=ANCHOR - timedelta(days=1))
    assert (posted.acked_by, posted.acked_at) == (JANE, ANCHOR)


def test_an_alert_matching_two_subscriptions_is_acknowledged_once_for_both(slack: SlackWorld):
    one = slack.subscribe("action:user_login_failed")
    two = slack.subscribe('group:"Authentication"')
    alert = slack.post_alert(failed_login(slack), one, two)
    slack.click_on(alert, ids.ALERT_ACK, elements(alert)[ids.ALERT_ACK]["value"])
    posted = slack.outbox.posted(seed.TEAM.id, since=ANCHOR - timedelta(days=1))
    assert {p.subscription_id for p in posted} == {one.id, two.id}
    assert all(p.acked_by == JANE for p in posted)
    matched = f"Matched *User login failed* (`{one.id}`), *Authentication (group)* (`{two.id}`)"
    assert matched in text_of(now_in_channel(slack, alert).blocks)


def test_acknowledging_something_auditbot_never_posted_changes_nothing(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed")
    alert = slack.post_alert(failed_login(slack, 0), sub)
    other = failed_login(slack, 1)
    slack.click_on(alert, ids.ALERT_ACK, ack_value(other.id, [sub.id]))
    assert "no record of this alert" in text_of(slack.last_reply())
    assert slack.last_reply()["replace_original"] is False
    slack.click_on(alert, ids.ALERT_ACK, "garbage")
    assert "could not be read" in text_of(slack.last_reply())
    assert ids.ALERT_ACK in elements(now_in_channel(slack, alert))


def test_acknowledge_all_marks_the_burst_summary_and_every_alert_in_it(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed")
    burst = [e for e in slack.search_world.everything(days=7) if e.action == "user_login_failed"][:12]
    summary = slack.post_burst(burst, sub, batch="batch-42")
    thread = [m for m in slack.workspace.messages(seed.SEC_ALERTS) if m.thread_ts == summary.ts]
    assert len(thread) == 1 and ids.ALERT_PART_DETAILS in elements(thread[0])
    assert elements(summary)[ids.ALERT_ACK_BATCH]["value"] == "batch-42"

    slack.clock.advance(60)
    slack.click_on(summary, ids.ALERT_ACK_BATCH, "batch-42")
    marked = now_in_channel(slack, summary)
    assert ids.ALERT_ACK_BATCH not in elements(marked)
    assert [b.get("block_id") for b in marked.blocks].count(ACKNOWLEDGED_BLOCK) == 1
    assert f"Acknowledged by <@{JANE}> · {moment(ANCHOR + timedelta(seconds=60))}" in text_of(marked.blocks)
    assert "12 audit events matched" in text_of(marked.blocks), "the summary itself is kept"
    posted = slack.outbox.posted(seed.TEAM.id, since=ANCHOR - timedelta(days=1))
    assert len(posted) == 12 and {p.acked_by for p in posted} == {JANE}

    slack.clock.advance(60)
    slack.click_on(summary, ids.ALERT_ACK_BATCH, "batch-42", user=RAVI)  # clicked on the stale copy
    assert now_in_channel(slack, summary).blocks == marked.blocks
    assert {p.acked_by for p in slack.outbox.posted(seed.TEAM.id, since=ANCHOR - timedelta(days=1))} == {JANE}


# -- Snooze ---------------------------------------------------------------------------------------------


def test_snooze_mutes_the_actor_and_action_on_each_subscription_and_tells_the_thread(slack: SlackWorld):
    one = slack.subscribe("action:user_login_failed")
    two = slack.subscribe('group:"Authentication"')
    event = failed_login(slack)
    alert = slack.post_alert(event, one, two)
    changes = slack.alerts_changed

    slack.choose_on(alert, ids.ALERT_SNOOZE, snooze_option(alert, "1 hour"))

    snoozes = slack.snoozes.of_team(seed.TEAM.id)
    assert sorted(s.subscription_id for s in snoozes) == sorted([one.id, two.id])
    for snooze in snoozes:
        assert (snooze.actor_id, snooze.action) == (event.actor.id, "user_login_failed")
        assert (snooze.until, snooze.created_by, snooze.message_ts) == (ANCHOR + timedelta(hours=1), JANE, alert.ts)
        assert snooze.actor_label == (event.actor.email or event.actor.id), "its end is announced by name"
    assert slack.alerts_changed == changes + 1
    note = slack.workspace.messages(seed.SEC_ALERTS)[-1]
    assert note.thread_ts == alert.ts and not note.ephemeral_for
    label = event.actor.email or event.actor.id
    # Jane is in Berlin, but each reader sees the end in their own zone.
    expected = f"<@{JANE}> snoozed *{label}* doing *User login failed* until {moment(ANCHOR + timedelta(hours=1))}."
    assert expected in text_of(note.blocks)
    assert "CET" not in text_of(note.blocks) and "Europe/Berlin" not in text_of(note.blocks)
    entry = slack.trail.recent()[0]
    assert entry.kind == "snooze" and one.id in (entry.detail or "") and two.id in (entry.detail or "")


def test_snooze_until_tomorrow_morning_is_read_in_the_clickers_zone(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed")
    alert = slack.post_alert(failed_login(slack), sub)
    slack.choose_on(alert, ids.ALERT_SNOOZE, snooze_option(alert, "Until 09:00 tomorrow (your time)"), user=RAVI)
    (snooze,) = slack.snoozes.of_team(seed.TEAM.id)
    kolkata = ZoneInfo("Asia/Kolkata")  # 12:00 UTC is 17:30 there
    assert snooze.until == datetime(2026, 11, 26, 9, 0, tzinfo=kolkata)
    assert snooze.until == datetime(2026, 11, 26, 3, 30, tzinfo=UTC)
    note = text_of(slack.workspace.messages(seed.SEC_ALERTS)[-1].blocks)
    assert f"until {moment(snooze.until)}." in note and "IST" not in note


def test_snoozing_again_moves_the_end(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed")
    alert = slack.post_alert(failed_login(slack), sub)
    slack.choose_on(alert, ids.ALERT_SNOOZE, snooze_option(alert, "1 hour"))
    slack.choose_on(alert, ids.ALERT_SNOOZE, snooze_option(alert, "4 hours"))
    (snooze,) = slack.snoozes.of_team(seed.TEAM.id)
    assert snooze.until == ANCHOR + timedelta(hours=4)


def test_snooze_on_a_removed_subscription_or_a_tampered_value_changes_nothing(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed")
    elsewhere = slack.subscribe("action:user_login_failed", channel=seed.IT_OPS)
    event = failed_login(slack)
    alert = slack.post_alert(event, sub)
    value = snooze_option(alert, "1 hour")
    slack.choose_on(alert, ids.ALERT_SNOOZE, snooze_value("1h", [elsewhere.id], event.id) or "")
    assert "nothing to snooze" in text_of(slack.last_reply()), "only subscriptions posting here"
    slack.choose_on(alert, ids.ALERT_SNOOZE, "forever|sub-x|e")
    assert "could not be read" in text_of(slack.last_reply())
    slack.subscriptions.remove(sub.id)
    slack.choose_on(alert, ids.ALERT_SNOOZE, value)
    assert "nothing to snooze" in text_of(slack.last_reply())
    assert slack.snoozes.of_team(seed.TEAM.id) == []


@pytest.mark.parametrize("action_id", [ids.ALERT_PART_DETAILS, ids.EVENT_DETAILS])
def test_details_open_the_event(slack: SlackWorld, action_id: str):
    sub = slack.subscribe("action:user_login_failed")
    events = [e for e in slack.search_world.everything(days=7) if e.action == "user_login_failed"][:5]
    summary = slack.post_burst(events, sub, batch="b-7")
    part = next(m for m in slack.workspace.messages(seed.SEC_ALERTS) if m.thread_ts == summary.ts)
    alert = slack.post_alert(events[3], sub)
    if action_id == ids.ALERT_PART_DETAILS:
        slack.choose_on(part, action_id, events[3].id)
    else:
        slack.click_on(alert, action_id, elements(alert)[ids.EVENT_DETAILS]["value"])
    view = slack.calls("views.open")[-1]["view"]
    assert view["callback_id"] == ids.EVENT_DETAIL and events[3].id in text_of(view)


@pytest.mark.parametrize("action_id", ids.ALERT_ACTIONS + ids.TRIAGE_ACTIONS + ids.SUBSCRIPTION_ACTIONS)
def test_every_alert_and_subscription_action_has_a_listener(slack: SlackWorld, action_id: str):
    sub = slack.subscribe("action:user_login_failed")
    alert = slack.post_alert(failed_login(slack), sub)
    assert slack.click_on(alert, action_id, "x").status == 200


# -- the card's state, severity, Investigate and the link ------------------------------------------------


def test_snoozing_marks_the_card_itself_and_acknowledging_keeps_the_mark(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed", name="Failed logins")
    alert = slack.post_alert(failed_login(slack), sub)
    posts = len(slack.workspace.messages(seed.SEC_ALERTS))
    slack.choose_on(alert, ids.ALERT_SNOOZE, snooze_option(alert, "4 hours"))

    snoozed = now_in_channel(slack, alert)
    until = int((ANCHOR + timedelta(hours=4)).timestamp())
    assert f"Snoozed by <@{JANE}> until <!date^{until}^" in text_of(snoozed.blocks)
    assert snoozed.metadata == alert.metadata, "delivery's metadata is kept"
    assert ids.ALERT_ACK in elements(snoozed), "still to be acknowledged"
    assert len(slack.workspace.messages(seed.SEC_ALERTS)) == posts + 1, "the card in place, and the thread note"

    slack.choose_on(snoozed, ids.ALERT_SNOOZE, snooze_option(snoozed, "1 hour"), user=RAVI)
    again = now_in_channel(slack, alert)
    assert text_of(again.blocks).count("Snoozed by") == 1 and f"Snoozed by <@{RAVI}>" in text_of(again.blocks)

    slack.click_on(again, ids.ALERT_ACK, elements(again)[ids.ALERT_ACK]["value"])
    acked = text_of(now_in_channel(slack, alert).blocks)
    assert f"Acknowledged by <@{JANE}>" in acked and f"Snoozed by <@{RAVI}>" in acked
    assert f"Matched *Failed logins* (`{sub.id}`)" in acked


def test_a_risky_alert_stands_out_and_a_plain_one_does_not(slack: SlackWorld):
    sub = slack.subscribe("action:added_org_admin,user_login_failed")
    grant = next(e for e in slack.search_world.everything(days=30) if e.action == "added_org_admin")
    risky = slack.post_alert(grant, sub)
    assert risky.blocks[0]["block_id"] == SEVERITY_BLOCK and ":rotating_light: *High severity*" in text_of(risky.blocks)
    assert risky.text.startswith("Audit alert (High):")
    plain = slack.post_alert(failed_login(slack), sub)
    assert "severity" not in text_of(plain.blocks)


def test_investigate_searches_the_actor_from_the_address_around_the_event_for_the_clicker(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed")
    event = failed_login(slack)
    alert = slack.post_alert(event, sub)
    posts = len(slack.workspace.messages(seed.SEC_ALERTS))
    slack.click_on(alert, ids.ALERT_INVESTIGATE, elements(alert)[ids.ALERT_INVESTIGATE]["value"], user=RAVI)

    reply = slack.last_reply()
    assert reply["response_type"] == "ephemeral" and reply.get("replace_original") is not True
    shown = text_of(reply)
    actor = event.actor.email or event.actor.id
    assert f"Investigating the alert: events by {actor} from {event.ip}" in shown
    expected = [
        e.id
        for e in slack.search_world.everything(days=3)
        if e.actor.id == event.actor.id and e.ip == event.ip and abs(e.time - event.time) <= timedelta(days=1)
    ]
    assert expected and event.id in expected
    assert event_ids(reply) == expected[: len(event_ids(reply))] and event.id in shown
    entry = slack.trail.recent()[0]
    assert (entry.kind, entry.user_id) == ("query", RAVI) and f"actor:{actor}" in (entry.query or "")
    assert len(slack.workspace.messages(seed.SEC_ALERTS)) == posts, "nothing posted for everyone"
    assert now_in_channel(slack, alert).blocks == alert.blocks


def test_investigate_on_an_event_auditbot_cannot_find_says_so(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed")
    alert = slack.post_alert(failed_login(slack), sub)
    slack.click_on(alert, ids.ALERT_INVESTIGATE, "00000000-0000-4000-8000-000000000000")
    assert "Traceback" not in text_of(slack.last_reply()) and slack.last_reply()["response_type"] == "ephemeral"


def test_the_card_links_to_the_orgs_audit_log_in_atlassian_administration(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed")
    alert = slack.post_alert(failed_login(slack), sub)
    link = elements(alert)[ids.ALERT_OPEN_ADMIN]
    assert link["url"] == f"https://admin.atlassian.com/o/{slack.deps.org_id}/audit-log"
    assert slack.click_on(alert, ids.ALERT_OPEN_ADMIN, "").status == 200
    assert slack.replies() == [], "a link needs no answer"
