"""A slash command's ack body is shown as Slack shows it, and its text reaches the app as Slack sends it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from auditbot.playground import Workspace
from auditbot.playground.seed import HR_PRIVATE, IT_OPS, JANE, RAVI, SEC_ALERTS
from auditbot.playground.web.composer import as_sent
from auditbot.playground.web.profile import AUDITBOT

from .test_endpoints import events, post
from .tinyapp import TinyApp

MANIFEST = Path(__file__).parents[3] / "manifest.yml"


def run(page: httpx.Client, workspace: Workspace, text: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    start = workspace.events_since().cursor
    answer = post(page, "command", channel=SEC_ALERTS, text=f"/audit {text}")
    return answer, events(page, start)["events"]


@pytest.mark.http
def test_an_ack_with_text_is_an_ephemeral_message(page: httpx.Client, app: TinyApp, workspace: Workspace):
    answer, [shown] = run(page, workspace, "ack text")
    assert answer["replied"] is True
    assert (shown["kind"], shown["data"]["text"], shown["data"]["ephemeral"]) == (
        "ephemeral",
        "Slow down: ready in 3 s.",
        True,
    )
    assert workspace.ephemerals(SEC_ALERTS, JANE)[-1].user == workspace.bot.id


@pytest.mark.http
def test_an_ack_with_blocks_shows_them(page: httpx.Client, app: TinyApp, workspace: Workspace):
    _, [shown] = run(page, workspace, "ack blocks")
    assert shown["kind"] == "ephemeral"
    assert shown["data"]["blocks"][0]["text"]["text"] == "*page 1*"


@pytest.mark.http
def test_an_in_channel_ack_posts_the_command_and_the_answer(page: httpx.Client, app: TinyApp, workspace: Workspace):
    _, shown = run(page, workspace, "ack in channel")
    assert [(e["kind"], e["data"]["text"]) for e in shown] == [
        ("message", "/audit ack in channel"),
        ("message", "for everyone"),
    ]
    assert [m.user for m in workspace.messages(SEC_ALERTS)[-2:]] == [JANE, workspace.bot.id]


@pytest.mark.http
def test_an_empty_ack_or_one_without_a_message_shows_nothing(page: httpx.Client, app: TinyApp, workspace: Workspace):
    answer, shown = run(page, workspace, "ack nothing to show")
    assert (answer["replied"], shown) == (False, [])
    answer, [reply] = run(page, workspace, "last:2d")
    assert answer["replied"] is False, "the reply came through the response URL, not the ack"
    assert reply["data"]["text"] == "results for last:2d"


@pytest.mark.http
def test_an_ack_slack_would_refuse_is_an_error_for_the_page(page: httpx.Client, app: TinyApp, workspace: Workspace):
    answer = page.post("/ui/command", json={"channel": SEC_ALERTS, "text": "/audit ack bad blocks"})
    assert answer.status_code == 502
    assert "Slack refused the app's answer to the command (invalid_blocks" in answer.json()["error"]


@pytest.mark.http
def test_channels_and_people_reach_the_app_linked(page: httpx.Client, app: TinyApp, workspace: Workspace):
    post(page, "command", channel=SEC_ALERTS, text="/audit subscribe #sec-alerts actor:@ravi a<b & c>d")
    assert app.last("command")["text"] == (
        "subscribe <#C0SECALERT|sec-alerts> actor:<@U02RAVIKMR|ravi> a&lt;b &amp; c&gt;d"
    )


@pytest.mark.http
def test_a_message_links_channels_and_people_too(page: httpx.Client, workspace: Workspace):
    post(page, "message", channel=SEC_ALERTS, text="see #it-ops, @ravi & <b>")
    assert workspace.messages(SEC_ALERTS)[-1].text == f"see <#{IT_OPS}|it-ops>, <@{RAVI}|ravi> &amp; &lt;b&gt;"


def test_a_name_is_linked_only_when_it_names_something_the_person_can_see(workspace: Workspace):
    def sent(text: str, user: str = JANE) -> str:
        return as_sent(workspace, user, text, link_names=True)

    assert sent("subscribe #IT-Ops.") == f"subscribe <#{IT_OPS}|it-ops>."
    assert sent("#hr-private") == f"<#{HR_PRIVATE}|hr-private>"
    assert sent("#hr-private", RAVI) == "#hr-private", "Ravi is not in the private channel"
    assert sent("#no-such-channel @nobody") == "#no-such-channel @nobody"
    assert sent("actor:jane@example.com") == "actor:jane@example.com", "an email is not a mention"
    assert sent("#sec-alerts#it-ops") == f"<#{SEC_ALERTS}|sec-alerts>#it-ops"
    assert as_sent(workspace, JANE, "#sec-alerts @jane", link_names=False) == "#sec-alerts @jane"


def test_the_profile_escapes_as_the_manifest_says():
    manifest = yaml.safe_load(MANIFEST.read_text())
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == AUDITBOT.command
    assert command["should_escape"] is AUDITBOT.should_escape is True
