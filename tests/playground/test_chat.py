"""chat.* through the real WebClient: posting, channel membership, ephemeral messages, edits and deletes."""

from __future__ import annotations

import json

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.playground import Workspace, start_slack_api
from auditbot.playground.seed import HR_PRIVATE, INCIDENTS, IT_OPS, JANE, MAYA, RAVI, SEC_ALERTS

from .blocks import section

pytestmark = pytest.mark.http


def error_of(call: object) -> str:
    assert isinstance(call, SlackApiError)
    return str(call.response["error"])


def test_post_message_stores_text_blocks_metadata_and_answers_like_slack(client: WebClient, workspace: Workspace):
    metadata = {"event_type": "audit_alert", "event_payload": {"event_ids": ["e1", "e2"]}}
    answer = client.chat_postMessage(
        channel=SEC_ALERTS, text="2 new events", blocks=[section("*2* new")], metadata=metadata
    )

    assert answer["ok"] and answer["channel"] == SEC_ALERTS
    assert answer["message"]["bot_id"] == "B0AUDITBOT" and answer["message"]["user"] == "U0AUDITBOT"
    stored = workspace.messages(SEC_ALERTS)[-1]
    assert (stored.ts, stored.text, stored.metadata) == (answer["ts"], "2 new events", metadata)
    assert stored.blocks == (section("*2* new"),)
    method, params = workspace.calls[-1]
    assert method == "chat.postMessage" and params["blocks"] == [section("*2* new")] and "token" not in params


def test_timestamps_follow_the_injected_clock_and_always_increase(client: WebClient, workspace: Workspace, clock):
    first = client.chat_postMessage(channel=SEC_ALERTS, text="a")["ts"]
    second = client.chat_postMessage(channel=SEC_ALERTS, text="b")["ts"]
    clock.advance(90)
    third = client.chat_postMessage(channel=SEC_ALERTS, text="c")["ts"]

    assert float(first) < float(second) < float(third)
    assert int(float(third)) == int(clock.now().timestamp())
    assert len(first.split(".")[1]) == 6


def test_thread_replies_carry_thread_ts(client: WebClient, workspace: Workspace):
    parent = client.chat_postMessage(channel=SEC_ALERTS, text="5 alerts")["ts"]
    reply = client.chat_postMessage(channel=SEC_ALERTS, text="alert 1", thread_ts=parent)

    assert reply["message"]["thread_ts"] == parent
    assert workspace.messages(SEC_ALERTS)[-1].thread_ts == parent


def test_private_channel_needs_membership_public_needs_a_join_without_chat_write_public(clock):
    workspace = Workspace(clock, scopes={"chat:write", "channels:join", "channels:read"})
    with start_slack_api(workspace) as running:
        client = WebClient(token="xoxb-test", base_url=running.api_url)
        with pytest.raises(SlackApiError) as private:
            client.chat_postMessage(channel=HR_PRIVATE, text="hello")
        with pytest.raises(SlackApiError) as public:
            client.chat_postMessage(channel=IT_OPS, text="hello")
        joined = client.conversations_join(channel=IT_OPS)
        posted = client.chat_postMessage(channel=IT_OPS, text="hello")

    assert error_of(private.value) == error_of(public.value) == "not_in_channel"
    assert joined["channel"]["is_member"] is True
    assert posted["ok"] and workspace.messages(IT_OPS)[-1].text == "hello"


def test_with_chat_write_public_the_bot_posts_to_public_channels_it_is_not_in(client: WebClient, workspace):
    assert client.chat_postMessage(channel=IT_OPS, text="hi")["ok"]
    assert "U0AUDITBOT" not in workspace.channel(IT_OPS).members


def test_channel_by_name_and_a_user_id_meaning_the_bots_dm(client: WebClient, workspace: Workspace):
    by_name = client.chat_postMessage(channel="#sec-alerts", text="by name")
    to_ravi = client.chat_postMessage(channel=RAVI, text="just you")

    assert by_name["channel"] == SEC_ALERTS
    dm = workspace.channel(to_ravi["channel"])
    assert dm.is_im and dm.im_user == RAVI
    assert workspace.messages(dm.id)[-1].text == "just you"


def test_unknown_channel(client: WebClient):
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel="C0NOSUCH00", text="x")
    assert error_of(failure.value) == "channel_not_found"


def test_post_ephemeral_is_seen_by_one_person_only(client: WebClient, workspace: Workspace):
    answer = client.chat_postEphemeral(channel=INCIDENTS, user=JANE, text="only for you", blocks=[section("psst")])

    assert answer["ok"] and answer["message_ts"]
    [ephemeral] = workspace.ephemerals(INCIDENTS, JANE)
    assert ephemeral.ts == answer["message_ts"] and ephemeral.ephemeral_for == JANE
    assert workspace.ephemerals(INCIDENTS, RAVI) == []
    assert all(m.ts != answer["message_ts"] for m in workspace.messages(INCIDENTS))


def test_post_ephemeral_to_someone_outside_the_channel(client: WebClient):
    with pytest.raises(SlackApiError) as failure:
        client.chat_postEphemeral(channel=INCIDENTS, user=MAYA, text="x")
    assert error_of(failure.value) == "user_not_in_channel"


def test_update_replaces_text_and_blocks_and_keeps_blocks_when_none_given(client: WebClient, workspace: Workspace):
    ts = client.chat_postMessage(channel=SEC_ALERTS, text="page 1", blocks=[section("one")])["ts"]

    changed = client.chat_update(channel=SEC_ALERTS, ts=ts, text="page 2", blocks=[section("two")])
    text_only = client.chat_update(channel=SEC_ALERTS, ts=ts, text="page 2 (acknowledged)")

    assert changed["ts"] == ts and changed["message"]["blocks"] == [section("two")]
    assert text_only["text"] == "page 2 (acknowledged)" and text_only["message"]["edited"]["ts"]
    stored = workspace.messages(SEC_ALERTS)[-1]
    assert (stored.ts, stored.text, stored.blocks) == (ts, "page 2 (acknowledged)", (section("two"),))


def test_update_refuses_ephemeral_and_other_peoples_messages(client: WebClient, workspace: Workspace):
    ephemeral = client.chat_postEphemeral(channel=SEC_ALERTS, user=JANE, text="x")["message_ts"]
    human = workspace.messages(SEC_ALERTS)[0]

    for ts, expected in ((ephemeral, "message_not_found"), (human.ts, "cant_update_message")):
        with pytest.raises(SlackApiError) as failure:
            client.chat_update(channel=SEC_ALERTS, ts=ts, text="edited")
        assert error_of(failure.value) == expected
    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel=SEC_ALERTS, ts="1.000001", text="edited")
    assert error_of(missing.value) == "message_not_found"


def test_delete_and_permalink(client: WebClient, workspace: Workspace, running):
    ts = client.chat_postMessage(channel=SEC_ALERTS, text="gone soon")["ts"]
    link = client.chat_getPermalink(channel=SEC_ALERTS, message_ts=ts)["permalink"]
    client.chat_delete(channel=SEC_ALERTS, ts=ts)

    assert link == f"{running.root_url}/archives/{SEC_ALERTS}/p{ts.replace('.', '')}"
    assert all(m.ts != ts for m in workspace.messages(SEC_ALERTS))


def test_form_encoded_calls_with_json_text_blocks_are_decoded(client: WebClient, workspace: Workspace):
    blocks = [section("from a form")]
    answer = client.api_call(
        "chat.postMessage", data={"channel": SEC_ALERTS, "text": "t", "blocks": json.dumps(blocks)}
    )

    assert answer["message"]["blocks"] == blocks
    assert workspace.calls_to("chat.postMessage")[-1]["blocks"] == blocks
