"""The workspace as the fake Slack behind a real Bolt app: respond() to a click's response URL, views.open."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from auditbot.playground import RunningSlackApi, Workspace
from auditbot.playground.seed import JANE, SEC_ALERTS, TEAM

from .blocks import modal, section

pytestmark = pytest.mark.http


def make_app(running: RunningSlackApi) -> App:
    def authorize(**_: Any) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=None, team_id=TEAM.id, bot_token="xoxb-test", bot_id="B0AUDITBOT", bot_user_id="U0AUDITBOT"
        )

    app = App(
        signing_secret="secret",
        authorize=authorize,
        client=WebClient(base_url=running.api_url),
        process_before_response=True,
    )

    @app.action("page_next")
    def next_page(ack: Any, respond: Any, client: WebClient, body: dict[str, Any]) -> None:
        ack()
        respond(text="page 2", blocks=[section("page 2")], replace_original=True)
        client.views_open(trigger_id=body["trigger_id"], view=modal(title="Page 2 details"))

    return app


def test_a_click_replaces_the_ephemeral_page_and_opens_a_modal(running: RunningSlackApi, workspace: Workspace):
    app = make_app(running)
    first = workspace.conversations.add_ephemeral(
        SEC_ALERTS, JANE, author="U0AUDITBOT", text="page 1", blocks=[section("page 1")]
    )
    body = {
        "type": "block_actions",
        "team": {"id": TEAM.id},
        "user": {"id": JANE},
        "channel": {"id": SEC_ALERTS},
        "container": {"type": "message", "message_ts": first.ts, "is_ephemeral": True},
        "trigger_id": workspace.new_trigger_id(JANE),
        "response_url": workspace.new_response_url(SEC_ALERTS, JANE, replaced_message_ts=first.ts),
        "actions": [{"type": "button", "action_id": "page_next", "block_id": "paging", "value": "cursor-2"}],
    }

    response = app.dispatch(BoltRequest(body=body, mode="socket_mode"))

    assert response.status == 200
    [page] = workspace.ephemerals(SEC_ALERTS, JANE)
    assert (page.ts, page.text) == (first.ts, "page 2")
    [opened] = workspace.views.stack(JANE)
    assert opened.view["title"]["text"] == "Page 2 details"
    assert [method for method, _ in workspace.calls] == ["views.open"]
