from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditbot.services.bot_trail import TrailEntry
from auditbot.slack.render.botlog import render_bot_log

from .support import CORPUS, assert_safe, assert_within_limits


def entry(n: int = 1, **fields: str) -> TrailEntry:
    values = {
        "team_id": "T1",
        "user_id": "U0JANE001",
        "kind": "query",
        "outcome": "ok",
        "query": "action:user_login since:2d",
        "channel_id": "C0SEC",
        "detail": "page 2",
    }
    values.update(fields)
    return TrailEntry(id=n, at=datetime(2026, 11, 25, 9, n % 60, tzinfo=UTC), **values)


def test_entries_show_who_what_where_and_how_it_went():
    message = render_bot_log([entry(2, kind="denied", outcome="denied", detail="export: not an admin"), entry(1)])
    text = str(message.blocks)
    assert "<@U0JANE001>" in text
    assert "denied" in text and "not an admin" in text
    assert "action:user_login since:2d" in text
    assert_within_limits(message.blocks)


def test_an_empty_log_says_so():
    assert "Nothing recorded yet" in str(render_bot_log([]).blocks)


@pytest.mark.parametrize("poison", CORPUS)
def test_hostile_text_in_any_field_stays_inert(poison):
    entries = [
        entry(1, query=poison),
        entry(2, detail=poison),
        entry(3, kind=poison),
        entry(4, channel_id=poison),
        entry(5, user_id=poison),
        entry(6, outcome=poison),
    ]
    message = render_bot_log(entries, text=poison)
    assert_safe(message, sharer="U0JANE001")
    assert_within_limits(message.blocks)


def test_a_long_log_becomes_plus_n_more():
    message = render_bot_log([entry(n, detail="x" * 500) for n in range(300)])
    assert_within_limits(message.blocks)
    assert "more" in str(message.blocks[-1])


def test_a_filter_that_finds_nothing_says_so():
    assert "No entries match export." in str(render_bot_log([], text="export").blocks)


def test_channels_show_by_name_when_known_and_by_id_otherwise():
    message = render_bot_log([entry(1), entry(2, channel_id="C0OTHER")], channels={"C0SEC": "#sec-alerts"})
    text = str(message.blocks)
    assert "#sec-alerts" in text and "C0SEC'" not in text and "C0OTHER" in text


def test_each_entry_is_at_most_two_lines_and_says_its_outcome_once():
    message = render_bot_log([entry(1, kind="denied", outcome="denied"), entry(2, kind="export", outcome="denied")])
    first, second = (b["text"]["text"] for b in message.blocks if b["type"] == "section")
    assert first.count("\n") <= 1 and second.count("\n") <= 1
    assert first.count("denied") == 1 and "*export* denied" in second


def test_pages_have_previous_and_next_buttons():
    message = render_bot_log([entry(1)], page=2, next_state="b1.n", previous_state="b1.p")
    buttons = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [("Previous", "b1.p"), ("Next", "b1.n")]
    assert "Page 2" in str(message.blocks)
    assert_within_limits(message.blocks)
