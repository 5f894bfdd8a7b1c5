"""conversations.history and conversations.replies through the real WebClient, and responses lost after the work.

What an alert sender reconciles with after a crash: which of its posts (by metadata, in the
channel or in a thread) Slack already has, including posts whose answer never arrived.
"""

from __future__ import annotations

import base64
import urllib.error
from types import SimpleNamespace
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import handler as retry_handler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from auditbot.core.clock import ManualClock
from auditbot.playground import FILE_UPLOAD, RESPONSE_URL, Channel, Workspace, WorkspaceMessage, start_slack_api
from auditbot.playground.seed import BOT_USER_ID, HR_PRIVATE, INCIDENTS, IT_OPS, JANE, JANE_DM, RAVI, SEC_ALERTS

pytestmark = pytest.mark.http

ALERT = "auditbot_alert"
GROUP_DM = "G0MPIMJRB1"


def alert(n: int) -> dict[str, Any]:
    return {"event_type": ALERT, "event_payload": {"alert_id": f"a{n}"}}


def post(workspace: Workspace, text: str, **kwargs: Any) -> WorkspaceMessage:
    """A bot post straight into the workspace, for setting up long histories quickly."""
    return workspace.conversations.post(SEC_ALERTS, author=BOT_USER_ID, text=text, **kwargs)


def error_of(failure: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(failure.value.response["error"])


def texts(answer: Any) -> list[str]:
    return [message["text"] for message in answer["messages"]]


def test_cursor_paging_walks_the_whole_history_newest_first(client: WebClient, workspace: Workspace):
    for n in range(250):
        post(workspace, f"alert {n}")
    expected = [m.ts for m in reversed(workspace.messages(SEC_ALERTS))]

    pages: list[list[str]] = []
    cursor = None
    while True:
        answer = client.conversations_history(channel=SEC_ALERTS, limit=100, cursor=cursor)
        pages.append([message["ts"] for message in answer["messages"]])
        cursor = answer["response_metadata"]["next_cursor"]
        assert answer["has_more"] is bool(cursor)
        if not cursor:
            break

    assert [len(page) for page in pages] == [100, 100, 52]  # 250 posts and 2 seeded messages
    assert [ts for page in pages for ts in page] == expected
    assert sorted(expected, key=float, reverse=True) == expected


def test_slack_sdk_iterates_the_pages_by_itself(client: WebClient, workspace: Workspace):
    for n in range(7):
        post(workspace, f"alert {n}")

    pages = [texts(page) for page in client.conversations_history(channel=SEC_ALERTS, limit=3)]

    assert [len(page) for page in pages] == [3, 3, 3]
    assert pages[0] == ["alert 6", "alert 5", "alert 4"]


def test_the_cursor_looks_like_slacks_and_a_forged_one_is_refused(client: WebClient, workspace: Workspace):
    for n in range(3):
        post(workspace, f"alert {n}")
    cursor = client.conversations_history(channel=SEC_ALERTS, limit=1)["response_metadata"]["next_cursor"]

    assert base64.b64decode(cursor).decode() == f"next_ts:{workspace.messages(SEC_ALERTS)[-2].ts}"
    with pytest.raises(SlackApiError) as failure:
        client.conversations_history(channel=SEC_ALERTS, cursor="not a cursor")
    assert error_of(failure) == "invalid_cursor"


def test_limit_is_clamped_to_999_and_defaults_to_100(client: WebClient, workspace: Workspace):
    for n in range(1000):
        post(workspace, f"alert {n}")

    assert len(client.conversations_history(channel=SEC_ALERTS, limit=5000)["messages"]) == 999
    assert len(client.conversations_history(channel=SEC_ALERTS)["messages"]) == 100


def test_oldest_and_latest_are_exclusive_unless_inclusive(client: WebClient, workspace: Workspace, clock):
    posted = []
    for name in "abcde":
        clock.advance(1)
        posted.append(client.chat_postMessage(channel=SEC_ALERTS, text=name)["ts"])
    _, b, _, d, _ = posted

    assert texts(client.conversations_history(channel=SEC_ALERTS, oldest=b, latest=d)) == ["c"]
    assert texts(client.conversations_history(channel=SEC_ALERTS, oldest=b, latest=d, inclusive=True)) == [
        "d",
        "c",
        "b",
    ]
    assert texts(client.conversations_history(channel=SEC_ALERTS, oldest=b)) == ["e", "d", "c"]
    assert texts(client.conversations_history(channel=SEC_ALERTS, oldest=b, inclusive=True))[-1] == "b"
    assert "a" in texts(client.conversations_history(channel=SEC_ALERTS, latest=b))
    assert "b" not in texts(client.conversations_history(channel=SEC_ALERTS, latest=b))


def test_bounds_and_cursor_page_together(client: WebClient, workspace: Workspace, clock):
    before = post(workspace, "before").ts
    clock.advance(1)
    for n in range(5):
        post(workspace, f"alert {n}")

    pages = [texts(page) for page in client.conversations_history(channel=SEC_ALERTS, oldest=before, limit=2)]

    assert pages == [["alert 4", "alert 3"], ["alert 2", "alert 1"], ["alert 0"]]


def test_malformed_bounds(client: WebClient):
    with pytest.raises(SlackApiError) as oldest:
        client.conversations_history(channel=SEC_ALERTS, oldest="yesterday")
    with pytest.raises(SlackApiError) as latest:
        client.conversations_history(channel=SEC_ALERTS, latest="tomorrow")

    assert (error_of(oldest), error_of(latest)) == ("invalid_ts_oldest", "invalid_ts_latest")


def test_metadata_only_with_include_all_metadata(client: WebClient):
    ts = client.chat_postMessage(channel=SEC_ALERTS, text="alert", metadata=alert(1))["ts"]
    client.chat_postMessage(channel=SEC_ALERTS, text="reply", thread_ts=ts, metadata=alert(2))

    plain = client.conversations_history(channel=SEC_ALERTS, oldest=ts, inclusive=True)["messages"]
    full = client.conversations_history(channel=SEC_ALERTS, oldest=ts, inclusive=True, include_all_metadata=True)
    thread_plain = client.conversations_replies(channel=SEC_ALERTS, ts=ts)["messages"]
    thread_full = client.conversations_replies(channel=SEC_ALERTS, ts=ts, include_all_metadata=True)["messages"]

    assert all("metadata" not in message for message in (*plain, *thread_plain))
    assert full["messages"][0]["metadata"] == alert(1)
    assert [m["metadata"] for m in thread_full] == [alert(1), alert(2)]


def test_thread_replies_are_left_out_of_history_and_counted_on_the_parent(client: WebClient, clock):
    parent = client.chat_postMessage(channel=SEC_ALERTS, text="3 alerts")["ts"]
    client.chat_postMessage(channel=SEC_ALERTS, text="alert 1", thread_ts=parent)
    clock.advance(1)
    last = client.chat_postMessage(channel=SEC_ALERTS, text="alert 2", thread_ts=parent)["ts"]
    after = client.chat_postMessage(channel=SEC_ALERTS, text="later")["ts"]

    history = client.conversations_history(channel=SEC_ALERTS, oldest=parent, inclusive=True)["messages"]

    assert [m["ts"] for m in history] == [after, parent]
    shown = history[1]
    assert (shown["thread_ts"], shown["reply_count"], shown["latest_reply"]) == (parent, 2, last)
    assert shown["reply_users"] == [BOT_USER_ID] and shown["reply_users_count"] == 1
    assert "thread_ts" not in history[0] and "reply_count" not in history[0]


def test_replies_lists_the_parent_first_then_the_replies_oldest_first(client: WebClient, workspace: Workspace):
    parent = client.chat_postMessage(channel=SEC_ALERTS, text="3 alerts")["ts"]
    client.chat_postMessage(channel=SEC_ALERTS, text="alert 1", thread_ts=parent)
    workspace.post_as_user(SEC_ALERTS, JANE, "looking", thread_ts=parent)
    client.chat_postMessage(channel=SEC_ALERTS, text="elsewhere")

    answer = client.conversations_replies(channel=SEC_ALERTS, ts=parent)

    assert texts(answer) == ["3 alerts", "alert 1", "looking"]
    assert answer["has_more"] is False and answer["response_metadata"]["next_cursor"] == ""
    head, *replies = answer["messages"]
    assert head["reply_count"] == 2 and head["reply_users"] == [BOT_USER_ID, JANE]
    assert all(r["thread_ts"] == parent and r["parent_user_id"] == BOT_USER_ID for r in replies)


def test_replies_page_by_cursor_and_bound_the_replies_only(client: WebClient, workspace: Workspace):
    parent = post(workspace, "5 alerts").ts
    replies = [post(workspace, f"alert {n}", thread_ts=parent).ts for n in range(5)]

    pages = [texts(page) for page in client.conversations_replies(channel=SEC_ALERTS, ts=parent, limit=2)]
    bounded = client.conversations_replies(channel=SEC_ALERTS, ts=parent, oldest=replies[1], latest=replies[4])

    assert pages == [["5 alerts", "alert 0"], ["alert 1", "alert 2"], ["alert 3", "alert 4"]]
    assert texts(bounded) == ["5 alerts", "alert 2", "alert 3"]


def test_a_message_nobody_answered_is_a_thread_of_one(client: WebClient):
    ts = client.chat_postMessage(channel=SEC_ALERTS, text="alone")["ts"]

    [message] = client.conversations_replies(channel=SEC_ALERTS, ts=ts)["messages"]

    assert message["ts"] == ts and "reply_count" not in message


def test_ephemeral_and_deleted_messages_are_never_listed(client: WebClient, clock):
    first = client.chat_postMessage(channel=SEC_ALERTS, text="kept")["ts"]
    client.chat_postEphemeral(channel=SEC_ALERTS, user=JANE, text="psst")
    gone = client.chat_postMessage(channel=SEC_ALERTS, text="gone")["ts"]
    reply = client.chat_postMessage(channel=SEC_ALERTS, text="gone reply", thread_ts=first)["ts"]
    client.chat_delete(channel=SEC_ALERTS, ts=gone)
    client.chat_delete(channel=SEC_ALERTS, ts=reply)

    history = client.conversations_history(channel=SEC_ALERTS, oldest=first, inclusive=True)
    thread = client.conversations_replies(channel=SEC_ALERTS, ts=first)

    assert texts(history) == ["kept"] and "reply_count" not in history["messages"][0]
    assert texts(thread) == ["kept"]
    with pytest.raises(SlackApiError) as failure:
        client.conversations_replies(channel=SEC_ALERTS, ts=gone)
    assert error_of(failure) == "thread_not_found"


def test_private_channels_and_dms_the_bot_is_in(client: WebClient, workspace: Workspace):
    client.chat_postMessage(channel=JANE, text="hi jane")

    private = client.conversations_history(channel=INCIDENTS)
    dm = client.conversations_history(channel=JANE_DM)

    assert texts(private) == ["Opening INC-42: possible API token leak, source 198.51.100.2."]
    assert texts(dm) == ["hi jane"]


def test_reading_where_the_bot_may_not(client: WebClient):
    cases = (
        ("conversations.history", {"channel": IT_OPS}, "not_in_channel"),
        ("conversations.replies", {"channel": IT_OPS, "ts": "1.000001"}, "not_in_channel"),
        ("conversations.history", {"channel": HR_PRIVATE}, "channel_not_found"),
        ("conversations.history", {"channel": "C0NOSUCH00"}, "channel_not_found"),
        ("conversations.history", {"channel": "#sec-alerts"}, "channel_not_found"),
        ("conversations.replies", {"channel": SEC_ALERTS, "ts": "1.000001"}, "thread_not_found"),
    )
    for method, params, expected in cases:
        with pytest.raises(SlackApiError) as failure:
            client.api_call(method, http_verb="GET", params=params)
        assert error_of(failure) == expected, (method, params)


def test_a_missing_user_id_is_no_conversation_and_opens_no_dm(client: WebClient, workspace: Workspace):
    with pytest.raises(SlackApiError) as failure:
        client.conversations_history(channel=RAVI)

    assert error_of(failure) == "channel_not_found"
    assert all(channel.im_user != RAVI for channel in workspace.directory.channels())


@pytest.mark.parametrize(
    ("channel", "needed"),
    [(SEC_ALERTS, "channels:history"), (INCIDENTS, "groups:history"), (JANE_DM, "im:history")],
)
def test_each_kind_of_conversation_needs_its_history_scope(clock: ManualClock, channel: str, needed: str):
    workspace = Workspace(clock, scopes={"chat:write", "channels:read"})
    with start_slack_api(workspace) as running:
        client = WebClient(token="xoxb-test", base_url=running.api_url)
        ts = workspace.messages(channel)[0].ts if workspace.messages(channel) else "1.000001"
        with pytest.raises(SlackApiError) as history:
            client.conversations_history(channel=channel)
        with pytest.raises(SlackApiError) as replies:
            client.conversations_replies(channel=channel, ts=ts)

    for failure in (history, replies):
        assert error_of(failure) == "missing_scope"
        assert failure.value.response["needed"] == needed
        assert failure.value.response["provided"] == "channels:read,chat:write"


def test_a_group_dm_needs_mpim_history(clock: ManualClock):
    members = frozenset({JANE, RAVI, BOT_USER_ID})
    group = Channel(GROUP_DM, "mpdm-jane--ravi--auditbot-1", members, is_private=True, is_mpim=True)
    for scopes, expected in (({"channels:history"}, "missing_scope"), ({"mpim:history"}, None)):
        workspace = Workspace(clock, scopes=scopes | {"chat:write"})
        workspace.directory.add_channel(group)
        workspace.post_as_user(GROUP_DM, JANE, "lunch?")
        with start_slack_api(workspace) as running:
            client = WebClient(token="xoxb-test", base_url=running.api_url)
            if expected is None:
                assert texts(client.conversations_history(channel=GROUP_DM)) == ["lunch?"]
                continue
            with pytest.raises(SlackApiError) as failure:
                client.conversations_history(channel=GROUP_DM)
        assert error_of(failure) == expected and failure.value.response["needed"] == "mpim:history"


# responses lost after the work


def test_a_lost_response_raises_but_the_post_is_in_history(client: WebClient, workspace: Workspace):
    workspace.lose_next_response("chat.postMessage")

    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel=SEC_ALERTS, text="alert 1", metadata=alert(1))

    assert failure.value.response.status_code == 500
    assert "<html>" in str(failure.value.response["error"]), "the body is not Slack's JSON"
    latest = client.conversations_history(channel=SEC_ALERTS, limit=1, include_all_metadata=True)["messages"][0]
    assert (latest["text"], latest["metadata"]) == ("alert 1", alert(1))
    assert client.chat_postMessage(channel=SEC_ALERTS, text="alert 2")["ok"], "one lost answer, then normal again"


def test_a_lost_thread_reply_is_in_the_thread(client: WebClient, workspace: Workspace):
    parent = client.chat_postMessage(channel=SEC_ALERTS, text="2 alerts")["ts"]
    workspace.lose_next_response("chat.postMessage", status=503, times=2)

    for n in range(2):
        with pytest.raises(SlackApiError) as failure:
            client.chat_postMessage(channel=SEC_ALERTS, text=f"alert {n}", thread_ts=parent, metadata=alert(n))
        assert failure.value.response.status_code == 503

    thread = client.conversations_replies(channel=SEC_ALERTS, ts=parent, include_all_metadata=True)
    assert [m.get("metadata") for m in thread["messages"]] == [None, alert(0), alert(1)]


def test_a_retrying_client_posts_twice_when_the_answer_is_lost(
    running, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
):
    slept: list[float] = []
    monkeypatch.setattr(retry_handler, "time", SimpleNamespace(sleep=slept.append))
    workspace.lose_next_response("chat.postMessage")
    client = WebClient(
        token="xoxb-test", base_url=running.api_url, retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)]
    )

    assert client.chat_postMessage(channel=SEC_ALERTS, text="alert 1")["ok"]

    assert len(slept) == 1
    assert [m.text for m in workspace.messages(SEC_ALERTS)].count("alert 1") == 2


def test_lost_responses_and_refusals_are_met_in_the_order_scripted(client: WebClient, workspace: Workspace):
    workspace.fail_next("chat.postMessage", error="internal_error")
    workspace.lose_next_response("*")

    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=SEC_ALERTS, text="refused")
    with pytest.raises(SlackApiError) as lost:
        client.chat_postMessage(channel=SEC_ALERTS, text="lost")

    assert (refused.value.response.status_code, error_of(refused)) == (200, "internal_error")
    assert lost.value.response.status_code == 500
    assert texts(client.conversations_history(channel=SEC_ALERTS, limit=1)) == ["lost"]


def test_a_response_url_post_can_lose_its_answer(workspace: Workspace, running):
    workspace.lose_next_response(RESPONSE_URL, status=502)

    answer = WebhookClient(workspace.new_response_url(SEC_ALERTS, JANE)).send(text="done anyway")

    assert answer.status_code == 502
    assert [m.text for m in workspace.ephemerals(SEC_ALERTS, JANE)] == ["done anyway"]


def test_an_upload_can_lose_its_answer_after_storing_the_bytes(client: WebClient, workspace: Workspace):
    workspace.lose_next_response(FILE_UPLOAD)

    with pytest.raises(urllib.error.HTTPError) as failure:  # urllib raises before slack_sdk's status check
        client.files_upload_v2(content="a,b\n", filename="x.csv", channel=SEC_ALERTS)
    failure.value.close()

    assert failure.value.code == 500
    assert workspace.files[0].content == b"a,b\n" and not workspace.files[0].completed


def test_a_lost_response_is_a_server_error_and_counted(workspace: Workspace):
    with pytest.raises(ValueError, match="5xx"):
        workspace.lose_next_response("chat.postMessage", status=200)
    with pytest.raises(ValueError):
        workspace.lose_next_response("chat.postMessage", times=0)
