"""Investigate in audit log on a message that names an event id and people: the event opens, the people are searched."""

from __future__ import annotations

from typing import Any

from auditbot.sandbox import EXAMPLE_EVENT_ID, GeneratedOrg
from tests.slack.harness import SlackWorld


def texts(node: Any) -> str:
    if isinstance(node, dict):
        return "\n".join(texts(value) for value in node.values())
    if isinstance(node, list):
        return "\n".join(texts(item) for item in node)
    return node if isinstance(node, str) else ""


def test_an_event_id_beside_an_email_is_opened_and_the_email_searched(slack: SlackWorld, org: GeneratedOrg) -> None:
    grant = org.incident("admin_granted_at_night")
    slack.message_shortcut(f"{grant.actor} did this at night: event {EXAMPLE_EVENT_ID}")
    opened = slack.calls("views.open")
    assert len(opened) == 1 and EXAMPLE_EVENT_ID in texts(opened[0]["view"])
    reply = texts(slack.last_reply())
    assert f"From the message: 1 email, 1 event id. Event {EXAMPLE_EVENT_ID} opened in a window." in reply
    assert f"actor:{grant.actor}" in reply


def test_an_event_the_org_does_not_have_is_said_and_the_search_still_runs(slack: SlackWorld, org: GeneratedOrg) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    actor = org.incident("failed_login_burst").actor
    slack.message_shortcut(f"{actor} and event {missing}")
    assert slack.calls("views.open") == []
    reply = texts(slack.last_reply())
    assert f"Event {missing} could not be opened" in reply
    assert f"actor:{actor}" in reply
