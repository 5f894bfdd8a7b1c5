"""The ``/audit alerts`` page and App Home's "Assigned to you" stay within Block Kit's limits and inert,
whatever the events and comments hold."""

from __future__ import annotations

from datetime import UTC, datetime

from auditbot.core.triage import MAX_COMMENT, Reason, State, Triage
from auditbot.services.alert_list import AlertListPage, ListedAlert
from auditbot.slack import ids
from auditbot.slack.render.alert_list import assigned_blocks, render_alert_list
from auditbot.slack.render.home import render_home
from auditbot.slack.render.views import HomeView
from tests.slack.render.support import (
    assert_inert,
    assert_view_within_limits,
    assert_within_limits,
    buttons,
    distinct_events,
    mrkdwn_texts,
    poisoned_event,
)

AT = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)
RESOLVED = Triage(State.RESOLVED, "U0LEE", Reason.MALICIOUS, "x" * MAX_COMMENT, "U0RAVI", AT)


def listed(count: int, triage: Triage = RESOLVED, *, big: bool = False) -> list[ListedAlert]:
    events = [poisoned_event("<!here> *" + "é" * 900 + "`") for _ in range(count)] if big else distinct_events(count)
    return [ListedAlert("C0SECALERT", e.id, AT, triage, e, "A" * 500 if big else "User login failed") for e in events]


def page(alerts: list[ListedAlert], view: str = "resolved", **more: object) -> AlertListPage:
    fields: dict[str, object] = dict(view=view, channel_id="", text="", number=1, next=None, previous=None)
    fields.update(more)
    return AlertListPage(alerts=alerts, **fields)  # type: ignore[arg-type]


def test_a_page_of_huge_poisoned_alerts_fits_and_says_what_was_left_out():
    message = render_alert_list(page(listed(10, big=True), text="<!channel>", next="v1", previous="v0"))
    assert_within_limits(message.blocks)
    shown = [b for b in buttons(message.blocks) if b["action_id"] == ids.EVENT_DETAILS]
    assert len(shown) == 10 or f"+{10 - len(shown)} more alerts" in str(message.blocks)
    for text in mrkdwn_texts(message.blocks):
        ours = text.replace("<#C0SECALERT>", "").replace("<@U0RAVI>", "").replace("<@U0LEE>", "")
        assert_inert(ours)  # the channel and the people are auditbot's own mentions; nothing from the event
    assert {b["action_id"] for b in buttons(message.blocks)} >= {ids.ALERT_LIST_NEXT, ids.ALERT_LIST_PREV}


def test_an_alert_whose_event_cannot_be_read_still_lists_with_details():
    unreadable = ListedAlert("C0SECALERT", "e-gone", AT, Triage(), None, "")
    message = render_alert_list(page([unreadable], view="open"))
    assert "e-gone" in str(message.blocks) and "*Open* · unassigned" in str(message.blocks)
    assert [b["value"] for b in buttons(message.blocks) if b["action_id"] == ids.EVENT_DETAILS] == ["e-gone"]


def test_assigned_to_you_shows_five_and_points_to_the_command_for_more():
    mine = Triage(State.ACKNOWLEDGED, "U0RAVI", changed_by="U0RAVI", changed_at=AT)
    blocks = assigned_blocks(listed(6, mine, big=True), shown=5)
    assert len([b for b in blocks if b["type"] == "section"]) == 6, "the heading and five alerts"
    assert "More in" in str(blocks[-1]) and assigned_blocks([], shown=5) == []
    view = render_home(HomeView("o", sandbox=True, key_ok=True), assigned=listed(6, mine, big=True))
    assert_view_within_limits(view)
