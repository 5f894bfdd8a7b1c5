"""Every command, shortcut, button, modal and options load, as signed requests into the real app."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pytest

from auditbot.playground import seed
from auditbot.slack import ids
from tests.slack.harness import SlackWorld, signed


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """action_id -> value of every button in a message or view."""
    found: dict[str, str] = {}
    for block in message.get("blocks", []):
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        accessory = block.get("accessory")
        for element in [*elements, *([accessory] if accessory else [])]:
            if element.get("type") == "button":
                found.setdefault(element["action_id"], element.get("value", ""))
    return found


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def event_ids(message: dict[str, Any]) -> list[str]:
    return [
        b["accessory"]["value"]
        for b in message.get("blocks", [])
        if b.get("accessory", {}).get("action_id") == ids.EVENT_DETAILS
    ]


def test_a_search_is_acked_at_once_and_answered_only_to_the_asker(slack: SlackWorld):
    response = slack.command("action:user_login last:2d")
    assert response.status == 200
    assert response.body == ""
    reply = slack.last_reply()
    assert reply["response_type"] == "ephemeral"
    assert reply["replace_original"] is False
    assert "action:user_login since:2d" in text_of(reply)
    assert len(event_ids(reply)) == 10
    assert slack.calls("chat.postMessage") == [], "nothing was posted in the channel"
    assert slack.workspace.ephemerals(seed.SEC_ALERTS, seed.RAVI) == [], "nobody else sees the reply"
    assert not any("since:2d" in text_of({"blocks": list(m.blocks)}) for m in slack.workspace.messages(seed.SEC_ALERTS))
    assert any(
        "since:2d" in text_of({"blocks": list(m.blocks)})
        for m in slack.workspace.ephemerals(seed.SEC_ALERTS, seed.JANE)
    )


def test_queries_are_read_in_the_askers_time_zone(slack: SlackWorld):
    slack.command("since:today")
    assert slack.calls("users.info")[-1]["user"] == seed.JANE
    # Jane is in Berlin: "today" began at 23:00 UTC the day before.
    assert "2026-11-24 23:00" in text_of(slack.last_reply())


def test_help_and_the_action_catalog(slack: SlackWorld):
    slack.command("help")
    assert "since:" in text_of(slack.last_reply())
    slack.command("actions api token")
    assert "api_token_created" in text_of(slack.last_reply())


def test_event_opens_the_detail_modal(slack: SlackWorld):
    event = slack.search_world.everything(days=1)[0]
    slack.command(f"event {event.id}")
    opened = slack.calls("views.open")[-1]
    assert opened["view"]["callback_id"] == ids.EVENT_DETAIL
    assert event.id in text_of(opened["view"])


def test_event_without_an_id_or_unknown_says_what_to_do(slack: SlackWorld):
    slack.command("event")
    assert "Which event" in text_of(slack.last_reply())
    slack.command("event 00000000-0000-4000-8000-000000000000")
    reply = text_of(slack.last_reply())
    assert "found no such thing" in reply and "Check the event id" in reply
    assert reply.count("No event with id") == 2 and ".." not in reply  # the message and its notification text


def test_a_bad_query_points_at_the_column_and_never_shows_a_traceback(slack: SlackWorld):
    slack.command("since:2d acter:bob")
    reply = text_of(slack.last_reply())
    assert "acter" in reply and "actor:" in reply
    assert "Traceback" not in reply


def test_an_empty_rate_budget_says_when_to_come_back(org):
    slack = SlackWorld(org, per_minute=1)
    try:
        slack.command("action:user_login last:1h")
        slack.command("action:user_logout last:1h")
        assert "Ready in" in text_of(slack.last_reply())
    finally:
        slack.close()


def test_next_and_prev_replace_the_clicked_message(slack: SlackWorld):
    slack.command("last:2d")
    first = slack.last_reply()
    slack.click(ids.PAGE_NEXT, buttons(first)[ids.PAGE_NEXT])
    second = slack.last_reply()
    assert second["replace_original"] is True
    assert set(event_ids(second)).isdisjoint(event_ids(first))
    slack.click(ids.PAGE_PREV, buttons(second)[ids.PAGE_PREV])
    assert event_ids(slack.last_reply()) == event_ids(first)


def test_details_opens_the_event_without_an_api_call(slack: SlackWorld):
    slack.command("last:2d")
    requests = slack.search_world.client.stats.requests
    event_id = event_ids(slack.last_reply())[0]
    slack.click(ids.EVENT_DETAILS, event_id)
    assert event_id in text_of(slack.calls("views.open")[-1]["view"])
    assert slack.search_world.client.stats.requests == requests


def test_share_posts_the_page_in_the_channel_saying_who_shared_it(slack: SlackWorld):
    slack.command("action:user_login last:2d")
    slack.click(ids.SHARE_PAGE, buttons(slack.last_reply())[ids.SHARE_PAGE])
    posted = slack.workspace.messages(seed.SEC_ALERTS)[-1]
    assert f"<@{seed.JANE}>" in text_of({"blocks": posted.blocks})
    assert ids.PAGE_NEXT not in buttons({"blocks": posted.blocks}), "a shared page is a snapshot"


def test_share_where_the_bot_is_not_a_member_says_how_to_invite_it(slack: SlackWorld):
    slack.command("action:user_login last:2d", channel=seed.HR_PRIVATE)
    slack.click(ids.SHARE_PAGE, buttons(slack.last_reply())[ids.SHARE_PAGE], channel=seed.HR_PRIVATE)
    assert "/invite @auditbot" in text_of(slack.last_reply())


def test_export_uploads_the_whole_result_set_to_the_askers_messages(slack: SlackWorld):
    slack.command("action:user_login_failed last:7d")
    slack.click(ids.EXPORT_CSV, buttons(slack.last_reply())[ids.EXPORT_CSV])
    stored = slack.workspace.files[-1]
    assert stored.content is not None
    rows = list(csv.DictReader(io.StringIO(stored.content.decode("utf-8-sig"))))
    expected = [e.id for e in slack.search_world.everything(days=7) if e.action == "user_login_failed"]
    assert [r["event_id"] for r in rows] == expected
    assert stored.channels == (seed.JANE_DM,)
    assert "Exported" in text_of(slack.last_reply())


def test_the_message_shortcut_searches_for_what_the_message_mentions(slack: SlackWorld):
    email = next(e.actor.email for e in slack.search_world.everything(days=7) if e.actor.email)
    assert email is not None
    slack.message_shortcut(f"Is this ok? {email} logged in from 192.0.2.99")
    reply = text_of(slack.last_reply())
    assert "From the message: 1 email, 1 IP address" in reply
    assert email in reply


def test_the_message_shortcut_on_a_message_with_nothing_to_search(slack: SlackWorld):
    slack.message_shortcut("lunch at noon?")
    assert "Nothing to investigate" in text_of(slack.last_reply())


def test_the_message_shortcut_on_an_event_id_opens_it(slack: SlackWorld):
    event = slack.search_world.everything(days=1)[2]
    slack.message_shortcut(f"what is {event.id}?")
    assert event.id in text_of(slack.calls("views.open")[-1]["view"])


def test_the_global_shortcut_opens_the_search_form_and_its_options_load(slack: SlackWorld):
    slack.global_shortcut()
    assert slack.calls("views.open")[-1]["view"]["callback_id"] == ids.SEARCH_FORM
    response = slack.options("login")
    options = json.loads(response.body)
    values = [o["value"] for group in options.get("option_groups", [options]) for o in group["options"]]
    assert "user_login" in values


def test_submitting_the_form_sends_results_to_the_askers_messages(slack: SlackWorld):
    values = {
        ids.FORM_ACTIONS: {ids.FORM_ACTIONS: {"selected_options": [{"value": "user_login_failed"}]}},
        ids.FORM_SINCE: {ids.FORM_SINCE: {"type": "datepicker", "selected_date": "2026-11-20"}},
    }
    response = slack.submit_form(values)
    assert response.status == 200
    posted = slack.calls("chat.postMessage")[-1]
    assert posted["channel"] == seed.JANE
    assert "user_login_failed" in text_of(posted)


def test_a_bad_form_field_is_shown_beside_it(slack: SlackWorld):
    response = slack.submit_form({ids.FORM_IPS: {ids.FORM_IPS: {"value": "not-an-ip"}}})
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    assert ids.FORM_IPS in body["errors"]


def test_app_home_shows_the_org_and_quick_queries(slack: SlackWorld):
    slack.home_opened()
    published = [v for v in slack.workspace.views_for(seed.JANE) if v.type == "home"]
    assert published, "Slack accepted the Home view"
    view = slack.calls("views.publish")[-1]["view"]
    assert "Connected to *the built-in sandbox org*" in text_of(view), "the harness's org is the sandbox's"
    query = buttons(view)[ids.quick_query_id(1)]
    slack.click(ids.quick_query_id(1), query, container="view")
    assert slack.calls("chat.postMessage")[-1]["channel"] == seed.JANE


def test_a_tampered_button_is_refused_politely(slack: SlackWorld):
    slack.command("last:2d")
    value = buttons(slack.last_reply())[ids.PAGE_NEXT]
    slack.click(ids.PAGE_NEXT, value[:-3] + "abc")
    assert "Run the search again" in text_of(slack.last_reply())


@pytest.mark.parametrize(
    "headers",
    [
        lambda body: signed(body, secret="wrong-secret"),
        lambda body: signed(body, timestamp=int(time.time()) - 301),
        lambda body: {},
    ],
    ids=["bad-signature", "stale-timestamp", "unsigned"],
)
def test_unverified_requests_are_refused(slack: SlackWorld, headers):
    body = "command=%2Faudit&text=help&user_id=U1&response_url=http%3A%2F%2F127.0.0.1%2Fx&trigger_id=t"
    response = slack.dispatch(body, headers(body))
    assert response.status == 401
    assert slack.replies() == []


def test_an_unknown_command_is_not_handled(slack: SlackWorld):
    body = (
        "command=%2Fother&text=help&user_id=U1&team_id=T1&channel_id=C1"
        "&response_url=http%3A%2F%2F127.0.0.1%2Fx&trigger_id=t"
    )
    assert slack.dispatch(body).status == 404


def test_slack_rate_limits_are_waited_out_on_the_injected_clock(slack: SlackWorld):
    slack.command("action:user_login last:2d")
    slack.workspace.fail_next("chat.postMessage", "ratelimited", retry_after=7)
    slack.click(ids.SHARE_PAGE, buttons(slack.last_reply())[ids.SHARE_PAGE])
    assert slack.workspace.messages(seed.SEC_ALERTS), "posted after the retry"
    assert any(7 <= s < 8 for s in slack.clock.slept)


@pytest.mark.parametrize("action_id", ids.BLOCK_ACTIONS)
def test_every_button_id_has_a_listener(slack: SlackWorld, action_id):
    slack.command("last:1d")
    value = buttons(slack.last_reply()).get(ids.SHARE_PAGE, "")
    container = "view" if action_id in (ids.HOME_QUICK_QUERY, ids.OPEN_SEARCH_FORM) else "message"
    assert slack.click(action_id, value, container=container).status == 200


def test_a_button_nobody_listens_for_is_not_handled(slack: SlackWorld):
    assert slack.click("no_such_action", "x").status == 404


def test_app_home_says_how_far_behind_the_mirror_is(slack: SlackWorld):
    slack.with_deps(mirror_status=lambda: "The local copy of the audit log is 42 s behind (3 new events last run).")
    slack.home_opened()
    assert "42 s behind" in text_of(slack.calls("views.publish")[-1]["view"])
