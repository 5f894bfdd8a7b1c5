"""Reading a request into its typed value: the subcommand as typed, one person, and refusals of what cannot be read."""

from __future__ import annotations

from typing import Any

import pytest

from auditbot.playground import seed
from auditbot.slack.payloads import (
    Click,
    Command,
    HomeOpened,
    MalformedPayload,
    OptionsLoad,
    SlackEvent,
    ViewSubmission,
    Who,
    read_payload,
    read_subcommand,
)

HOOK = "https://hooks.slack.com/actions/T/1/x"


def command(text: str, **changes: Any) -> dict[str, Any]:
    body = {
        "command": "/audit",
        "text": text,
        "user_id": seed.MAYA,
        "team_id": seed.TEAM.id,
        "channel_id": seed.SEC_ALERTS,
        "response_url": HOOK,
        "trigger_id": "t1",
    }
    return {k: v for k, v in {**body, **changes}.items() if v is not None}


def click(**changes: Any) -> dict[str, Any]:
    body = {
        "type": "block_actions",
        "team": {"id": seed.TEAM.id},
        "user": {"id": seed.MAYA, "team_id": seed.TEAM.id},
        "trigger_id": "t1",
        "channel": {"id": seed.SEC_ALERTS},
        "container": {"type": "message", "channel_id": seed.SEC_ALERTS, "message_ts": "1.2"},
        "response_url": HOOK,
        "actions": [{"action_id": "subscription_pause", "block_id": "b", "type": "button", "value": "sub-1"}],
    }
    return {k: v for k, v in {**body, **changes}.items() if v is not None}


@pytest.mark.parametrize(
    ("text", "verb", "args", "raw_args"),
    [
        ("pause sub-1", "pause", "sub-1", "sub-1"),
        ("  PAUSE   sub-1  ", "pause", "sub-1", "sub-1"),
        ("&#112;ause sub-1", "pause", "sub-1", "sub-1"),
        ("&#x70;&#x61;use sub-1", "pause", "sub-1", "sub-1"),
        ("<|x>unsubscribe sub-1", "unsubscribe", "sub-1", "sub-1"),
        ("<pause> sub-1", "pause", "sub-1", "sub-1"),
        ("<pause|anything at all> sub-1", "pause", "sub-1", "sub-1"),
        ("pa\u200buse sub-1", "pause", "sub-1", "sub-1"),
        ("\ufeff\u2060pause\u200d sub-1", "pause", "sub-1", "sub-1"),
        ("\u00a0pause\u00a0sub-1", "pause", "sub-1", "sub-1"),
        ("&nbsp;pause sub-1", "pause", "sub-1", "sub-1"),
        ("\uff50\uff41\uff55\uff53\uff45 sub-1", "pause", "sub-1", "sub-1"),
        ("pause&#32;sub-1", "pause sub-1", "", ""),
        (
            "subscribe <#C0SECALERT|sec-alerts> action:x",
            "subscribe",
            "#sec-alerts action:x",
            "<#C0SECALERT|sec-alerts> action:x",
        ),
        ("", "", "", ""),
        ("   ", "", "", ""),
    ],
)
def test_the_subcommand_is_the_first_word_as_typed(text: str, verb: str, args: str, raw_args: str):
    assert read_subcommand(text) == (sub := read_subcommand(text))
    assert (sub.verb, sub.args, sub.raw_args) == (verb, args, raw_args)


def test_a_command_reads_its_person_place_and_both_subcommands():
    read = read_payload(command("DIGEST &#x73;chedule <#C0ITOPS001|it-ops> 09:00"))
    assert isinstance(read, Command)
    assert read.who == Who(seed.MAYA, seed.TEAM.id, seed.SEC_ALERTS)
    assert (read.subcommand.verb, read.inner.verb, read.inner.raw_args) == (
        "digest",
        "schedule",
        "<#C0ITOPS001|it-ops> 09:00",
    )
    assert (read.response_url, read.trigger_id) == (HOOK, "t1")


def test_a_click_reads_its_action_channel_and_message():
    read = read_payload(click(message={"ts": "1.2", "blocks": [{"type": "divider"}]}))
    assert isinstance(read, Click)
    assert read.who == Who(seed.MAYA, seed.TEAM.id, seed.SEC_ALERTS)
    assert (read.action.action_id, read.action.value, read.message_ts) == ("subscription_pause", "sub-1", "1.2")
    assert not read.in_view and read.message is not None


def test_a_select_reads_the_chosen_option():
    select = {"action_id": "alert_snooze", "type": "static_select", "selected_option": {"value": "1h|sub-1|e1"}}
    read = read_payload(click(actions=[select]))
    assert isinstance(read, Click) and read.action.value == "1h|sub-1|e1"


def test_a_click_in_app_home_has_no_channel_and_needs_no_response_url():
    read = read_payload(
        click(channel=None, response_url=None, container={"type": "view", "view_id": "V1"}, view={"type": "home"})
    )
    assert isinstance(read, Click) and read.in_view and read.who.channel_id is None


def test_the_workspace_falls_back_to_the_users_own():
    read = read_payload(click(team=None))
    assert read.who.team_id == seed.TEAM.id  # type: ignore[union-attr]


def test_forms_options_home_and_other_events():
    values = {"b": {"a": {"type": "plain_text_input", "value": "x"}}}
    form = read_payload(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "view": {"type": "modal", "callback_id": "f", "state": {"values": values}},
        }
    )
    assert isinstance(form, ViewSubmission) and form.values == values and form.callback_id == "f"
    options = read_payload(
        {"type": "block_suggestion", "team": {"id": "T1"}, "user": {"id": "U1"}, "action_id": "a", "value": "lo"}
    )
    assert options == OptionsLoad(Who("U1", "T1"), "a", "lo")
    home = read_payload({"type": "event_callback", "team_id": "T1", "event": {"type": "app_home_opened", "user": "U1"}})
    assert home == HomeOpened(Who("U1", "T1"), "home")
    other = read_payload({"type": "event_callback", "team_id": "T1", "event": {"type": "member_joined_channel"}})
    assert other == SlackEvent("member_joined_channel")


def test_a_user_id_is_any_text_so_the_policy_refuses_it_and_the_trail_records_it():
    assert read_payload(command("help", user_id="\ud800")).who.user_id == "\ud800"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (command("help", user_id=None), "user_id: Field required"),
        (command("help", user_id=""), "user_id: Value error, a user id has 1 to 255 characters"),
        (command("help", channel_id=None), "channel_id: Field required"),
        (command("help", team_id=None), "team_id: Field required"),
        (command("help", channel_id="C1\nC2"), "channel_id: String should match pattern"),
        (command("help", trigger_id=None), "trigger_id: Field required"),
        (command("help", response_url=None), "response_url: Field required"),
        (command("x" * 9000), "text: String should have at most 8000 characters"),
        (command("help", user="U0OTHER"), "two different users"),
        (click(user="U1"), "user: Input should be a valid dictionary"),
        (click(user={"id": 7}), "user.id: Value error, a user id must be a string"),
        (click(user={"id": ""}), "user.id: Value error, a user id has 1 to 255 characters"),
        (click(user_id="U0SOMEONE"), "two different users"),
        (click(actions="subscription_pause"), "actions: Input should be a valid list"),
        (click(actions=[]), "no action"),
        (click(actions=[1]), "actions.0: Input should be a valid dictionary"),
        (click(actions=[{"action_id": "a", "value": "v" * 2001}]), "actions.0.value: String should have at most"),
        (click(trigger_id=None), "trigger_id: Field required"),
        (click(channel={"id": "C0OTHER01"}), "two different channels"),
        (click(channel=None, container={"type": "message"}), "needs its channel and response_url"),
        (click(response_url=None), "needs its channel and response_url"),
        (click(team=None, user={"id": "U1"}), "no team"),
        (click(team="T1"), "team: Input should be a valid dictionary"),
        (
            {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"}, "view": {}},
            "view.type: Field required",
        ),
        ({"type": "interactive_message", "user": {"id": "U1"}}, "of a type this app does not handle"),
        ({"text": "no type at all"}, "of a type this app does not handle"),
        ({"type": "event_callback", "team_id": "T1", "event": {"type": "app_home_opened"}}, "no user"),
        ({"type": "event_callback", "team_id": "T1", "event": "app_home_opened"}, "event: Input should be a valid"),
    ],
)
def test_what_cannot_be_classified_is_refused_with_a_short_reason(body: dict[str, Any], reason: str):
    with pytest.raises(MalformedPayload) as refused:
        read_payload(body)
    assert reason in refused.value.reason
    assert (
        len(refused.value.reason) < 120 and "v" * 50 not in refused.value.reason and "x" * 50 not in str(refused.value)
    )
