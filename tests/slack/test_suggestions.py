"""A query error's "Did you mean …?" is a button: one click runs the whole corrected query in the error's place."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditbot.playground import seed
from auditbot.sandbox import GeneratedOrg
from auditbot.slack import ids
from auditbot.slack.middleware.throttle import counts_as_search
from tests.slack.harness import SlackWorld
from tests.slack.test_access_matrix import POLICY, guarded_world


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def suggestions(message: dict[str, Any]) -> list[str]:
    """The values of the suggestion buttons of a message, in order."""
    accessories = [b["accessory"] for b in message.get("blocks", []) if "accessory" in b]
    return [a["value"] for a in accessories if ids.SEARCH_SUGGESTION_PATTERN.match(a["action_id"])]


def test_a_misspelt_action_suggests_the_whole_query_once_and_the_button_runs_it(slack: SlackWorld):
    slack.command("action:user_login_faild last:7d")
    error = slack.last_reply()
    shown = text_of(error)
    assert 'No action is called \\"user_login_faild\\"' in shown
    assert shown.count("user_login_failed last:7d") == 2  # the suggestion's text and its button value
    assert "column" not in shown
    assert suggestions(error)[0] == "action:user_login_failed last:7d"
    [posted] = slack.workspace.ephemerals(seed.SEC_ALERTS, seed.JANE)

    response = slack.click(f"{ids.SEARCH_SUGGESTION}:0", suggestions(error)[0], message_ts=posted.ts)

    assert response.status == 200
    results = slack.last_reply()
    assert results["replace_original"] is True, "the results take the error's place"
    assert "action:user_login_failed since:7d" in text_of(results)
    assert "could not be read" not in text_of(results)
    [now] = slack.workspace.ephemerals(seed.SEC_ALERTS, seed.JANE)
    assert "could not be read" not in text_of(list(now.blocks))
    assert slack.trail.recent()[0].query == "action:user_login_failed since:7d"


def test_a_misspelt_term_keeps_the_rest_of_the_query(slack: SlackWorld):
    slack.command("acter:bob@example.com last:7d")
    assert suggestions(slack.last_reply())[0] == "actor:bob@example.com last:7d"


def test_a_suggestion_with_a_second_mistake_answers_with_that_mistake_and_its_own_suggestion(slack: SlackWorld):
    slack.command("acter:bob@example.com product:jiraa")
    first = suggestions(slack.last_reply())[0]
    assert first == "actor:bob@example.com product:jiraa"
    slack.click(f"{ids.SEARCH_SUGGESTION}:0", first)
    again = slack.last_reply()
    assert 'Unknown product \\"jiraa\\"' in text_of(again)
    assert suggestions(again)[0] == "actor:bob@example.com product:jira"


def test_the_suggestion_button_is_a_search_and_counts_toward_the_search_limit():
    body = {"type": "block_actions", "actions": [{"action_id": f"{ids.SEARCH_SUGGESTION}:1"}]}
    assert counts_as_search(body)


def test_the_access_policy_guards_the_suggestion_button_as_a_search(org: GeneratedOrg):
    world, _ = guarded_world(org, POLICY)
    try:
        world.click(f"{ids.SEARCH_SUGGESTION}:0", "action:user_login last:7d", user=seed.RAVI)
        assert not any("action:user_login since:7d" in text_of(r) for r in world.replies()), "no search for Ravi"
        world.click(f"{ids.SEARCH_SUGGESTION}:0", "action:user_login last:7d", user=seed.MAYA)
        assert "action:user_login since:7d" in text_of(world.last_reply()), "a viewer may search"
    finally:
        world.close()


@pytest.mark.parametrize(
    ("text", "counted"),
    [
        ("action:user_login", True),
        ("", True),
        ("alerts", True),
        ("help", False),
        ("bot-log denied", False),
        ("subscriptions", False),
    ],
)
def test_only_what_reads_the_audit_log_counts_as_a_search(text: str, counted: bool):
    assert counts_as_search({"command": "/audit", "text": text}) is counted
