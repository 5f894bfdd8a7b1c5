"""Through the real Bolt app: the action list's menus, the handoff's drill-down menus, no Share or Export
on nothing, and the event details modal's pivots, Share and raw JSON."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import BoltResponse

from auditbot.core.access import DENIED_MESSAGE, AccessPolicy
from auditbot.playground import seed
from auditbot.services.handoff import HandoffService
from auditbot.slack import ids
from tests.slack.harness import SlackWorld
from tests.slack.test_app import buttons, event_ids, text_of


def choose(
    slack: SlackWorld, action_id: str, value: str, *, block_id: str = "b", channel: str = seed.SEC_ALERTS
) -> BoltResponse:
    """A choice in a static select of an ephemeral message (the action list, the handoff digest)."""
    option = {"text": {"type": "plain_text", "text": value[:75]}, "value": value}
    action = {"action_id": action_id, "block_id": block_id, "type": "static_select", "selected_option": option}
    return slack.interaction(
        {
            "type": "block_actions",
            "team": {"id": seed.TEAM.id},
            "user": {"id": seed.JANE, "team_id": seed.TEAM.id},
            "api_app_id": seed.APP_ID,
            "trigger_id": slack.workspace.new_trigger_id(seed.JANE),
            "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "is_ephemeral": True},
            "response_url": slack.workspace.new_response_url(channel, seed.JANE),
            "actions": [action],
        }
    )


def click_in_modal(slack: SlackWorld, view_id: str, action_id: str, value: str) -> BoltResponse:
    """A button in an open modal: no channel, no response_url, the view instead."""
    return slack.interaction(
        {
            "type": "block_actions",
            "team": {"id": seed.TEAM.id},
            "user": {"id": seed.JANE, "team_id": seed.TEAM.id},
            "api_app_id": seed.APP_ID,
            "trigger_id": slack.workspace.new_trigger_id(seed.JANE),
            "container": {"type": "view", "view_id": view_id},
            "view": {"id": view_id, "type": "modal", "callback_id": ids.EVENT_DETAIL},
            "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value}],
        }
    )


def menus(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in message.get("blocks", []) if b.get("accessory", {}).get("type") == "static_select"]


def header(message: dict[str, Any]) -> str:
    return str(message["blocks"][0]["text"]["text"])


# -- /audit actions -----------------------------------------------------------------------------------


def test_the_action_list_is_compact_and_a_choice_searches_the_last_7_days(slack: SlackWorld):
    slack.command("actions")
    listed = slack.last_reply()
    groups = menus(listed)
    assert len(groups) >= 10 and len(listed["blocks"]) == len(groups) + 2
    admin = next(o for g in groups for o in g["accessory"]["options"] if o["value"] == "action:added_org_admin")
    choose(slack, ids.CATALOG_SEARCH, admin["value"])
    results = slack.last_reply()
    assert results["replace_original"] is False, "the list stays"
    assert header(results) == "Audit log: action:added_org_admin since:7d"
    assert "From the action list" in text_of(results) and event_ids(results)
    assert admin["text"]["text"] in text_of(results), "the name in the menu is the name in the results"


def test_a_filtered_action_list_narrows(slack: SlackWorld):
    slack.command("actions admin")
    shown = text_of(slack.last_reply())
    assert "`added_org_admin`" in shown and "`user_login`" not in shown


# -- results ----------------------------------------------------------------------------------------


def test_an_empty_result_has_no_share_or_export_and_an_old_export_button_exports_nothing(slack: SlackWorld):
    slack.command("actor:nobody@example.com last:1d")
    assert {ids.SHARE_PAGE, ids.EXPORT_CSV}.isdisjoint(buttons(slack.last_reply()))
    state = slack.deps.search.search("actor:nobody@example.com last:1d", tz=ZoneInfo("UTC")).state
    files = len(slack.workspace.files)
    slack.click(ids.EXPORT_CSV, state)
    assert "Nothing to export: no events match this search now." in text_of(slack.last_reply())
    assert len(slack.workspace.files) == files, "no empty CSV sent"
    assert slack.trail.recent()[0].detail == "nothing to export"


# -- the handoff --------------------------------------------------------------------------------------


@pytest.fixture
def handing(slack: SlackWorld) -> SlackWorld:
    w = slack.search_world
    slack.with_deps(handoff=HandoffService(w.client, w.catalog, slack.clock, org_id=w.sandbox.org_id, max_api_pages=50))
    return slack


def test_a_handoff_menu_choice_lists_what_was_counted_with_a_readable_window(handing: SlackWorld):
    handing.command("handoff 24h")
    digest = handing.last_reply()
    section = next(s for s in menus(digest) if s["text"]["text"].startswith("*Top actions*"))
    option = section["accessory"]["options"][0]
    counted = re.search(re.escape(option["text"]["text"]) + r" ([\d,]+)", section["text"]["text"])
    assert counted is not None, "the count is in the text, the option names it"
    choose(handing, ids.HANDOFF_DRILL, option["value"], block_id=section["block_id"])
    results = handing.last_reply()
    assert header(results) == f"Audit log: {option['value']}", "no since:…Z in the header"
    assert "From the handoff digest" in text_of(results)
    assert option["text"]["text"] in text_of(results), "one name for the action in both messages"
    assert len(event_ids(results)) == min(int(counted[1].replace(",", "")), 10)


def test_a_handoff_menu_from_elsewhere_is_refused_politely(handing: SlackWorld):
    choose(handing, ids.HANDOFF_DRILL, "action:user_login", block_id="not_a_handoff")
    assert "out of date" in text_of(handing.last_reply())


# -- the event details modal ---------------------------------------------------------------------------


def open_details(slack: SlackWorld, query: str = "action:user_login last:2d") -> tuple[str, dict[str, Any], str]:
    """Search, click Details on the first event: (event id, the modal as opened, its view id)."""
    slack.command(query)
    event_id = event_ids(slack.last_reply())[0]
    slack.click(ids.EVENT_DETAILS, event_id)
    view = slack.calls("views.open")[-1]["view"]
    opened = [v for v in slack.workspace.views_for(seed.JANE) if not v.closed]
    return event_id, view, opened[-1].id


def test_details_offer_pivots_and_share_with_the_raw_json_collapsed(slack: SlackWorld):
    event_id, view, _ = open_details(slack)
    controls = buttons(view)
    value = f"{event_id}|{seed.SEC_ALERTS}"
    for action_id in (f"{ids.EVENT_PIVOT}:actor", f"{ids.EVENT_PIVOT}:ip", f"{ids.EVENT_PIVOT}:around"):
        assert controls[action_id] == value
    assert controls[ids.EVENT_SHARE] == value and controls[f"{ids.EVENT_RAW}:show"] == value
    assert "```" not in text_of(view)


def test_this_actor_searches_around_the_event_and_says_where_the_results_went(slack: SlackWorld):
    event_id, view, view_id = open_details(slack)
    event = slack.deps.events.get(event_id)
    click_in_modal(slack, view_id, f"{ids.EVENT_PIVOT}:actor", buttons(view)[f"{ids.EVENT_PIVOT}:actor"])
    posted = slack.workspace.messages(seed.JANE_DM)[-1]
    shown = text_of({"blocks": list(posted.blocks)})
    assert f"Audit log: actor:{event.actor.email}" in shown and "From the event details: This actor" in shown
    assert event_id in shown, "the event itself is among the actor's events around it"
    updated = slack.calls("views.update")[-1]
    assert updated["view_id"] == view_id
    assert "This actor: the results are in your messages with auditbot." in text_of(updated["view"])
    assert slack.trail.recent()[0].detail == f"This actor from event {event_id}"


def test_the_hour_around_and_this_address_search_too(slack: SlackWorld):
    event_id, view, view_id = open_details(slack)
    event = slack.deps.events.get(event_id)
    click_in_modal(slack, view_id, f"{ids.EVENT_PIVOT}:around", buttons(view)[f"{ids.EVENT_PIVOT}:around"])
    around = text_of({"blocks": list(slack.workspace.messages(seed.JANE_DM)[-1].blocks)})
    assert "Audit log: all events" in around and event_id in around
    click_in_modal(slack, view_id, f"{ids.EVENT_PIVOT}:ip", buttons(view)[f"{ids.EVENT_PIVOT}:ip"])
    address = text_of({"blocks": list(slack.workspace.messages(seed.JANE_DM)[-1].blocks)})
    assert f"Audit log: ip:{event.ip}" in address and event_id in address


def test_show_raw_json_updates_the_modal_and_hide_collapses_it(slack: SlackWorld):
    event_id, view, view_id = open_details(slack)
    click_in_modal(slack, view_id, f"{ids.EVENT_RAW}:show", buttons(view)[f"{ids.EVENT_RAW}:show"])
    shown = slack.calls("views.update")[-1]["view"]
    assert "*Raw JSON*" in text_of(shown) and event_id in text_of(shown)
    click_in_modal(slack, view_id, f"{ids.EVENT_RAW}:hide", buttons(shown)[f"{ids.EVENT_RAW}:hide"])
    assert "```" not in text_of(slack.calls("views.update")[-1]["view"])


def test_share_posts_the_event_where_the_details_were_opened(slack: SlackWorld):
    _, view, view_id = open_details(slack)
    click_in_modal(slack, view_id, ids.EVENT_SHARE, buttons(view)[ids.EVENT_SHARE])
    posted = slack.workspace.messages(seed.SEC_ALERTS)[-1]
    assert posted.user == seed.BOT_USER_ID
    assert f"Shared by <@{seed.JANE}> from the event details" in text_of({"blocks": list(posted.blocks)})
    assert f"Shared in <#{seed.SEC_ALERTS}>." in text_of(slack.calls("views.update")[-1]["view"])
    assert slack.trail.recent()[0].kind == "share"


def test_share_where_the_bot_is_not_a_member_says_so_in_the_modal(slack: SlackWorld):
    slack.command("action:user_login last:2d", channel=seed.HR_PRIVATE)
    event_id = event_ids(slack.last_reply())[0]
    slack.click(ids.EVENT_DETAILS, event_id, channel=seed.HR_PRIVATE)
    view = slack.calls("views.open")[-1]["view"]
    view_id = [v for v in slack.workspace.views_for(seed.JANE) if not v.closed][-1].id
    click_in_modal(slack, view_id, ids.EVENT_SHARE, buttons(view)[ids.EVENT_SHARE])
    assert "Not shared" in text_of(slack.calls("views.update")[-1]["view"])
    assert "/invite @auditbot" in text_of(slack.calls("views.update")[-1]["view"])


def test_share_from_details_is_checked_for_the_conversation_it_posts_in(slack: SlackWorld):
    event_id, _, view_id = open_details(slack)
    slack.with_deps(access=AccessPolicy(viewers={seed.JANE}, channels={seed.SEC_ALERTS}))
    posted = len(slack.workspace.messages(seed.HR_PRIVATE))
    click_in_modal(slack, view_id, ids.EVENT_SHARE, f"{event_id}|{seed.HR_PRIVATE}")
    assert len(slack.workspace.messages(seed.HR_PRIVATE)) == posted, "nothing posted where sharing is refused"
    assert f"Not shared: {DENIED_MESSAGE}" in text_of(slack.calls("views.update")[-1]["view"])
    refused = slack.trail.recent()[0]
    assert (refused.kind, refused.outcome) == ("share", "denied")
    click_in_modal(slack, view_id, ids.EVENT_SHARE, f"{event_id}|{seed.SEC_ALERTS}")
    assert slack.workspace.messages(seed.SEC_ALERTS)[-1].user == seed.BOT_USER_ID, "allowed where listed"
