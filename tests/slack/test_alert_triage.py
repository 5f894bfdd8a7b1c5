"""Triage on an alert's card through the real app: Assign to me, the Assign picker, Resolve (its modal),
Reopen, and the refusals (a resolved alert resolved again, admins-only resolving, another channel's alert).

Each change redraws the card in place from the stored state, adds one line to the alert's thread and
one entry to the bot's trail.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from auditbot.core.access import AccessPolicy
from auditbot.core.triage import AlertKey, Reason, State
from auditbot.playground import seed
from auditbot.playground.model import WorkspaceMessage
from auditbot.slack import ids
from auditbot.slack.render.alerts import TRIAGE_BLOCK
from tests.services.world import ANCHOR
from tests.slack.harness import SlackWorld
from tests.slack.render.support import moment
from tests.slack.test_alert_buttons import elements, failed_login, now_in_channel, text_of

JANE, RAVI = seed.JANE, seed.RAVI


def posted_alert(slack: SlackWorld, n: int = 0, channel: str = seed.SEC_ALERTS) -> WorkspaceMessage:
    subs = [s for s in slack.subscriptions.in_channel(seed.TEAM.id, channel) if s.query == "action:user_login_failed"]
    sub = subs[0] if subs else slack.subscribe("action:user_login_failed", channel=channel)
    return slack.post_alert(failed_login(slack, n), sub)


def thread_of(slack: SlackWorld, alert: WorkspaceMessage) -> list[WorkspaceMessage]:
    return [m for m in slack.workspace.messages(alert.channel) if m.thread_ts == alert.ts and m.ts != alert.ts]


def triage_line(message: WorkspaceMessage) -> str:
    return text_of([b for b in message.blocks if b.get("block_id") == TRIAGE_BLOCK])


def value(alert: WorkspaceMessage) -> str:
    return str(elements(alert)[ids.ALERT_RESOLVE]["value"])


def event_of(alert: WorkspaceMessage) -> str:
    return value(alert).partition("|")[0]


def pick_user(slack: SlackWorld, alert: WorkspaceMessage, picked: str, *, user: str = JANE) -> None:
    payload = slack._on_message(alert, user, {"action_id": ids.ALERT_ASSIGN, "block_id": "b", "type": "users_select"})
    payload["actions"][0]["selected_user"] = picked
    assert slack.interaction(payload).status == 200


def submit_resolve(
    slack: SlackWorld, reason: Reason, comment: str | None = None, *, user: str = JANE, metadata: str | None = None
) -> Any:
    view = slack.calls("views.open")[-1]["view"]
    assert view["callback_id"] == ids.RESOLVE_FORM
    values: dict[str, Any] = {
        ids.RESOLVE_REASON: {
            ids.RESOLVE_REASON: {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": reason.label}, "value": reason.value},
            }
        },
        ids.RESOLVE_COMMENT: {ids.RESOLVE_COMMENT: {"type": "plain_text_input", "value": comment}},
    }
    return slack.interaction(
        {
            "type": "view_submission",
            "team": {"id": seed.TEAM.id},
            "user": {"id": user},
            "view": {
                "id": "V0RESOLVE",
                "type": "modal",
                "callback_id": ids.RESOLVE_FORM,
                "private_metadata": view["private_metadata"] if metadata is None else metadata,
                "state": {"values": values},
            },
        }
    )


def resolve(slack: SlackWorld, alert: WorkspaceMessage, reason: Reason, comment: str | None = None) -> None:
    slack.click_on(alert, ids.ALERT_RESOLVE, value(alert))
    assert submit_resolve(slack, reason, comment).status == 200


def stored(slack: SlackWorld, alert: WorkspaceMessage) -> Any:
    triage = slack.deps.alert_state.triage if slack.deps.alert_state is not None else None
    assert triage is not None
    return triage.state_of(AlertKey.event(alert.channel, event_of(alert)))


# -- assign ---------------------------------------------------------------------------------------------


def test_assign_to_me_shows_the_assignee_on_the_card_with_one_thread_line_and_a_trail_entry(slack: SlackWorld):
    alert = posted_alert(slack)
    assert {ids.ALERT_ACK, ids.ALERT_RESOLVE, ids.ALERT_ASSIGN_ME, ids.ALERT_ASSIGN} <= set(elements(alert))
    posts = len(slack.workspace.messages(seed.SEC_ALERTS))

    slack.click_on(alert, ids.ALERT_ASSIGN_ME, value(alert), user=RAVI)

    card = now_in_channel(slack, alert)
    assert f"Assigned to <@{RAVI}>" in triage_line(card)
    assert stored(slack, alert).assignee == RAVI
    assert [m.text for m in thread_of(slack, alert)] == [f"<@{RAVI}> took this"]
    assert len(slack.workspace.messages(seed.SEC_ALERTS)) == posts + 1, "the card in place, one thread line"
    assert card.metadata == alert.metadata, "delivery's metadata is kept"
    entry = slack.trail.recent()[0]
    assert entry.kind == "triage" and entry.user_id == RAVI and "assign" in (entry.detail or "")


def test_assign_via_the_picker_and_the_same_pick_again_adds_nothing(slack: SlackWorld):
    alert = posted_alert(slack)
    pick_user(slack, alert, RAVI)
    card = now_in_channel(slack, alert)
    assert f"Assigned to <@{RAVI}>" in triage_line(card)
    assert elements(card)[ids.ALERT_ASSIGN].get("initial_user") == RAVI
    assert [m.text for m in thread_of(slack, alert)] == [f"<@{JANE}> assigned this to <@{RAVI}>"]

    pick_user(slack, card, RAVI)
    assert len(thread_of(slack, alert)) == 1, "no change, no line"


# -- resolve and reopen -----------------------------------------------------------------------------------


def test_resolve_via_the_modal_shows_reason_comment_and_date_and_offers_reopen(slack: SlackWorld):
    alert = posted_alert(slack)
    slack.click_on(alert, ids.ALERT_RESOLVE, value(alert))
    view = slack.calls("views.open")[-1]["view"]
    labels = [o["text"]["text"] for o in view["blocks"][0]["element"]["options"]]
    assert labels == [r.label for r in Reason]
    assert view["blocks"][1]["element"]["max_length"] == 500 and view["blocks"][1]["optional"] is True

    slack.clock.advance(60)
    assert submit_resolve(slack, Reason.FALSE_POSITIVE, "  the VPN\nflapped ").status == 200

    card = now_in_channel(slack, alert)
    line = triage_line(card)
    assert f"*Resolved* by <@{JANE}> · False positive · the VPN flapped" in line
    assert moment(ANCHOR + timedelta(seconds=60)) in line
    assert set(elements(card)) >= {ids.ALERT_REOPEN, ids.ALERT_SNOOZE, ids.EVENT_DETAILS}
    assert not {ids.ALERT_ACK, ids.ALERT_RESOLVE, ids.ALERT_ASSIGN_ME, ids.ALERT_ASSIGN} & set(elements(card))
    assert card.metadata == alert.metadata
    assert [m.text for m in thread_of(slack, alert)] == [f"<@{JANE}> resolved this: False positive — the VPN flapped"]
    now = stored(slack, alert)
    assert (now.state, now.reason, now.comment) == (State.RESOLVED, Reason.FALSE_POSITIVE, "the VPN flapped")
    entry = slack.trail.recent()[0]
    assert entry.kind == "triage" and "false_positive" in (entry.detail or "")
    assert (entry.user_id, entry.channel_id) == (JANE, seed.SEC_ALERTS)


def test_reopen_brings_back_the_buttons_and_says_so_in_the_thread(slack: SlackWorld):
    alert = posted_alert(slack)
    slack.click_on(alert, ids.ALERT_ACK, value(alert))
    resolve(slack, now_in_channel(slack, alert), Reason.REMEDIATED)
    resolved = now_in_channel(slack, alert)

    slack.click_on(resolved, ids.ALERT_REOPEN, elements(resolved)[ids.ALERT_REOPEN]["value"], user=RAVI)

    card = now_in_channel(slack, alert)
    assert {ids.ALERT_ACK, ids.ALERT_RESOLVE, ids.ALERT_ASSIGN_ME} <= set(elements(card))
    assert "Resolved" not in text_of(card.blocks) and "Acknowledged by" not in text_of(card.blocks)
    assert f"last changed by <@{RAVI}>" in triage_line(card)
    assert thread_of(slack, alert)[-1].text == f"<@{RAVI}> reopened this"
    assert stored(slack, alert).state is State.OPEN


def test_resolving_a_resolved_alert_is_refused_ephemerally_and_the_card_keeps_the_stored_state(slack: SlackWorld):
    alert = posted_alert(slack)
    resolve(slack, alert, Reason.EXPECTED)
    lines = len(thread_of(slack, alert))
    # a stale card (still showing Resolve) clicked later: the modal opens, its submission is refused
    slack.click_on(alert, ids.ALERT_RESOLVE, value(alert), user=RAVI)
    submit_resolve(slack, Reason.MALICIOUS, user=RAVI)

    told = slack.calls("chat.postEphemeral")[-1]
    assert told["user"] == RAVI and "resolved this alert" in text_of(told)
    card = now_in_channel(slack, alert)
    assert "Expected / maintenance" in triage_line(card) and "malicious" not in triage_line(card)
    assert len(thread_of(slack, alert)) == lines
    assert stored(slack, alert).reason is Reason.EXPECTED


def test_resolve_admins_only_refuses_a_viewer_and_changes_nothing(slack: SlackWorld):
    policy = AccessPolicy(viewers=(RAVI,), admins=(JANE,), channels=(seed.SEC_ALERTS,))
    slack.with_deps(access=policy, resolve_admins_only=True)
    alert = posted_alert(slack)

    slack.click_on(alert, ids.ALERT_RESOLVE, value(alert), user=RAVI)
    assert not slack.calls("views.open"), "no modal for a viewer"
    assert "admin" in text_of(slack.last_reply()).lower()
    slack.click_on(alert, ids.ALERT_ASSIGN_ME, value(alert), user=RAVI)
    assert stored(slack, alert).assignee == RAVI, "a viewer still assigns"

    resolve(slack, now_in_channel(slack, alert), Reason.OTHER)  # an admin may
    assert stored(slack, alert).state is State.RESOLVED
    assert any(e.outcome == "denied" and e.kind == "resolve" for e in slack.trail.recent())


def test_a_value_for_another_channels_alert_changes_nothing(slack: SlackWorld):
    here = posted_alert(slack, 0)
    there = posted_alert(slack, 1, channel=seed.PARTNER)
    forged = value(there)
    slack.click_on(here, ids.ALERT_ASSIGN_ME, forged)
    slack.click_on(here, ids.ALERT_RESOLVE, forged)

    assert "no record of this alert in this channel" in text_of(slack.last_reply())
    assert not slack.calls("views.open")
    for alert in (here, there):
        assert stored(slack, alert).assignee is None
    assert stored(slack, there).state is State.OPEN
    assert now_in_channel(slack, here).blocks == here.blocks


def test_a_resolve_form_pointing_at_another_message_changes_nothing(slack: SlackWorld):
    here = posted_alert(slack, 0)
    there = posted_alert(slack, 1)
    slack.click_on(here, ids.ALERT_RESOLVE, value(here))
    forged = json.dumps({"c": here.channel, "m": here.ts, "v": value(there)})
    submit_resolve(slack, Reason.FALSE_POSITIVE, metadata=forged)

    assert "no record of this alert" in text_of(slack.calls("chat.postEphemeral")[-1])
    assert stored(slack, there).state is State.OPEN and stored(slack, here).state is State.OPEN


def test_acknowledging_an_assigned_alert_keeps_the_assignee_and_adds_one_thread_line(slack: SlackWorld):
    alert = posted_alert(slack)
    slack.click_on(alert, ids.ALERT_ASSIGN_ME, value(alert), user=RAVI)
    slack.click_on(now_in_channel(slack, alert), ids.ALERT_ACK, value(alert))

    card = now_in_channel(slack, alert)
    assert f"Assigned to <@{RAVI}>" in triage_line(card) and "Acknowledged by" in text_of(card.blocks)
    assert ids.ALERT_ACK not in elements(card) and ids.ALERT_RESOLVE in elements(card)
    assert [m.text for m in thread_of(slack, alert)] == [f"<@{RAVI}> took this", f"<@{JANE}> acknowledged this"]
    assert stored(slack, alert).state is State.ACKNOWLEDGED


def test_acknowledging_a_resolved_alert_is_refused_and_the_card_shows_the_stored_state(slack: SlackWorld):
    alert = posted_alert(slack)
    resolve(slack, alert, Reason.FALSE_POSITIVE)
    lines = len(thread_of(slack, alert))
    slack.click_on(alert, ids.ALERT_ACK, value(alert), user=RAVI)  # a stale card

    assert "resolved this alert" in text_of(slack.last_reply())
    card = now_in_channel(slack, alert)
    assert "False positive" in triage_line(card) and ids.ALERT_REOPEN in elements(card)
    assert len(thread_of(slack, alert)) == lines and stored(slack, alert).state is State.RESOLVED


# -- bursts ---------------------------------------------------------------------------------------------


def test_resolve_all_on_a_burst_resolves_it_and_its_items_and_keeps_the_summary(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed")
    burst = [e for e in slack.search_world.everything(days=7) if e.action == "user_login_failed"][:5]
    summary = slack.post_burst(burst, sub, batch="batch-7")
    assert elements(summary)[ids.ALERT_RESOLVE_BATCH]["value"] == "batch-7"

    slack.click_on(summary, ids.ALERT_RESOLVE_BATCH, "batch-7")
    assert slack.calls("views.open")[-1]["view"]["title"]["text"] == "Resolve the alerts"
    assert submit_resolve(slack, Reason.EXPECTED, "patch night").status == 200

    marked = now_in_channel(slack, summary)
    assert "5 audit events matched" in text_of(marked.blocks), "the summary itself is kept"
    assert "*Resolved* by" in triage_line(marked) and "patch night" in triage_line(marked)
    assert not {ids.ALERT_ACK_BATCH, ids.ALERT_RESOLVE_BATCH} & set(elements(marked))
    triage = slack.deps.alert_state.triage if slack.deps.alert_state is not None else None
    assert triage is not None
    items = triage.items_of(seed.SEC_ALERTS, "batch-7")
    assert len(items) == 5 and {t.state for t in items.values()} == {State.RESOLVED}
    lines = [m.text for m in thread_of(slack, summary) if m.text and "resolved this" in m.text]
    assert lines == [f"<@{JANE}> resolved this: Expected / maintenance — patch night (5 alerts with it)"]


def test_resolve_all_for_another_channels_burst_changes_nothing(slack: SlackWorld):
    sub = slack.subscribe("action:user_login_failed", channel=seed.PARTNER)
    mine = slack.subscribe("action:user_login_failed")
    events = [e for e in slack.search_world.everything(days=7) if e.action == "user_login_failed"]
    slack.post_burst(events[:3], sub, batch="theirs")
    summary = slack.post_burst(events[3:6], mine, batch="mine")

    slack.click_on(summary, ids.ALERT_RESOLVE_BATCH, "theirs")
    assert "no record of these alerts in this channel" in text_of(slack.last_reply())
    assert not slack.calls("views.open")
