"""Response URLs through slack_sdk's WebhookClient: ephemeral vs in_channel, replace/delete, 5 uses, 30 minutes."""

from __future__ import annotations

import json

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from auditbot.playground import RESPONSE_URL, Workspace
from auditbot.playground.seed import HR_PRIVATE, JANE, MAYA, SEC_ALERTS

from .blocks import section

pytestmark = pytest.mark.http


def test_urls_are_issued_on_the_server(workspace: Workspace, running):
    url = workspace.new_response_url(SEC_ALERTS, JANE)
    assert url.startswith(f"{running.root_url}/hooks/response/")


def test_the_default_answer_is_ephemeral_to_the_invoker(workspace: Workspace, running):
    url = workspace.new_response_url(SEC_ALERTS, JANE)
    answer = WebhookClient(url).send(text="results", blocks=[section("page 1")])

    assert (answer.status_code, json.loads(answer.body)) == (200, {"ok": True})
    [ephemeral] = workspace.ephemerals(SEC_ALERTS, JANE)
    assert (ephemeral.text, ephemeral.blocks, ephemeral.user) == ("results", (section("page 1"),), "U0AUDITBOT")
    assert all(m.text != "results" for m in workspace.messages(SEC_ALERTS))
    [post] = workspace.posts_to_response_urls
    assert post.token == url.rsplit("/", 1)[1] and post.payload["blocks"] == [section("page 1")]


def test_in_channel_posts_for_everyone_even_where_the_bot_is_not_a_member(workspace: Workspace, running):
    WebhookClient(workspace.new_response_url(HR_PRIVATE, MAYA)).send(text="shared by Maya", response_type="in_channel")

    assert workspace.messages(HR_PRIVATE)[-1].text == "shared by Maya"
    assert workspace.messages(HR_PRIVATE)[-1].bot_id == "B0AUDITBOT"


def test_replace_original_edits_the_clicked_ephemeral_in_place(workspace: Workspace, running):
    WebhookClient(workspace.new_response_url(SEC_ALERTS, JANE)).send(text="page 1", blocks=[section("1")])
    [page] = workspace.ephemerals(SEC_ALERTS, JANE)

    click = WebhookClient(workspace.new_response_url(SEC_ALERTS, JANE, replaced_message_ts=page.ts))
    answer = click.send(text="page 2", blocks=[section("2")], replace_original=True)

    assert answer.status_code == 200
    [replaced] = workspace.ephemerals(SEC_ALERTS, JANE)
    assert (replaced.ts, replaced.text, replaced.blocks) == (page.ts, "page 2", (section("2"),))


def test_replace_original_on_an_in_channel_message_changes_it_for_everyone(
    workspace: Workspace, running, client: WebClient
):
    ts = client.chat_postMessage(channel=SEC_ALERTS, text="alert", blocks=[section("Acknowledge?")])["ts"]
    url = workspace.new_response_url(SEC_ALERTS, JANE, replaced_message_ts=ts)

    WebhookClient(url).send(text="alert (acknowledged by Jane)", replace_original=True)

    message = workspace.messages(SEC_ALERTS)[-1]
    assert (message.ts, message.text, message.blocks) == (ts, "alert (acknowledged by Jane)", ())


def test_delete_original(workspace: Workspace, running, client: WebClient):
    ts = client.chat_postMessage(channel=SEC_ALERTS, text="snooze me")["ts"]
    WebhookClient(workspace.new_response_url(SEC_ALERTS, JANE, replaced_message_ts=ts)).send_dict(
        {"delete_original": True}
    )
    assert all(m.ts != ts for m in workspace.messages(SEC_ALERTS))


def test_a_slash_command_url_cannot_replace_the_apps_earlier_reply(workspace: Workspace, running):
    """Slack posts a new message instead (slackapi/bolt-python#1268)."""
    command = WebhookClient(workspace.new_response_url(SEC_ALERTS, JANE))
    command.send(text="Thinking...")
    command.send(text="Done", replace_original=True)

    assert [m.text for m in workspace.ephemerals(SEC_ALERTS, JANE)] == ["Thinking...", "Done"]


def test_a_url_takes_five_posts(workspace: Workspace, running):
    hook = WebhookClient(workspace.new_response_url(SEC_ALERTS, JANE))
    statuses = [hook.send(text=f"post {n}").status_code for n in range(6)]
    sixth = hook.send(text="again")

    assert statuses == [200] * 5 + [404]
    assert json.loads(sixth.body) == {"ok": False, "error": "used_url"}
    assert len(workspace.ephemerals(SEC_ALERTS, JANE)) == 5
    assert len(workspace.posts_to_response_urls) == 7, "refused posts are recorded too"


def test_a_url_expires_after_30_minutes_on_the_workspace_clock(workspace: Workspace, running, clock):
    hook = WebhookClient(workspace.new_response_url(SEC_ALERTS, JANE))
    clock.advance(29 * 60)
    in_time = hook.send(text="still fine")
    clock.advance(61)
    late = hook.send(text="too late")

    assert in_time.status_code == 200
    assert (late.status_code, json.loads(late.body)["error"]) == (404, "expired_url")


def test_refused_payloads_do_not_count_as_uses(workspace: Workspace, running):
    url = workspace.new_response_url(SEC_ALERTS, JANE)
    empty = WebhookClient(url).send_dict({"response_type": "ephemeral"})
    too_many = WebhookClient(url).send(text="t", blocks=[section(str(n)) for n in range(51)])

    assert (empty.status_code, json.loads(empty.body)["error"]) == (400, "no_text")
    assert (too_many.status_code, json.loads(too_many.body)["error"]) == (400, "invalid_blocks")
    assert workspace.response_urls.uses_left(url.rsplit("/", 1)[1]) == 5


def test_unknown_urls_and_injected_failures(workspace: Workspace, running):
    unknown = WebhookClient(f"{running.root_url}/hooks/response/nope").send(text="x")
    workspace.fail_next(RESPONSE_URL, error="internal_error", status=500)
    url = workspace.new_response_url(SEC_ALERTS, JANE)
    failed = WebhookClient(url).send(text="x")
    retried = WebhookClient(url).send(text="x")

    assert (unknown.status_code, json.loads(unknown.body)["error"]) == (404, "invalid_token")
    assert (failed.status_code, json.loads(failed.body)["error"]) == (500, "internal_error")
    assert retried.status_code == 200
