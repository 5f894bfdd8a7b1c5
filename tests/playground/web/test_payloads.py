"""The requests the playground builds are Slack's: encodings, fields per kind, signatures an app accepts."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk.signature import Clock, SignatureVerifier

from auditbot.playground import Workspace
from auditbot.playground.seed import APP_ID, JANE, JANE_DM, RAVI, SEC_ALERTS
from auditbot.playground.web import payloads
from auditbot.playground.web.delivery import signature, signed_headers
from auditbot.playground.web.payloads import SlackRequest

from ..blocks import home, modal, section

BUTTON = {"type": "button", "action_id": "page_next", "text": {"type": "plain_text", "text": "Next"}, "value": "p2"}
ACTION = {"type": "button", "action_id": "page_next", "block_id": "b1", "value": "p2", "action_ts": "1.0"}


def interactive(request: SlackRequest) -> dict[str, Any]:
    assert request.content_type == "application/x-www-form-urlencoded"
    fields = parse_qs(request.body)
    assert list(fields) == ["payload"]
    decoded: dict[str, Any] = json.loads(fields["payload"][0])
    assert decoded == request.payload
    return decoded


def test_a_slash_command_is_form_encoded_with_a_response_url_and_trigger(workspace: Workspace):
    channel = workspace.channel(SEC_ALERTS)
    request = payloads.slash_command(workspace, user=JANE, channel=channel, command="/audit", text="last:2d & <x>")
    fields = {key: values[0] for key, values in parse_qs(request.body).items()}
    assert request.kind == "command"
    assert request.content_type == "application/x-www-form-urlencoded"
    assert fields["command"] == "/audit"
    assert fields["text"] == "last:2d & <x>"
    assert (fields["user_id"], fields["user_name"], fields["channel_id"], fields["channel_name"]) == (
        JANE,
        "jane",
        SEC_ALERTS,
        "sec-alerts",
    )
    assert (fields["team_id"], fields["api_app_id"]) == (workspace.team.id, APP_ID)
    assert fields["response_url"].startswith(f"{workspace.root_url}/hooks/response/")
    assert workspace.views.open(fields["trigger_id"], modal()).user == JANE
    dm = payloads.slash_command(workspace, user=JANE, channel=workspace.channel(JANE_DM), command="/audit", text="")
    assert dm.payload["channel_name"] == "directmessage"


def test_a_click_on_an_ephemeral_message_can_replace_it(workspace: Workspace):
    shown = workspace.conversations.add_ephemeral(
        SEC_ALERTS, JANE, author=workspace.bot.id, text="page 1", blocks=[{"type": "actions", "elements": [BUTTON]}]
    )
    request = payloads.block_actions_in_message(
        workspace, user=JANE, channel=workspace.channel(SEC_ALERTS), message=shown, action=ACTION
    )
    payload = interactive(request)
    assert payload["type"] == "block_actions"
    assert payload["container"] == {
        "type": "message",
        "message_ts": shown.ts,
        "channel_id": SEC_ALERTS,
        "is_ephemeral": True,
    }
    assert payload["channel"] == {"id": SEC_ALERTS, "name": "sec-alerts"}
    assert "message" not in payload, "Slack does not send an ephemeral message back"
    assert payload["user"]["id"] == JANE and payload["team"]["id"] == workspace.team.id
    assert payload["actions"] == [ACTION]
    token = payload["response_url"].rsplit("/", 1)[1]
    assert workspace.response_urls.post(token, {"text": "page 2", "replace_original": True})[0] == 200
    [replaced] = workspace.ephemerals(SEC_ALERTS, JANE)
    assert (replaced.ts, replaced.text) == (shown.ts, "page 2")


def test_a_click_on_a_channel_message_carries_the_message_with_block_ids(workspace: Workspace):
    posted = workspace.conversations.post(
        SEC_ALERTS, author=workspace.bot.id, text="t", blocks=[section("hi"), {"type": "actions", "elements": [BUTTON]}]
    )
    payload = interactive(
        payloads.block_actions_in_message(
            workspace, user=RAVI, channel=workspace.channel(SEC_ALERTS), message=posted, action=ACTION
        )
    )
    assert payload["container"]["is_ephemeral"] is False
    assert payload["message"]["ts"] == posted.ts
    assert all(block["block_id"] for block in payload["message"]["blocks"])


def test_clicks_in_views_and_submissions_carry_the_view_and_its_state(workspace: Workspace):
    opened = workspace.views.open(workspace.new_trigger_id(JANE), modal(callback_id="form"))
    workspace.views.set_state(opened.id, {"b": {"a": {"type": "plain_text_input", "value": "x"}}})
    view = workspace.views.get(opened.id)
    click = interactive(payloads.block_actions_in_view(workspace, user=JANE, view=view, action=ACTION))
    assert click["container"] == {"type": "view", "view_id": view.id}
    assert "response_url" not in click
    assert click["view"]["state"]["values"]["b"]["a"]["value"] == "x"
    submitted = interactive(payloads.view_submission(workspace, user=JANE, view=view))
    assert submitted["type"] == "view_submission"
    assert (submitted["view"]["id"], submitted["view"]["callback_id"], submitted["response_urls"]) == (
        view.id,
        "form",
        [],
    )
    closed = interactive(payloads.view_closed(workspace, user=JANE, view=view, cleared=True))
    assert (closed["type"], closed["is_cleared"]) == ("view_closed", True)


def test_shortcuts_and_options_loads(workspace: Workspace):
    message = workspace.messages(SEC_ALERTS)[0]
    shortcut = interactive(
        payloads.message_action(
            workspace, user=JANE, channel=workspace.channel(SEC_ALERTS), message=message, callback_id="investigate"
        )
    )
    assert shortcut["type"] == "message_action"
    assert (shortcut["callback_id"], shortcut["message_ts"], shortcut["message"]["text"]) == (
        "investigate",
        message.ts,
        message.text,
    )
    assert shortcut["response_url"] and shortcut["trigger_id"]
    global_one = interactive(payloads.global_shortcut(workspace, user=JANE, callback_id="search"))
    assert global_one["type"] == "shortcut" and "response_url" not in global_one and global_one["trigger_id"]
    view = workspace.views.open(workspace.new_trigger_id(JANE), modal())
    options = interactive(
        payloads.block_suggestion(workspace, user=JANE, action_id="a", block_id="b", value="adm", view=view)
    )
    assert (options["type"], options["value"], options["container"]["view_id"]) == ("block_suggestion", "adm", view.id)


def test_app_home_opened_is_a_json_event_callback(workspace: Workspace):
    workspace.views.publish(JANE, home())
    request = payloads.app_home_opened(workspace, user=JANE, channel=JANE_DM, tab="home", event_id="Ev1")
    assert request.content_type == "application/json"
    envelope = json.loads(request.body)
    assert envelope["type"] == "event_callback"
    assert (envelope["team_id"], envelope["api_app_id"], envelope["event_id"]) == (workspace.team.id, APP_ID, "Ev1")
    event = envelope["event"]
    assert (event["type"], event["user"], event["channel"], event["tab"]) == ("app_home_opened", JANE, JANE_DM, "home")
    assert event["view"]["type"] == "home"


class TenSecondsLater(Clock):
    def now(self) -> float:
        return 1_764_072_010.0


@pytest.mark.parametrize("body", ["payload=%7B%7D", '{"type":"event_callback"}', ""])
def test_signatures_verify_with_slack_sdk(body: str):
    request = SlackRequest("x", {}, body, "application/json")
    headers = signed_headers("s3cret", 1_764_072_000, request)
    verifier = SignatureVerifier("s3cret", clock=TenSecondsLater())
    assert headers["X-Slack-Signature"].startswith("v0=")
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not SignatureVerifier("other").is_valid(body, "1764072000", headers["X-Slack-Signature"])
    assert signature("s3cret", 1_764_072_000, body + " ") != headers["X-Slack-Signature"]
