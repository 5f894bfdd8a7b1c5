"""auth.test, users.info, conversations.info/join/open and scopes, as a bot token sees them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.playground import Workspace, start_slack_api
from auditbot.playground.seed import HR_PRIVATE, INCIDENTS, IT_OPS, JANE, JANE_DM, PARTNER, RAVI, SEC_ALERTS

pytestmark = pytest.mark.http


def test_auth_test_names_the_team_bot_user_and_bot(client: WebClient):
    answer = client.auth_test()

    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0PLAYGND", "U0AUDITBOT", "B0AUDITBOT")
    assert "chat:write" in answer.headers["X-OAuth-Scopes"]


def test_users_info_gives_the_time_zone_and_its_offset_on_the_workspace_clock(client: WebClient, clock):
    clock.set(datetime(2026, 1, 15, 12, tzinfo=UTC))
    winter = client.users_info(user=JANE)["user"]
    clock.set(datetime(2026, 7, 15, 12, tzinfo=UTC))
    summer = client.users_info(user=JANE)["user"]
    ravi = client.users_info(user=RAVI)["user"]

    assert (winter["tz"], winter["tz_offset"], winter["tz_label"]) == ("Europe/Berlin", 3600, "CET")
    assert (summer["tz_offset"], summer["tz_label"]) == (7200, "CEST")
    assert ravi["tz_offset"] == 19800 and ravi["is_bot"] is False
    assert winter["profile"]["email"] == "jane@example.com" and winter["real_name"] == "Jane Doe"


def test_users_info_for_the_bot_and_for_nobody(client: WebClient):
    assert client.users_info(user="U0AUDITBOT")["user"]["is_bot"] is True
    with pytest.raises(SlackApiError) as failure:
        client.users_info(user="U0NOBODY00")
    assert failure.value.response["error"] == "user_not_found"


def test_conversations_info_for_each_kind_of_conversation(client: WebClient):
    public = client.conversations_info(channel=IT_OPS)["channel"]
    private = client.conversations_info(channel=INCIDENTS)["channel"]
    shared = client.conversations_info(channel=PARTNER)["channel"]
    dm = client.conversations_info(channel=JANE_DM)["channel"]

    assert (public["name"], public["is_private"], public["is_member"]) == ("it-ops", False, False)
    assert (private["is_private"], private["is_member"]) == (True, True)
    assert (shared["is_shared"], shared["is_ext_shared"], len(shared["shared_team_ids"])) == (True, True, 2)
    assert (dm["is_im"], dm["user"]) == (True, JANE)


def test_a_private_channel_without_the_bot_does_not_exist_for_it(client: WebClient):
    with pytest.raises(SlackApiError) as failure:
        client.conversations_info(channel=HR_PRIVATE)
    assert failure.value.response["error"] == "channel_not_found"


def test_join_public_twice_private_and_dm(client: WebClient, workspace: Workspace):
    first = client.conversations_join(channel=IT_OPS)
    again = client.conversations_join(channel=IT_OPS)

    assert "U0AUDITBOT" in workspace.channel(IT_OPS).members and "warning" not in first
    assert again["warning"] == "already_in_channel"
    refusals = (
        (HR_PRIVATE, "channel_not_found"),
        (INCIDENTS, "method_not_supported_for_channel_type"),
        (JANE_DM, "method_not_supported_for_channel_type"),
    )
    for channel, error in refusals:
        with pytest.raises(SlackApiError) as failure:
            client.conversations_join(channel=channel)
        assert failure.value.response["error"] == error, channel


def test_a_bot_removed_from_a_public_channel_posts_with_chat_write_public_but_reads_only_after_joining(
    client: WebClient, workspace: Workspace
):
    workspace.directory.remove_member(SEC_ALERTS, "U0AUDITBOT")
    posted = client.chat_postMessage(channel=SEC_ALERTS, text="still allowed")
    with pytest.raises(SlackApiError) as history:
        client.conversations_history(channel=SEC_ALERTS)
    with pytest.raises(SlackApiError) as replies:
        client.conversations_replies(channel=SEC_ALERTS, ts=posted["ts"])
    client.conversations_join(channel=SEC_ALERTS)

    assert history.value.response["error"] == replies.value.response["error"] == "not_in_channel"
    assert client.conversations_history(channel=SEC_ALERTS)["messages"][0]["text"] == "still allowed"
    assert client.conversations_info(channel=SEC_ALERTS)["channel"]["is_member"] is True


def test_joining_needs_channels_join(clock):
    workspace = Workspace(clock, scopes={"chat:write", "chat:write.public", "channels:history"})
    with start_slack_api(workspace) as running:
        client = WebClient(token="xoxb-test", base_url=running.api_url)
        with pytest.raises(SlackApiError) as failure:
            client.conversations_join(channel=IT_OPS)
    assert (failure.value.response["error"], failure.value.response["needed"]) == ("missing_scope", "channels:join")
    assert "U0AUDITBOT" not in workspace.channel(IT_OPS).members


def test_conversations_open_finds_or_creates_the_dm(client: WebClient, workspace: Workspace):
    assert client.conversations_open(users=JANE)["channel"]["id"] == JANE_DM
    new = client.conversations_open(users=RAVI)["channel"]["id"]
    assert workspace.channel(new).im_user == RAVI and client.conversations_open(users=RAVI)["channel"]["id"] == new


def test_a_missing_scope_names_what_was_needed(clock):
    workspace = Workspace(clock, scopes={"chat:write"})
    with start_slack_api(workspace) as running:
        client = WebClient(token="xoxb-test", base_url=running.api_url)
        assert client.chat_postMessage(channel=SEC_ALERTS, text="ok")["ok"]
        with pytest.raises(SlackApiError) as failure:
            client.files_getUploadURLExternal(filename="a.csv", length=3)

    assert failure.value.response["error"] == "missing_scope"
    assert (failure.value.response["needed"], failure.value.response["provided"]) == ("files:write", "chat:write")
