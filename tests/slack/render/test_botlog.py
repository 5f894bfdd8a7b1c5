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
