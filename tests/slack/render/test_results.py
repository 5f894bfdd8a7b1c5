"""Result pages as messages: header, window, entries, paging buttons, shared copies, overflow."""

from __future__ import annotations

import re

import pytest

from auditbot.slack import ids
from auditbot.slack.render import render_results
from tests.slack.render.support import (
    assert_safe,
    assert_within_limits,
    buttons,
    make_event,
    make_page,
    mrkdwn_texts,
    sample_events,
)


def test_a_page_has_a_header_a_window_line_one_entry_per_event_and_buttons():
    events = [make_event(), make_event(action="user_login")]
    message = render_results(make_page(events))
    blocks = message.blocks
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Audit log: actor:jane@example.com since:24h", "emoji": False},
    }
    summary = blocks[1]["elements"][0]["text"]
    assert re.fullmatch(r"<!date\^\d+\^.*\|2026-11-19 14:00 UTC> to <!date\^\d+\^.*\|2026-11-20 14:00 UTC>.*", summary)
    assert "page 1" in summary and "live from the Admin API" in summary
    entries = [b for b in blocks if b["type"] == "section"]
    assert len(entries) == 2
    text = entries[0]["text"]["text"]
    assert "|2026-11-20 13:45 UTC>" in text and "*User added to group*" in text
    assert "by jane@example.com" in text and "from 203.0.113.7 (Sydney, Australia)" in text
    assert "touched: site-admins · in: Example org" in text
    assert entries[0]["accessory"]["action_id"] == ids.EVENT_DETAILS
    assert entries[0]["accessory"]["value"] == "e-1"
    assert message.text == "Audit log: 2 events for actor:jane\uff20example\u2024com since:24h"
    assert_within_limits(blocks)
    assert_safe(message)


def test_paging_buttons_follow_the_page_states():
    first = render_results(make_page([make_event()]))
    assert [(b["action_id"], b["value"]) for b in buttons(first.blocks[-1])] == [
        (ids.PAGE_NEXT, "p1.next"),
        (ids.SHARE_PAGE, "p1.state"),
        (ids.EXPORT_CSV, "p1.state"),
    ]
    second = render_results(make_page([make_event()], page=2))
    assert [b["action_id"] for b in buttons(second.blocks[-1])] == [
        ids.PAGE_PREV,
        ids.PAGE_NEXT,
        ids.SHARE_PAGE,
        ids.EXPORT_CSV,
    ]
    third = render_results(make_page([make_event()], page=3, next_state=None))
    assert [(b["action_id"], b["value"]) for b in buttons(third.blocks[-1])] == [
        (ids.PAGE_PREV, "p1.prev"),
        (ids.PAGE_FIRST, "p1.first"),
        (ids.SHARE_PAGE, "p1.state"),
        (ids.EXPORT_CSV, "p1.state"),
    ]


def test_a_shared_copy_has_no_buttons_and_names_the_sharer():
    message = render_results(make_page([make_event()] * 3, page=2), shared_by="U0SHARER")
    assert buttons(message.blocks) == []
    assert not any(b["type"] == "actions" for b in message.blocks)
    assert message.blocks[-1]["elements"][0]["text"] == "Shared by <@U0SHARER>"
    assert message.text.startswith("Shared audit log")
    assert_safe(message, sharer="U0SHARER")


def test_a_sharer_that_is_not_a_user_id_is_not_mentioned():
    message = render_results(make_page([make_event()]), shared_by="<!channel>")
    assert message.blocks[-1]["elements"][0]["text"] == "Shared to this channel"
    assert_safe(message)


def test_intro_notes_and_source_appear_as_context():
    page = make_page([make_event()], notes=("The action list could not be refreshed: <boom>",), source="mirror")
    message = render_results(page, intro="From the message: 2 emails, 1 IP")
    context = [e["text"] for b in message.blocks if b["type"] == "context" for e in b["elements"]]
    assert "from auditbot's copy of the log" in context[0]
    assert context[1] == "The action list could not be refreshed: &lt;boom&gt;"
    assert context[2] == "From the message: 2 emails, 1 IP"
    assert_safe(message)


def test_many_notes_stay_within_ten_context_elements():
    message = render_results(make_page([], notes=tuple(f"note {i}" for i in range(30))))
    assert len(message.blocks[1]["elements"]) == 10
    assert message.blocks[1]["elements"][-1]["text"] == "+22 more notes"


def test_a_partial_page_says_how_far_it_scanned_and_when_the_budget_returns():
    page = make_page([make_event()], partial=True, scanned=1500, retry_after=41.6)
    texts = list(mrkdwn_texts(render_results(page).blocks))
    assert "Scanned 1500 events; more may match — Next continues. Rate limit reached; ready in 42 s." in texts


def test_an_empty_page_suggests_widening_the_window():
    message = render_results(make_page([], next_state=None))
    texts = " ".join(mrkdwn_texts(message.blocks))
    assert "No events matched" in texts and "last:30d" in texts
    assert message.text == "Audit log: 0 events for actor:jane\uff20example\u2024com since:24h"
    assert_within_limits(message.blocks)


def test_an_empty_partial_page_says_next_continues():
    texts = " ".join(mrkdwn_texts(render_results(make_page([], partial=True, scanned=1500)).blocks))
    assert "No events matched yet" in texts


def test_an_empty_query_reads_all_events():
    assert render_results(make_page([], query="")).blocks[0]["text"]["text"] == "Audit log: all events"


def test_the_header_query_is_clipped_to_150():
    header = render_results(make_page([], query="actor:" + "x" * 400)).blocks[0]["text"]["text"]
    assert len(header) == 150 and header.endswith("…")


def test_an_event_id_too_long_for_a_button_gets_no_details_button():
    event = make_event().model_copy(update={"id": "x" * 2001})
    section = next(b for b in render_results(make_page([event])).blocks if b["type"] == "section")
    assert "accessory" not in section


def test_items_beyond_three_are_counted():
    items = [{"id": f"u{i}", "type": "users", "attributes": {"name": f"user {i}"}} for i in range(7)]
    text = render_results(make_page([make_event(context=items)])).blocks[2]["text"]["text"]
    assert "touched: user 0, user 1, user 2 +4 more" in text


def test_the_system_actor_and_a_missing_location_read_well():
    event = make_event(actor={"id": "atlassian-internal-system", "name": "Atlassian Internal System"}, location=None)
    text = render_results(make_page([event])).blocks[2]["text"]["text"]
    assert "by Atlassian (system)" in text and "from" not in text


@pytest.mark.parametrize("count", [10, 43, 44, 100])
def test_a_hundred_events_fit_with_a_more_line(count):
    message = render_results(make_page([make_event()] * count, page=3, partial=True, retry_after=3))
    assert_within_limits(message.blocks)
    entries = [b for b in message.blocks if b["type"] == "section"]
    more = [t for t in mrkdwn_texts(message.blocks) if t.endswith("more on this page")]
    assert len(entries) + (int(more[0].split()[0][1:]) if more else 0) == count
    assert message.blocks[-1]["type"] == "actions"


def test_huge_events_are_cut_by_the_text_budget_not_by_slack():
    big = "&" * 10_000
    event = make_event(
        action=big,
        actor={"id": big, "name": big, "email": big},
        context=[{"id": big, "attributes": {"name": big}}] * 10,
    )
    page = make_page([event] * 100, query=big, notes=(big,) * 12, action_name=big)
    message = render_results(page, intro=big)
    assert_within_limits(message.blocks)
    assert any(t.endswith("more on this page") for t in mrkdwn_texts(message.blocks))
    assert_safe(message)


def test_every_real_sample_renders():
    events = sample_events()
    assert len(events) > 10
    message = render_results(make_page(events[:10]))
    assert_within_limits(message.blocks)
    assert_safe(message)
    for event in events:
        assert_safe(render_results(make_page([event])))
