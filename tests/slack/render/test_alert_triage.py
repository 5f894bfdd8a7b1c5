"""The triage parts of an alert card in each state (open, acknowledged, assigned, resolved, reopened),
the redraw of a posted card, and the Resolve modal: all within Block Kit's limits, all escaped."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from auditbot.core.errors import AuditbotError
from auditbot.core.triage import MAX_COMMENT, Reason, State, Triage
from auditbot.slack import ids
from auditbot.slack.render.alerts import (
    ACKNOWLEDGED_BLOCK,
    TRIAGE_BLOCK,
    ack_value,
    render_alert,
    triaged_blocks,
    value_on_card,
)
from auditbot.slack.render.triage_modal import ResolveTarget, read_resolve_values, render_resolve_modal
from tests.slack.render.support import CORPUS, assert_view_within_limits, assert_within_limits, moment
from tests.slack.render.test_alerts import by_action, item

JANE, MAYA = "U01JANEDOE", "U03MAYAQRS"
AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TOUCHED = Triage(changed_by=JANE, changed_at=AT)
STATES = {
    "open": Triage(),
    "acknowledged": replace(TOUCHED, state=State.ACKNOWLEDGED),
    "assigned": replace(TOUCHED, state=State.ACKNOWLEDGED, assignee=MAYA),
    "resolved": replace(TOUCHED, state=State.RESOLVED, reason=Reason.MALICIOUS, comment="Token revoked", assignee=MAYA),
    "reopened": TOUCHED,
}
TRIAGE_IDS = {ids.ALERT_ACK, ids.ALERT_RESOLVE, ids.ALERT_ASSIGN_ME, ids.ALERT_ASSIGN, ids.ALERT_REOPEN}


def line_of(blocks: list[dict[str, Any]]) -> str:
    return json.dumps([b for b in blocks if b.get("block_id") == TRIAGE_BLOCK], ensure_ascii=False)


@pytest.mark.parametrize("state", STATES)
def test_each_state_renders_its_line_and_buttons_within_limits(state: str):
    triage = STATES[state]
    acknowledged = (JANE, AT) if state != "open" else None
    message = render_alert(item(), acknowledged=acknowledged, triage=triage)
    assert_within_limits(message.blocks)
    shown = set(by_action(message)) & TRIAGE_IDS
    expected = {
        "open": {ids.ALERT_ACK, ids.ALERT_RESOLVE, ids.ALERT_ASSIGN_ME, ids.ALERT_ASSIGN},
        "acknowledged": {ids.ALERT_RESOLVE, ids.ALERT_ASSIGN_ME, ids.ALERT_ASSIGN},
        "assigned": {ids.ALERT_RESOLVE, ids.ALERT_ASSIGN_ME, ids.ALERT_ASSIGN},
        "resolved": {ids.ALERT_REOPEN},
        "reopened": {ids.ALERT_ACK, ids.ALERT_RESOLVE, ids.ALERT_ASSIGN_ME, ids.ALERT_ASSIGN},
    }[state]
    assert shown == expected
    assert {ids.ALERT_SNOOZE, ids.ALERT_INVESTIGATE, ids.EVENT_DETAILS} <= set(by_action(message))
    line = line_of(message.blocks)
    if state == "assigned":
        assert f"Assigned to <@{MAYA}>" in line
        assert by_action(message)[ids.ALERT_ASSIGN]["initial_user"] == MAYA
    if state == "resolved":
        assert f"*Resolved* by <@{JANE}> · True positive - malicious · Token revoked · {moment(AT)}" in line
    if state == "reopened":
        assert "Acknowledged by" not in json.dumps(message.blocks)
    if state == "open":
        assert line == "[]"


def test_a_posted_card_is_redrawn_for_the_state_keeping_its_other_buttons_and_lines():
    value = ack_value(item().event.id, item().subscription_ids)
    posted = render_alert(item(), acknowledged=(JANE, AT)).blocks
    assert value_on_card(posted) == value
    resolved = triaged_blocks(posted, STATES["resolved"], value)
    assert [e["action_id"] for b in resolved if b["type"] == "actions" for e in b["elements"]][:2] == [
        ids.ALERT_REOPEN,
        ids.ALERT_SNOOZE,
    ]
    assert any(b.get("block_id") == ACKNOWLEDGED_BLOCK for b in resolved)
    again = triaged_blocks(resolved, STATES["reopened"], value)
    assert sum(b.get("block_id") == TRIAGE_BLOCK for b in again) == 1
    assert not any(b.get("block_id") == ACKNOWLEDGED_BLOCK for b in again)
    assert {ids.ALERT_ACK, ids.ALERT_RESOLVE} <= {
        e["action_id"] for b in again if b["type"] == "actions" for e in b["elements"]
    }


@pytest.mark.parametrize("comment", CORPUS[:12])
def test_any_comment_is_escaped_and_fits(comment: str):
    triage = replace(STATES["resolved"], comment=" ".join(comment.split())[:MAX_COMMENT] or None)
    message = render_alert(item(), triage=triage)
    assert_within_limits(message.blocks)
    assert "<!channel>" not in line_of(message.blocks) and "<!here>" not in line_of(message.blocks)


def test_the_resolve_modal_lists_the_six_reasons_and_reads_back_what_was_chosen():
    target = ResolveTarget("C0SECALERT", "1795608000.000004", "evt-1|sub-abc234")
    view = render_resolve_modal(target)
    assert_view_within_limits(view)
    assert ResolveTarget.load(view["private_metadata"]) == target
    options = view["blocks"][0]["element"]["options"]
    assert [o["text"]["text"] for o in options] == [r.label for r in Reason]
    chosen: dict[str, Any] = {"selected_option": {"value": Reason.REMEDIATED.value}}
    values: dict[str, dict[str, dict[str, Any]]] = {
        ids.RESOLVE_REASON: {ids.RESOLVE_REASON: chosen},
        ids.RESOLVE_COMMENT: {ids.RESOLVE_COMMENT: {"value": "ok"}},
    }
    assert read_resolve_values(values) == (Reason.REMEDIATED, "ok")
    with pytest.raises(AuditbotError):
        read_resolve_values({})
    with pytest.raises(AuditbotError):
        ResolveTarget.load("not json")
