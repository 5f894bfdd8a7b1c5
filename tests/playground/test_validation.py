"""Block Kit limits: what Slack refuses, refused here with Slack's error code and a pointer to the problem."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.playground.blocks import block_problems, check_view
from auditbot.playground.model import SlackError
from auditbot.playground.seed import JANE, SEC_ALERTS

from .blocks import modal, section

pytestmark = pytest.mark.http


def refusal(client: WebClient, **kwargs: Any) -> tuple[str, list[str]]:
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel=SEC_ALERTS, **kwargs)
    response = failure.value.response
    return response["error"], response.get("response_metadata", {}).get("messages", [])


def test_fifty_blocks_pass_fifty_one_fail(client: WebClient, workspace):
    assert client.chat_postMessage(channel=SEC_ALERTS, text="t", blocks=[section(f"{n}") for n in range(50)])["ok"]

    error, messages = refusal(client, text="t", blocks=[section(f"{n}") for n in range(51)])

    assert error == "invalid_blocks"
    assert messages == ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]
    assert len(workspace.messages(SEC_ALERTS)[-1].blocks) == 50


def test_section_text_over_3000_characters(client: WebClient):
    assert client.chat_postMessage(channel=SEC_ALERTS, text="t", blocks=[section("x" * 3000)])["ok"]

    error, messages = refusal(client, text="t", blocks=[section("ok"), section("x" * 3001)])

    assert error == "invalid_blocks"
    assert messages == ["[ERROR] must be less than 3001 characters [json-pointer:/blocks/1/text/text]"]


def test_neither_text_nor_blocks(client: WebClient):
    with pytest.raises(SlackApiError) as failure:
        client.api_call("chat.postMessage", json={"channel": SEC_ALERTS, "text": ""})
    assert failure.value.response["error"] == "no_text"


def test_ephemeral_and_update_check_blocks_too(client: WebClient):
    too_many = [section(f"{n}") for n in range(51)]
    with pytest.raises(SlackApiError) as ephemeral:
        client.chat_postEphemeral(channel=SEC_ALERTS, user=JANE, text="t", blocks=too_many)
    ts = client.chat_postMessage(channel=SEC_ALERTS, text="t")["ts"]
    with pytest.raises(SlackApiError) as update:
        client.chat_update(channel=SEC_ALERTS, ts=ts, text="t", blocks=too_many)

    assert ephemeral.value.response["error"] == update.value.response["error"] == "invalid_blocks"


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([{"text": "no type"}], "[ERROR] missing required field: type [json-pointer:/blocks/0]"),
        ([{"type": "carousel"}], "[ERROR] unsupported type: carousel [json-pointer:/blocks/0/type]"),
        ([section("a", "b1"), section("b", "b1")], "[ERROR] duplicate block_id: b1 [json-pointer:/blocks/1/block_id]"),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
            "[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/fields]",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
            "[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": {"type": "plain_text", "text": "Next"}, "value": "v" * 2001}
                    ],
                }
            ],
            "[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]",
        ),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": ""}}], "[ERROR] must be more than 0 characters"),
        ("not a list", "[ERROR] must provide an array [json-pointer:/blocks]"),
    ],
)
def test_block_problems(blocks, expected):
    problems = block_problems(blocks, 50)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_views_over_100_blocks_and_long_titles_are_invalid_arguments(client: WebClient, workspace):
    trigger = workspace.new_trigger_id(JANE)
    with pytest.raises(SlackApiError) as failure:
        client.views_open(trigger_id=trigger, view=modal(title="t" * 25, blocks=101))

    response = failure.value.response
    assert response["error"] == "invalid_arguments"
    assert response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]",
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]",
    ]
    assert client.views_open(trigger_id=trigger, view=modal(blocks=100))["ok"], "a refused view leaves the trigger"


def test_a_view_of_the_wrong_type_or_with_a_long_section():
    with pytest.raises(SlackError) as wrong_type:
        check_view({"type": "home", "blocks": []}, kinds=("modal",))
    with pytest.raises(SlackError) as long_section:
        check_view({"type": "home", "blocks": [section("x" * 3001)]}, kinds=("home",))

    assert wrong_type.value.messages == ["[ERROR] must be one of modal [json-pointer:/view/type]"]
    assert long_section.value.messages == [
        "[ERROR] must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]"
    ]
