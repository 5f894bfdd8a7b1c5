"""Our own Block Kit checks (the ones slack_sdk lacks), the packing budget and "+N more" lines."""

from __future__ import annotations

from typing import Any

import pytest

from auditbot.slack.render import kit
from auditbot.slack.render.limits import (
    Budget,
    RenderLimitError,
    check_blocks,
    check_view,
    more_line,
    pack_lines,
    text_units,
)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def check(blocks: list[dict[str, Any]], max_blocks: int = 50, budget: int = 12_000) -> None:
    check_blocks(blocks, max_blocks=max_blocks, text_budget=budget)


def test_a_valid_message_passes():
    check([kit.header("Audit log"), kit.section("hello"), more_line(3, "on this page")])


@pytest.mark.parametrize(
    ("blocks", "problem"),
    [
        ([], "0 blocks"),
        ([section("x")] * 51, "51 blocks"),
        ([section("x" * 3001)], "text of 3001"),
        ([section("\U0001f600" * 1501)], "text of 3002"),
        ([{"type": "section", "fields": [{"type": "plain_text", "text": "x" * 2001}]}], "field of 2001"),
        ([{"type": "section", "fields": [{"type": "plain_text", "text": "x"}] * 11}], "11 fields"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}], "header of 151"),
        ([{"type": "context", "elements": [{"type": "plain_text", "text": "x"}] * 11}], "11 context elements"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}], "without verbatim"),
        ([{"type": "section", "text": {"type": "plain_text", "text": " "}}], "empty plain_text"),
        (
            [{"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b"}}] * 26}],
            "too many actions",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b"}, "value": "v" * 2001}],
                }
            ],
            "button value",
        ),
        ([section("x" * 2000)] * 7, "units of text"),
    ],
)
def test_each_broken_limit_is_named(blocks, problem):
    with pytest.raises(RenderLimitError, match=problem):
        check(blocks)


def test_views_may_hold_a_hundred_blocks():
    check_view({"type": "modal", "blocks": [section("x")] * 100})
    with pytest.raises(RenderLimitError):
        check_view({"type": "modal", "blocks": [section("x")] * 101})


def test_budget_tracks_blocks_and_text_with_a_reserve():
    budget = Budget(3, 100)
    budget.take([section("a" * 40)])
    assert budget.fits([section("b" * 40)])
    assert not budget.fits([section("b" * 40)], reserve=[section("c" * 30)])
    assert not budget.fits([section("b")] * 3)
    assert (
        text_units([section("ab"), {"type": "context", "elements": [{"type": "plain_text", "text": "\U0001f600"}]}])
        == 4
    )


def test_pack_lines_packs_in_order_within_the_size():
    texts = pack_lines([f"line {i:03d}" for i in range(100)], 100)
    assert all(len(t) <= 100 for t in texts)
    assert "\n".join(texts).split("\n") == [f"line {i:03d}" for i in range(100)]
    assert pack_lines([]) == []


def test_more_line_is_a_context():
    assert more_line(7, "on this page") == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "+7 more on this page", "verbatim": True}],
    }
