"""``/audit alerts [open|mine|resolved] [filters]`` and App Home's "Assigned to you", through the real app.

Alerts are posted as delivery posts them (``SlackWorld.post_alert``); their states are changed through
the triage service the buttons use."""

from __future__ import annotations

import json
from typing import Any

from auditbot.core.access import AccessPolicy, Permission
from auditbot.core.model import AuditEvent
from auditbot.core.triage import AlertKey, Reason
from auditbot.playground import seed
from auditbot.sandbox import GeneratedOrg
from auditbot.services.triage import TriageService
from auditbot.slack import ids
from tests.slack.harness import SlackWorld
from tests.slack.test_access_matrix import guarded_world

JANE, RAVI = seed.JANE, seed.RAVI


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def failed_logins(slack: SlackWorld) -> list[AuditEvent]:
    return [e for e in slack.search_world.everything(days=2) if e.action == "user_login_failed"]


def triage(slack: SlackWorld) -> TriageService:
    assert slack.deps.alert_state is not None and slack.deps.alert_state.triage is not None
    return slack.deps.alert_state.triage


def buttons(reply: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for block in reply["blocks"]:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            found[element["action_id"]] = element["value"]
    return found


def details_of(reply: dict[str, Any]) -> list[str]:
    return [
        b["accessory"]["value"]
        for b in reply["blocks"]
        if b["type"] == "section" and b.get("accessory", {}).get("action_id") == ids.EVENT_DETAILS
    ]


def posted(slack: SlackWorld, count: int) -> list[AuditEvent]:
    sub = slack.subscribe("action:user_login_failed")
    events = failed_logins(slack)[:count]
    assert len(events) == count
    for event in events:
        slack.post_alert(event, sub)
        slack.clock.advance(60)
    return events


def test_open_alerts_are_listed_newest_first_with_state_assignee_and_details(slack: SlackWorld):
    first, second, third = posted(slack, 3)
    key = AlertKey.event(seed.SEC_ALERTS, second.id)
    triage(slack).assign(key, RAVI, JANE)
    triage(slack).acknowledge(key, RAVI)
    triage(slack).resolve(AlertKey.event(seed.SEC_ALERTS, third.id), Reason.FALSE_POSITIVE, "test login", JANE)

    slack.command("alerts")
    reply = slack.last_reply()
    assert reply["response_type"] == "ephemeral"
    assert details_of(reply) == [second.id, first.id], "resolved left out, newest first"
    shown = text_of(reply["blocks"])
    assert "Open alerts" in shown and f"*Acknowledged* · assigned to <@{RAVI}>" in shown
    assert "*Open* · unassigned" in shown and f"in <#{seed.SEC_ALERTS}>" in shown
    assert "User login failed" in shown
    slack.command("alerts open")
    assert details_of(slack.last_reply()) == [second.id, first.id]


def test_mine_lists_the_askers_unresolved_alerts_and_resolved_says_why(slack: SlackWorld):
    first, second = posted(slack, 2)
    triage(slack).assign(AlertKey.event(seed.SEC_ALERTS, first.id), RAVI, JANE)
    triage(slack).resolve(AlertKey.event(seed.SEC_ALERTS, second.id), Reason.EXPECTED, "maintenance", JANE)

    slack.command("alerts mine", user=RAVI)
    assert details_of(slack.last_reply()) == [first.id]
    slack.command("alerts mine", user=JANE)
    assert "No alerts are assigned to you." in text_of(slack.last_reply()["blocks"])
    slack.command("alerts resolved")
    reply = slack.last_reply()
    assert details_of(reply) == [second.id]
    assert f"*Resolved* (Expected / maintenance) · by <@{JANE}>" in text_of(reply["blocks"])
    assert "maintenance”" in text_of(reply["blocks"])


def test_filters_narrow_to_a_channel_and_a_text(slack: SlackWorld):
    (event,) = posted(slack, 1)
    slack.command(f"alerts open <#{seed.SEC_ALERTS}|sec-alerts>")
    assert details_of(slack.last_reply()) == [event.id]
    slack.command(f"alerts <#{seed.IT_OPS}|it-ops>")
    assert "No open alerts that match these filters." in text_of(slack.last_reply()["blocks"])
    slack.command(f"alerts action:{event.action}")
    assert details_of(slack.last_reply()) == [event.id]
    slack.command("alerts open -action:user_login_failed")
    assert details_of(slack.last_reply()) == []
    assert "No open alerts that match these filters." in text_of(slack.last_reply()["blocks"])
    slack.command("alerts #sec-alerts")
    assert "as Slack links it" in text_of(slack.last_reply())


def test_nothing_posted_says_so(slack: SlackWorld):
    slack.command("alerts")
    reply = slack.last_reply()
    assert "No open alerts." in text_of(reply["blocks"]) and not buttons(reply)
    slack.command("alerts resolved")
    assert "No resolved alerts." in text_of(slack.last_reply()["blocks"])


def test_pages_of_ten_go_forward_and_back_and_hold_still(slack: SlackWorld):
    events = posted(slack, 12)
    newest_first = [e.id for e in reversed(events)]
    slack.command("alerts")
    first = slack.last_reply()
    assert details_of(first) == newest_first[:10]
    assert set(buttons(first)) == {ids.ALERT_LIST_NEXT}

    slack.click(ids.ALERT_LIST_NEXT, buttons(first)[ids.ALERT_LIST_NEXT])
    second = slack.last_reply()
    assert details_of(second) == newest_first[10:]
    assert set(buttons(second)) == {ids.ALERT_LIST_PREV}
    slack.click(ids.ALERT_LIST_PREV, buttons(second)[ids.ALERT_LIST_PREV])
    assert details_of(slack.last_reply()) == newest_first[:10]


def test_an_edited_page_button_is_refused(slack: SlackWorld):
    posted(slack, 11)
    slack.command("alerts")
    value = buttons(slack.last_reply())[ids.ALERT_LIST_NEXT]
    slack.click(ids.ALERT_LIST_NEXT, value.replace("|2|", "|3|"))
    assert "That button cannot be used" in text_of(slack.last_reply())


def test_help_names_the_command(slack: SlackWorld):
    slack.command("help")
    assert "alerts [open | mine | resolved]" in text_of(slack.last_reply()["blocks"])


def test_home_shows_assigned_to_you_only_with_an_assigned_alert(slack: SlackWorld):
    (event,) = posted(slack, 1)
    slack.home_opened(user=RAVI)
    assert "Assigned to you" not in text_of(slack.calls("views.publish")[-1]["view"])

    triage(slack).assign(AlertKey.event(seed.SEC_ALERTS, event.id), RAVI, JANE)
    slack.home_opened(user=RAVI)
    view = text_of(slack.calls("views.publish")[-1]["view"])
    assert "Assigned to you" in view and event.id in view and "/audit alerts mine" in view
    slack.home_opened(user=JANE)
    assert "Assigned to you" not in text_of(slack.calls("views.publish")[-1]["view"])


def test_viewers_may_list_alerts_and_others_are_refused(org: GeneratedOrg):
    policy = AccessPolicy(viewers=(RAVI,), channels=("*",))
    world, decisions = guarded_world(org, policy)
    try:
        world.command("alerts", user=RAVI)
        assert "No open alerts." in text_of(world.last_reply()["blocks"])
        assert [(d[0].allowed, d[3]) for d in decisions] == [(True, Permission.SEARCH)]
        before = len(world.replies())
        answer = world.command("alerts", user=seed.TOMAS)
        assert [(d[0].allowed, d[3]) for d in decisions[1:]] == [(False, Permission.SEARCH)]
        assert "No open alerts." not in answer.body and len(world.replies()) == before
    finally:
        world.close()
