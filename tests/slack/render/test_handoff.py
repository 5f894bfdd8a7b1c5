"""The handoff digest as a message: each count once, drill-downs in menus, one name per action, and a
"Needs a look" that counts the alerts nobody acknowledged."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from auditbot.core.handoff import Aggregates, Tally
from auditbot.core.timespec import TimeWindow
from auditbot.core.triage import Reason
from auditbot.services.handoff import Handoff, OpenAlert, RunningSnooze
from auditbot.slack import ids
from auditbot.slack.render.handoff import drill_search, render_handoff
from tests.slack.render.support import NOW, assert_safe, assert_within_limits, make_event, mrkdwn_texts


def handoff(**changes: Any) -> Handoff:
    aggregates = Aggregates(
        total=141,
        by_action=(Tally("user_login", "user_login", 100), Tally("export_audit_log", "export_audit_log", 41)),
        top_actors=(Tally("557058:aaaa", "jane@example.com", 90), Tally("557058:bbbb", "bob@example.com", 51)),
        new_actors=(Tally("557058:bbbb", "bob@example.com", 51),),
        new_ips=(Tally("203.0.113.7", "203.0.113.7", 3),),
        notable=(make_event(action="export_audit_log"),),
        notable_total=1,
    )
    base = Handoff(
        window=TimeWindow(NOW - timedelta(hours=12), NOW),
        query="-action:jira_issue_viewed",
        aggregates=aggregates,
        previous_total=238,
        action_names={"user_login": "User login", "export_audit_log": "Export audit log"},
        groups=(Tally("Authentication", "Authentication", 100), Tally("Other", "Other", 41)),
        source="mirror",
        baseline_days=29,
    )
    return replace(base, **changes)


def text(message: Any) -> str:
    return "\n".join(mrkdwn_texts(message.blocks))


def menus(message: Any) -> list[dict[str, Any]]:
    return [b for b in message.blocks if b.get("accessory", {}).get("type") == "static_select"]


def labels(message: Any) -> list[str]:
    """The text of every button and menu option."""
    found = []
    for block in message.blocks:
        elements = [*block.get("elements", []), *([block["accessory"]] if "accessory" in block else [])]
        for element in elements:
            if element.get("type") == "button":
                found.append(element["text"]["text"])
            found += [o["text"]["text"] for o in element.get("options", [])]
    return found


def test_each_count_is_shown_once_in_text_and_its_search_is_in_the_sections_menu():
    message = render_handoff(handoff(), state="s")
    shown = text(message)
    assert "*By group*: Authentication 100, Other 41" in shown
    assert "*Top actions*: User login 100, Export audit log 41" in shown
    assert "*Top actors*: jane@example.com 90, bob@example.com 51" in shown
    assert labels(message), "there are controls"
    assert not any("·" in label or label.endswith((" 100", " 41")) for label in labels(message)), "counts: text only"
    sections = menus(message)
    assert [s["accessory"]["action_id"] for s in sections] == [ids.HANDOFF_DRILL] * 4
    assert len({s["block_id"] for s in sections}) == 4
    actions = next(s for s in sections if s["text"]["text"].startswith("*Top actions*"))
    assert [o["value"] for o in actions["accessory"]["options"]] == ["action:user_login", "action:export_audit_log"]
    groups = next(s for s in sections if s["text"]["text"].startswith("*By group*"))
    assert [o["value"] for o in groups["accessory"]["options"]] == ["group:Authentication"], "no search for Other"
    assert_within_limits(message.blocks)
    assert_safe(message)


def test_a_menu_choice_searches_the_digests_window_and_filters():
    message = render_handoff(handoff())
    section = next(s for s in menus(message) if s["text"]["text"].startswith("*Top actors*"))
    query = drill_search(section["block_id"], section["accessory"]["options"][0]["value"])
    assert query == "-action:jira_issue_viewed actor:557058:aaaa since:2026-11-20T02:00:00Z until:2026-11-20T14:00:00Z"


def test_filters_too_long_for_a_block_id_leave_the_counts_without_a_menu():
    message = render_handoff(handoff(query="text:" + "x" * 300))
    assert menus(message) == []
    assert "*Top actions*: User login 100" in text(message)


def test_one_name_per_action_the_catalogs():
    shown = text(render_handoff(handoff()))
    assert "*Export audit log* by jane@example.com" in shown
    assert "Audit log exported" not in shown


def test_the_shift_before_reads_plainly():
    shown = text(render_handoff(handoff()))
    assert "*141 events* · 238 the shift before (\u221241%) · 2 kinds of action" in shown
    assert "none the shift before" in text(render_handoff(handoff(previous_total=0)))


def test_new_for_the_org_says_against_what_plainly():
    shown = text(render_handoff(handoff()))
    assert "*New for the org* (not seen in the 29 days before this shift)" in shown
    assert "1 new actor: bob@example.com (51)" in shown


def test_open_alerts_need_a_look_first_unassigned_counted_per_channel_and_assigned_by_person():
    quiet = replace(handoff().aggregates, notable=(), notable_total=0)
    alerts = (
        OpenAlert("C0ALERTS", "e-1", "sub-1", None),
        OpenAlert("C0OTHER", "e-2", "sub-2", None),
        OpenAlert("C0OTHER", "e-3", "sub-2", None, "U0RAVI"),
        OpenAlert("C0ALERTS", "e-4", "sub-1", None, "U0RAVI"),
        OpenAlert("C0ALERTS", "e-5", "sub-1", None, "U0JANE"),
    )
    shown = text(render_handoff(handoff(aggregates=quiet, open_alerts=alerts)))
    assert "*Needs a look* (5)" in shown
    assert (
        "*5 open alerts*, 2 unassigned: <#C0ALERTS> 3 (1 unassigned), <#C0OTHER> 2 (1 unassigned)"
        " · assigned: <@U0RAVI> 2, <@U0JANE> 1"
    ) in shown
    assert "nothing" not in shown.split("*New for the org*")[0]
    calm = text(render_handoff(handoff(aggregates=quiet)))
    assert "*Needs a look*: nothing — no risky actions, no failed-login bursts, no open alerts." in calm


def test_open_alerts_come_before_risky_events_and_what_the_shift_resolved_after():
    alerts = (OpenAlert("C0ALERTS", "e-1", "sub-1", None),)
    resolved = ((Reason.FALSE_POSITIVE, 2), (Reason.REMEDIATED, 1))
    shown = text(render_handoff(handoff(open_alerts=alerts, resolved=resolved)))
    look = shown.split("*New for the org*")[0]
    assert look.index("*1 open alert*, 1 unassigned: <#C0ALERTS> 1") < look.index("*Export audit log*")
    assert look.index("*Export audit log*") < look.index("*Resolved this shift*: 3 (False positive 2, Remediated 1)")
    quiet = replace(handoff().aggregates, notable=(), notable_total=0)
    calm = text(render_handoff(handoff(aggregates=quiet, resolved=resolved)))
    assert "*Resolved this shift*: 3 (False positive 2, Remediated 1)" in calm


def test_risky_events_are_searched_from_needs_a_look_without_repeating_the_count():
    message = render_handoff(handoff())
    head = next(b for b in message.blocks if b.get("text", {}).get("text", "").startswith("*Needs a look*"))
    assert head["text"]["text"] == "*Needs a look* (1)"
    assert head["accessory"]["text"]["text"] == "Search risky actions"
    assert head["accessory"]["value"].startswith("-action:jira_issue_viewed action:export_audit_log since:")


def test_a_snooze_names_its_subscription_and_keeps_the_id_for_commands():
    named = RunningSnooze("sub-abc123", "jane@example.com", "user_login", NOW + timedelta(hours=1), "Admin <grants>")
    gone = RunningSnooze("sub-gone99", "bob@example.com", "user_login", NOW + timedelta(hours=2))
    shown = text(render_handoff(handoff(snoozes=(named, gone))))
    assert "doing User login on *Admin &lt;grants&gt;* (`sub-abc123`) until <!date^" in shown
    assert "doing User login on `sub-gone99` until <!date^" in shown
