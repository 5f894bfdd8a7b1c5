"""Block ids as the client fills them in, and choices reported in Slack's shapes (and refused when not offered)."""

from __future__ import annotations

from typing import Any

import pytest

from auditbot.playground.web.blockids import find_element, with_ids
from auditbot.playground.web.choices import ChoiceError, action_json, state_values

OPTIONS = [
    {"text": {"type": "plain_text", "text": "One"}, "value": "1"},
    {"text": {"type": "plain_text", "text": "Two"}, "value": "2", "description": {"type": "plain_text", "text": "d"}},
]
SELECT = {"type": "static_select", "action_id": "pick", "options": OPTIONS}
BUTTON = {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "value": "v", "style": "primary"}
BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}, "accessory": BUTTON},
    {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}},
    {"type": "actions", "block_id": "mine", "elements": [SELECT, {"type": "datepicker", "action_id": "day"}]},
    {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": []}]},
]


def test_block_ids_are_filled_in_stably_and_uniquely_and_app_ids_are_kept():
    first, second = with_ids(BLOCKS), with_ids(BLOCKS)
    assert first == second
    ids = [block["block_id"] for block in first]
    assert len(set(ids)) == len(ids) and ids[2] == "mine"
    assert first[0]["accessory"]["action_id"], "an element without an action_id gets one"
    assert "action_id" not in first[3]["elements"][0], "rich text parts are not interactive"
    assert "block_id" not in BLOCKS[0], "the app's blocks are not changed"


def test_find_element_by_block_and_action_id():
    blocks = with_ids(BLOCKS)
    assert find_element(BLOCKS, "mine", "pick") == SELECT
    button = find_element(BLOCKS, blocks[0]["block_id"], blocks[0]["accessory"]["action_id"])
    assert button is not None and button["value"] == "v"
    assert find_element(BLOCKS, "mine", "nope") is None
    assert find_element(BLOCKS, "other", "pick") is None


def test_actions_report_what_the_element_defines():
    button = action_json(BUTTON | {"action_id": "go"}, "b", {"value": "forged"}, "1.5")
    assert button == {
        "type": "button",
        "action_id": "go",
        "block_id": "b",
        "text": BUTTON["text"],
        "value": "v",
        "style": "primary",
        "action_ts": "1.5",
    }
    picked = action_json(SELECT, "mine", {"selected_option": {"value": "2"}}, "1.5")
    assert picked["selected_option"] == OPTIONS[1]
    day = action_json({"type": "datepicker", "action_id": "day"}, "mine", {"selected_date": "2026-11-25"}, "1")
    assert day["selected_date"] == "2026-11-25"
    loaded = {"value": "x", "text": {"type": "plain_text", "text": "X"}, "junk": True}
    external = action_json({"type": "external_select", "action_id": "e"}, "b", {"selected_option": loaded}, "1")
    assert external["selected_option"] == {"text": {"type": "plain_text", "text": "X", "emoji": True}, "value": "x"}


@pytest.mark.parametrize(
    ("element", "choice"),
    [
        (SELECT, {"selected_option": {"value": "3"}}),
        ({"type": "datepicker", "action_id": "d"}, {"selected_date": "25/11/2026"}),
        ({"type": "datetimepicker", "action_id": "d"}, {"selected_date_time": "soon"}),
        ({"type": "multi_static_select", "action_id": "m", "options": OPTIONS}, {"selected_options": ["1", "9"]}),
    ],
)
def test_choices_the_element_does_not_offer_are_refused(element, choice):
    with pytest.raises(ChoiceError):
        action_json(element, "b", choice, "1")


def test_state_values_take_what_was_entered_and_fall_back_to_initial_values():
    blocks = [
        {"type": "input", "block_id": "name", "element": {"type": "plain_text_input", "action_id": "name"}},
        {
            "type": "input",
            "block_id": "since",
            "element": {"type": "datetimepicker", "action_id": "since", "initial_date_time": 1764072000},
        },
        {"type": "input", "block_id": "acts", "element": {"type": "multi_external_select", "action_id": "acts"}},
        {"type": "actions", "block_id": "row", "elements": [BUTTON | {"action_id": "go"}, SELECT]},
    ]
    given = {
        "name": {"name": {"value": "jane"}},
        "acts": {"acts": {"selected_options": [{"value": "added_org_admin"}]}},
        "row": {"pick": {"selected_option": {"value": "1"}}},
    }
    values = state_values(blocks, given)
    assert values["name"]["name"] == {"type": "plain_text_input", "value": "jane"}
    assert values["since"]["since"] == {"type": "datetimepicker", "selected_date_time": 1764072000}
    assert values["acts"]["acts"]["selected_options"][0]["value"] == "added_org_admin"
    assert values["row"] == {"pick": {"type": "static_select", "selected_option": OPTIONS[0]}}, "buttons keep no state"
    empty = state_values(blocks, {"name": {"name": {"value": ""}}})
    assert empty["name"]["name"]["value"] is None
    assert empty["acts"]["acts"]["selected_options"] == []
