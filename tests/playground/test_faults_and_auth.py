"""Tokens, unknown methods and scripted failures: 429 with Retry-After, retried by slack_sdk's handler."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from auditbot.playground import RESPONSE_URL, Workspace
from auditbot.playground.seed import JANE, SEC_ALERTS

pytestmark = pytest.mark.http


def test_a_token_the_workspace_does_not_know(running):
    with pytest.raises(SlackApiError) as failure:
        WebClient(token="xoxb-someone-else", base_url=running.api_url).auth_test()
    assert failure.value.response["error"] == "invalid_auth"


def test_no_token_at_all(running):
    with pytest.raises(SlackApiError) as failure:
        WebClient(base_url=running.api_url).auth_test()
    assert failure.value.response["error"] == "not_authed"


def test_only_bot_tokens_configure_a_workspace(clock):
    with pytest.raises(ValueError, match="xoxb-"):
        Workspace(clock, tokens=("xoxp-user-token",))


def test_a_token_as_a_form_parameter_works_too(client: WebClient, running):
    answer = WebClient(base_url=running.api_url).api_call("auth.test", params={"token": "xoxb-test"})
    assert answer["ok"]


def test_unknown_methods(client: WebClient, workspace: Workspace):
    with pytest.raises(SlackApiError) as failure:
        client.api_call("chat.scheduleMessage", json={"channel": SEC_ALERTS, "text": "later"})
    assert failure.value.response["error"] == "unknown_method"
    assert workspace.calls[-1].method == "chat.scheduleMessage"


def test_ratelimited_answers_429_with_retry_after(client: WebClient, workspace: Workspace):
    workspace.fail_next("chat.postMessage", retry_after=30)

    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel=SEC_ALERTS, text="x")

    assert failure.value.response.status_code == 429
    assert failure.value.response["error"] == "ratelimited"
    assert failure.value.response.headers["Retry-After"] == "30"
    assert client.chat_postMessage(channel=SEC_ALERTS, text="x")["ok"], "one failure, then normal again"


def test_the_rate_limit_retry_handler_waits_and_retries(running, workspace: Workspace, retry_sleeps):
    workspace.fail_next("chat.postMessage", retry_after=0, times=2)
    client = WebClient(
        token="xoxb-test", base_url=running.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)]
    )

    answer = client.chat_postMessage(channel=SEC_ALERTS, text="eventually")

    assert answer["ok"] and len(retry_sleeps) == 2 and all(0 <= s < 1 for s in retry_sleeps)
    assert [m for m, _ in workspace.calls].count("chat.postMessage") == 3
    assert [m.text for m in workspace.messages(SEC_ALERTS)].count("eventually") == 1


def test_other_errors_answer_ok_false_with_200(client: WebClient, workspace: Workspace):
    workspace.fail_next("views.publish", error="internal_error")
    workspace.fail_next("*", error="fatal_error", status=500)

    with pytest.raises(SlackApiError) as specific:
        client.views_publish(user_id=JANE, view={"type": "home", "blocks": []})
    with pytest.raises(SlackApiError) as wildcard:
        client.users_info(user=JANE)

    assert (specific.value.response.status_code, specific.value.response["error"]) == (200, "internal_error")
    assert (wildcard.value.response.status_code, wildcard.value.response["error"]) == (500, "fatal_error")
    assert client.users_info(user=JANE)["ok"]


def test_response_urls_can_be_rate_limited_and_retried(workspace: Workspace, running, retry_sleeps):
    workspace.fail_next(RESPONSE_URL)
    hook = WebhookClient(
        workspace.new_response_url(SEC_ALERTS, JANE), retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )

    assert hook.send(text="after a wait").status_code == 200
    assert len(retry_sleeps) == 1
    assert [m.text for m in workspace.ephemerals(SEC_ALERTS, JANE)] == ["after a wait"]


def test_fail_next_needs_a_positive_count(workspace: Workspace):
    with pytest.raises(ValueError):
        workspace.fail_next("chat.postMessage", times=0)
