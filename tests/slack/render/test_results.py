"""Result pages as messages: header, window, entries, paging buttons, shared copies, overflow."""

from __future__ import annotations

import re
from typing import Any

import pytest

from auditbot.services.result_summary import Narrowing, ResultSummary
from auditbot.services.search import FoundEvent
from auditbot.slack import ids
from auditbot.slack.render import render_results
from auditbot.slack.render.kit import fallback
from auditbot.slack.render.results import render_shared_event
from tests.slack.render.support import (
    assert_safe,
    assert_within_limits,
    buttons,
    distinct_events,
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
    assert re.fullmatch(r"<!date\^\d+\^.*\|2026-11-19 14:00 UTC> → <!date\^\d+\^.*\|2026-11-20 14:00 UTC>.*", summary)
    assert "page 1" in summary and "live from the Admin API" in summary
    entries = [b for b in blocks if b["type"] == "section"]
    assert len(entries) == 2
    text = entries[0]["text"]["text"]
    assert "|2026-11-20 13:45 UTC>" in text and "*User added to group*" in text
    assert "by jane@example.com" in text and "from 203.0.113.7 (Sydney, Australia)" in text
    assert text.endswith("touched: site-admins"), "no 'in:' line for the org itself"
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
    message = render_results(make_page(distinct_events(count), page=3, partial=True, retry_after=3))
    assert_within_limits(message.blocks)
    entries = [b for b in message.blocks if b["type"] == "section"]
    more = [t for t in mrkdwn_texts(message.blocks) if t.endswith("more on this page")]
    assert len(entries) + (int(more[0].split()[0][1:]) if more else 0) == count
    assert message.blocks[-1]["type"] == "actions"


def test_huge_events_are_cut_by_the_text_budget_not_by_slack():
    big = "&" * 10_000
    events = distinct_events(
        100,
        action=big,
        actor={"id": big, "name": big, "email": big},
        context=[{"id": big, "attributes": {"name": big}}] * 10,
    )
    page = make_page(events, query=big, notes=(big,) * 12, action_name=big)
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


# -- the summary and collapsed rows --------------------------------------------------------------------

TOPS = ResultSummary(
    418,
    True,
    actors=(Narrowing("jane@example.com", 120, "p1.jane"), Narrowing("Atlassian Internal System", 80, "p1.sys")),
    ips=(Narrowing("203.0.113.7", 27, "p1.ip"),),
)


def narrow_buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (b["action_id"], b["text"]["text"], b["value"])
        for block in blocks
        for b in buttons(block)
        if ids.SEARCH_NARROW_PATTERN.match(b["action_id"])
    ]


def test_a_page_starts_with_the_total_and_buttons_that_narrow_to_the_busiest():
    message = render_results(make_page(distinct_events(3), summary=TOPS))
    first_section = next(b for b in message.blocks if b["type"] == "section")
    assert first_section["text"]["text"].startswith("*418 events*")
    assert "click a busiest actor or IP address to narrow the search" in first_section["text"]["text"]
    assert narrow_buttons(message.blocks) == [
        ("search_narrow:0", "actor: jane@example.com · 120", "p1.jane"),
        ("search_narrow:1", "actor: Atlassian Internal System · 80", "p1.sys"),
        ("search_narrow:2", "ip: 203.0.113.7 · 27", "p1.ip"),
    ]
    assert message.text == fallback("Audit log: 418 events for actor:jane@example.com since:24h")
    assert_within_limits(message.blocks)
    assert_safe(message)


def test_a_live_page_says_at_least_and_names_nobody():
    message = render_results(make_page(distinct_events(10), summary=ResultSummary(20, False)))
    texts = list(mrkdwn_texts(message.blocks))
    assert "*At least 20 events* so far" in texts
    assert narrow_buttons(message.blocks) == []
    assert message.text.startswith("Audit log: at least 20 events for")


def test_a_shared_copy_keeps_the_summary_as_text():
    message = render_results(make_page(distinct_events(2), summary=TOPS), shared_by="U0SHARER")
    texts = " ".join(mrkdwn_texts(message.blocks))
    assert "*418 events* · busiest: jane@example.com (120), Atlassian Internal System (80), 203.0.113.7 (27)" in texts
    assert buttons(message.blocks) == []


def test_an_actor_the_search_is_already_narrowed_to_is_named_without_a_button():
    summary = ResultSummary(5, True, actors=(Narrowing("jane@example.com", 5, None),), ips=TOPS.ips)
    message = render_results(make_page(distinct_events(5), summary=summary))
    texts = " ".join(mrkdwn_texts(message.blocks))
    assert "busiest: jane@example.com (5)" in texts
    assert [text for _, text, _ in narrow_buttons(message.blocks)] == ["ip: 203.0.113.7 · 27"]


def test_labels_are_escaped_and_button_texts_clipped():
    label = "<!channel> " + "x" * 200
    summary = ResultSummary(1, True, actors=(Narrowing(label, 1, "p1.a"),), ips=(Narrowing(label, 1, "p1.b"),))
    message = render_results(make_page(distinct_events(1), summary=summary), shared_by="U0SHARER")
    assert "&lt;!channel&gt;" in " ".join(mrkdwn_texts(message.blocks))
    assert_safe(message, sharer="U0SHARER")
    interactive = render_results(make_page(distinct_events(1), summary=summary))
    assert all(len(text) <= 75 for _, text, _ in narrow_buttons(interactive.blocks))
    assert_within_limits(interactive.blocks)


def test_an_empty_result_shows_no_summary_line():
    message = render_results(make_page([], next_state=None, summary=ResultSummary(0, True)))
    assert not any("*0 events*" in t for t in mrkdwn_texts(message.blocks))


def test_the_same_action_actor_and_address_in_one_minute_is_one_row_with_a_count():
    same = distinct_events(1)[0]
    repeats = [same.model_copy(update={"id": f"r-{n}"}) for n in range(3)]
    other = distinct_events(2)[1]
    message = render_results(make_page([*repeats, other]))
    entries = [b for b in message.blocks if b["type"] == "section"]
    assert len(entries) == 2
    assert "*User added to group* \u00d73" in entries[0]["text"]["text"]
    assert entries[0]["accessory"]["value"] == "r-0", "Details opens the newest of them"
    assert "\u00d7" not in entries[1]["text"]["text"]


def test_hidden_rows_count_every_event_they_hold():
    """The "+N more" line counts events, so collapsed rows that did not fit are not under-counted."""
    big = "a" * 2900
    rows = distinct_events(60, context=[{"id": "c", "attributes": {"name": big}}] * 3)
    doubled = [e for event in rows for e in (event, event.model_copy(update={"id": event.id + "-b"}))]
    message = render_results(make_page(doubled))
    entries = [b for b in message.blocks if b["type"] == "section"]
    more = [t for t in mrkdwn_texts(message.blocks) if t.endswith("more on this page")]
    assert more and len(entries) * 2 + int(more[0].split()[0][1:]) == 120
    assert_within_limits(message.blocks)


def test_an_empty_result_offers_neither_share_nor_export():
    message = render_results(make_page([], next_state=None))
    assert {b["action_id"] for b in buttons(message.blocks)}.isdisjoint({ids.SHARE_PAGE, ids.EXPORT_CSV})


def test_an_empty_partial_page_can_still_export_what_the_scan_finds_further_back():
    message = render_results(make_page([], partial=True, scanned=1500))
    ids_shown = [b["action_id"] for b in buttons(message.blocks)]
    assert ids.EXPORT_CSV in ids_shown and ids.SHARE_PAGE not in ids_shown


def test_a_window_of_fixed_instants_is_left_to_the_window_line():
    query = "action:user_login since:2026-11-19T14:00:00Z until:2026-11-20T14:00:00Z"
    message = render_results(make_page([make_event()], query=query))
    assert message.blocks[0]["text"]["text"] == "Audit log: action:user_login"
    assert "|2026-11-19 14:00 UTC> → <!date^" in message.blocks[1]["elements"][0]["text"]
    relative = render_results(make_page([make_event()], query="action:user_login since:2026-11-19 last:7d"))
    assert relative.blocks[0]["text"]["text"].startswith("Audit log: action:user_login since:")
    only_window = render_results(make_page([make_event()], query="since:2026-11-19T14:00:00Z"))
    assert only_window.blocks[0]["text"]["text"] == "Audit log: all events"


def test_a_site_container_is_still_named():
    site = [{"id": "s1", "type": "sites", "attributes": {"siteName": "acme-dev"}}]
    blocks = render_results(make_page([make_event(container=site)])).blocks
    text = next(b["text"]["text"] for b in blocks if b.get("accessory", {}).get("action_id") == ids.EVENT_DETAILS)
    assert text.endswith("touched: site-admins · in: acme-dev")


def test_a_shared_event_is_its_entry_and_who_shared_it():
    message = render_shared_event(FoundEvent(make_event(), "User added to group"), "U0SHARER")
    assert "*User added to group*" in message.blocks[0]["text"]["text"]
    assert "accessory" not in message.blocks[0], "no Details on a shared copy"
    assert message.blocks[1]["elements"][0]["text"] == "Shared by <@U0SHARER> from the event details"
    assert_within_limits(message.blocks)
    assert_safe(message, sharer="U0SHARER")


def test_the_notification_text_leaves_fixed_instants_out_too():
    query = "action:user_login since:2026-11-19T14:00:00Z until:2026-11-20T14:00:00Z"
    assert render_results(make_page([make_event()], query=query)).text == "Audit log: 1 event for action:user_login"
