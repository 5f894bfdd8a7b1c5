"""Alert subscriptions through the real app: subscribe (dry run, then the button), list, pause, resume, remove.

Everything is a signed request into the Bolt app; what is checked is what the Slack stand-in
recorded (replies, posts, joins), what the store holds and what the bot's trail says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from auditbot.core.access import DENIED_MESSAGE
from auditbot.core.triage import AlertKey, Reason
from auditbot.playground import seed
from auditbot.sandbox import GeneratedOrg
from auditbot.services.subscriptions import Subscription, SubscriptionPreview, SubscriptionService
from auditbot.services.triage import TriageService
from auditbot.slack import ids
from auditbot.slack.app_home import home_view
from auditbot.store.alert_states import AlertStates
from tests.slack.harness import SlackWorld
from tests.slack.test_access_matrix import POLICY, guarded_world
from tests.slack.test_alert_buttons import failed_login
from tests.slack.test_app import buttons, event_ids

JANE, MAYA, RAVI = seed.JANE, seed.MAYA, seed.RAVI


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def posted_text(world: SlackWorld, channel: str) -> list[str]:
    return [text_of({"text": m.text, "blocks": m.blocks}) for m in world.workspace.messages(channel)]


def subscriptions(world: SlackWorld) -> list[Subscription]:
    return world.subscriptions.of_team(seed.TEAM.id)


def dry_run(world: SlackWorld, text: str, *, channel: str = seed.SEC_ALERTS, user: str = JANE) -> dict[str, Any]:
    world.command(f"subscribe {text}", user=user, channel=channel)
    return world.last_reply()


def confirm(world: SlackWorld, reply: dict[str, Any], *, channel: str = seed.SEC_ALERTS, user: str = JANE) -> None:
    value = buttons(reply)[ids.SUBSCRIBE_CONFIRM]
    dry = world.workspace.ephemerals(channel, user)[-1]
    world.click(ids.SUBSCRIBE_CONFIRM, value, channel=channel, user=user, message_ts=dry.ts)


# -- the dry run ----------------------------------------------------------------------------------------


def test_the_dry_run_counts_the_last_seven_days_and_shows_the_newest(slack: SlackWorld):
    expected = [e.id for e in slack.search_world.everything(days=7) if e.action == "user_login_failed"]
    reply = dry_run(slack, "action:user_login_failed")
    shown = text_of(reply)
    assert reply["response_type"] == "ephemeral"
    assert f"*{len(expected)} events* matched in the last 7 days" in shown
    assert event_ids(reply) == expected[:3]
    assert "noisy" not in shown
    assert buttons(reply)[ids.SUBSCRIBE_CONFIRM] == f"{seed.SEC_ALERTS}#sec-alerts action:user_login_failed"
    assert subscriptions(slack) == [], "nothing is subscribed before the button"
    assert slack.calls("chat.postMessage") == [] and slack.calls("conversations.join") == []
    assert slack.trail.recent()[0].detail == f"subscription dry run for {seed.SEC_ALERTS}"


def test_the_dry_run_warns_about_a_noisy_query(slack: SlackWorld):
    logins = sum(1 for e in slack.search_world.everything(days=7) if e.action == "user_login")
    shown = text_of(dry_run(slack, 'action:"User login"'))
    assert f"*{logins} events*" in shown and "noisy" in shown
    assert "action:user_login" in shown, "the canonical query, with the action id"


@pytest.mark.parametrize("when", ["last:7d", "since:yesterday", "until:2026-11-20", "from:monday"])
def test_time_terms_are_refused_with_what_to_do(slack: SlackWorld, when: str):
    reply = text_of(dry_run(slack, f"action:user_login_failed {when}"))
    assert "which events, not when" in reply and "Remove " in reply
    assert "`action:user_login_failed`" in reply, "the query without the time term is suggested"
    assert "Traceback" not in reply and subscriptions(slack) == []


def test_a_bad_query_points_at_the_problem(slack: SlackWorld):
    reply = text_of(dry_run(slack, "acter:bob"))
    assert "acter" in reply and "actor:" in reply and "Traceback" not in reply
    reply = text_of(dry_run(slack, "action:user_logn_failed"))
    assert "action:user_login_failed" in reply
    reply = text_of(dry_run(slack, "<#C0ITOPS001|it-ops>"))
    assert "Subscribe to which events?" in reply


def test_a_channel_typed_as_plain_text_is_explained(slack: SlackWorld):
    assert "as Slack links it" in text_of(dry_run(slack, "#it-ops action:user_login_failed"))


# -- subscribing ---------------------------------------------------------------------------------------


def test_subscribing_a_public_channel_joins_it_stores_records_and_tells_the_channel(slack: SlackWorld):
    reply = dry_run(slack, "<#C0ITOPS001|it-ops> action:user_login_failed -actor:SCIM@example.com")
    assert buttons(reply)[ids.SUBSCRIBE_CONFIRM].startswith(seed.IT_OPS)
    assert "Subscribe #it-ops" in text_of(reply)
    confirm(slack, reply)

    (sub,) = subscriptions(slack)
    assert (sub.channel_id, sub.created_by, sub.paused) == (seed.IT_OPS, JANE, False)
    assert sub.query == "-actor:scim@example.com action:user_login_failed"
    assert [c["channel"] for c in slack.calls("conversations.join")] == [seed.IT_OPS]
    assert slack.alerts_changed == 1
    note = slack.workspace.messages(seed.IT_OPS)[-1]
    assert note.ephemeral_for is None or not note.ephemeral_for
    described = "User login failed not by scim@example.com"
    assert (
        f"<@{JANE}> subscribed this channel to *{described}*: audit events matching `{sub.query}` (`{sub.id}`)"
        in text_of(note.blocks)
    )
    done = slack.last_reply()
    assert done["replace_original"] is True and sub.id in text_of(done)
    assert slack.workspace.ephemerals(seed.SEC_ALERTS, JANE)[-1].text.startswith("Subscribed to"), "replaced in place"
    entry = slack.trail.recent()[0]
    assert (entry.kind, entry.query, entry.detail) == ("subscribe", sub.query, f"{sub.id} in {seed.IT_OPS}")


def test_the_channel_defaults_to_the_one_the_command_is_typed_in(slack: SlackWorld):
    reply = dry_run(slack, "action:added_org_admin", channel=seed.INCIDENTS)  # private, auditbot is in it
    confirm(slack, reply, channel=seed.INCIDENTS)
    (sub,) = subscriptions(slack)
    assert sub.channel_id == seed.INCIDENTS
    assert slack.calls("conversations.join") == [], "already a member"
    assert sub.id in posted_text(slack, seed.INCIDENTS)[-1]


def test_a_private_channel_auditbot_is_not_in_asks_for_an_invitation(slack: SlackWorld):
    reply = text_of(dry_run(slack, "<#C0HRPRIVAT|hr-private> action:added_org_admin"))
    assert "Invite me first: /invite @auditbot in #hr-private" in reply
    assert slack.search_world.client.stats.requests <= 1, "no dry run was spent on it (only the catalog)"
    slack.click(ids.SUBSCRIBE_CONFIRM, f"{seed.HR_PRIVATE}#hr-private action:added_org_admin")
    assert "Invite me first: /invite @auditbot in #hr-private" in text_of(slack.last_reply())
    slack.click(ids.SUBSCRIBE_CONFIRM, f"{seed.HR_PRIVATE} action:added_org_admin")
    assert f"Invite me first: /invite @auditbot in channel {seed.HR_PRIVATE}" in text_of(slack.last_reply())
    assert subscriptions(slack) == [] and slack.calls("conversations.join") == []
    assert posted_text(slack, seed.HR_PRIVATE) == []


def test_pressing_subscribe_twice_makes_one_subscription(slack: SlackWorld):
    reply = dry_run(slack, "action:added_org_admin")
    confirm(slack, reply)
    confirm(slack, reply)
    assert len(subscriptions(slack)) == 1
    assert "already existed" in text_of(slack.last_reply())


def test_cancel_replaces_the_dry_run(slack: SlackWorld):
    reply = dry_run(slack, "action:added_org_admin")
    slack.click(ids.SUBSCRIBE_CANCEL, buttons(reply)[ids.SUBSCRIBE_CANCEL])
    assert slack.last_reply()["replace_original"] is True and "Cancelled" in text_of(slack.last_reply())
    assert subscriptions(slack) == []


def test_a_tampered_subscribe_button_is_refused(slack: SlackWorld):
    for value in ("", "not-a-channel action:x", f"{seed.IT_OPS} since:1d", f"{seed.IT_OPS}"):
        slack.click(ids.SUBSCRIBE_CONFIRM, value or "x")
        assert "Traceback" not in text_of(slack.last_reply())
    assert subscriptions(slack) == []


def test_without_a_store_the_commands_say_alerts_need_one(slack: SlackWorld):
    slack.with_deps(subscriptions=None)
    for command in ("subscribe action:added_org_admin", "subscriptions", "pause sub-abc234"):
        slack.command(command)
        assert "Alerts need a store" in text_of(slack.last_reply())


# -- where a subscription may post --------------------------------------------------------------------


@pytest.fixture
def guarded(org: GeneratedOrg) -> Iterator[SlackWorld]:
    """Jane is an admin, Maya a viewer; auditbot answers in #sec-alerts and the (shared) #ext-acme-security."""
    world, _ = guarded_world(org, POLICY)
    world.with_deps(access=POLICY)
    try:
        yield world
    finally:
        world.close()


def test_a_channel_the_policy_does_not_allow_is_refused(guarded: SlackWorld):
    reply = text_of(dry_run(guarded, "<#C0ITOPS001|it-ops> action:added_org_admin"))
    assert "may not post alerts in #it-ops" in reply and "not one of the channels" in reply
    shared = text_of(dry_run(guarded, "<#C0EXTACME1|ext-acme-security> action:added_org_admin"))
    assert "shared with another organization" in shared
    guarded.click(ids.SUBSCRIBE_CONFIRM, f"{seed.IT_OPS} action:added_org_admin")
    assert "may not post alerts in #it-ops" in text_of(guarded.last_reply())
    assert subscriptions(guarded) == [] and guarded.calls("conversations.join") == []
    denied = [e for e in guarded.trail.recent() if e.outcome == "denied" and e.kind == "subscribe"]
    assert denied and seed.IT_OPS in (denied[0].detail or "")


def test_an_allowed_channel_can_be_subscribed_by_an_admin(guarded: SlackWorld):
    confirm(guarded, dry_run(guarded, "action:added_org_admin"))
    assert [s.channel_id for s in subscriptions(guarded)] == [seed.SEC_ALERTS]


@pytest.mark.parametrize(
    "command", ["subscribe action:added_org_admin", "unsubscribe sub-abc234", "pause x", "resume x"]
)
def test_people_who_are_not_admins_may_not_change_subscriptions(guarded: SlackWorld, command: str):
    guarded.subscribe("action:added_org_admin")
    response = guarded.command(command, user=MAYA)
    assert json.loads(str(response.body))["text"] == DENIED_MESSAGE
    assert guarded.replies() == [], "the refusal is the acknowledgement itself"
    assert len(subscriptions(guarded)) == 1 and not subscriptions(guarded)[0].paused


def test_viewers_may_list_but_not_press_the_buttons(guarded: SlackWorld):
    sub = guarded.subscribe("action:added_org_admin")
    guarded.command("subscriptions", user=MAYA)
    listing = guarded.last_reply()
    assert sub.id in text_of(listing)
    for action_id in (ids.SUBSCRIPTION_PAUSE, ids.SUBSCRIPTION_REMOVE, ids.SUBSCRIBE_CONFIRM):
        guarded.click(action_id, buttons(listing).get(action_id, f"{seed.SEC_ALERTS} action:x"), user=MAYA)
        assert DENIED_MESSAGE in text_of(guarded.last_reply())
    assert subscriptions(guarded) == [sub]


def test_without_an_access_policy_only_the_current_channel_may_be_subscribed(slack: SlackWorld):
    slack.with_deps(access=None)
    assert "can only post in the conversation where they are made" in text_of(
        dry_run(slack, "<#C0ITOPS001|it-ops> action:added_org_admin")
    )
    confirm(slack, dry_run(slack, "action:added_org_admin"))
    assert [s.channel_id for s in subscriptions(slack)] == [seed.SEC_ALERTS]


# -- the list, pause, resume, remove ------------------------------------------------------------------


def test_the_list_shows_every_subscription_of_the_workspace(slack: SlackWorld):
    mine = slack.subscribe("action:added_org_admin", user=JANE)
    theirs = slack.subscribe('group:"API tokens"', channel=seed.INCIDENTS, user=RAVI)
    slack.subscriptions.pause(theirs.id, error="not_in_channel")
    elsewhere = slack.subscriptions.create(team_id="T0OTHER01", channel_id="C0ELSEWHR", query="x", created_by=RAVI)
    slack.command("subscriptions", user=MAYA)
    listing = slack.last_reply()
    shown = text_of(listing)
    for sub in (mine, theirs):
        assert sub.id in shown and f"<#{sub.channel_id}>" in shown and f"<@{sub.created_by}>" in shown
    assert elsewhere.id not in shown
    assert "*paused*" in shown and "not_in_channel" in shown
    assert ids.SUBSCRIPTION_RESUME in shown and ids.SUBSCRIPTION_PAUSE in shown
    slack.command("subscriptions tokens")
    assert theirs.id in text_of(slack.last_reply()) and mine.id not in text_of(slack.last_reply())


def test_the_list_shows_each_subscriptions_share_of_false_positives_over_30_days(slack: SlackWorld):
    noisy = slack.subscribe("action:user_login_failed")
    calm = slack.subscribe("action:added_org_admin")
    states = AlertStates(slack.store)
    triage = TriageService(states, slack.clock)
    events = [failed_login(slack, n) for n in range(3)]
    for event, reason in zip(events, (Reason.FALSE_POSITIVE, Reason.FALSE_POSITIVE, Reason.REMEDIATED), strict=True):
        slack.post_alert(event, noisy)
        triage.resolve(AlertKey.event(noisy.channel_id, event.id), reason, None, JANE)
    told = SubscriptionService(
        slack.subscriptions,
        SubscriptionPreview(slack.deps.search, slack.clock),
        resolved=states,
        clock=slack.clock,
    )
    slack.with_deps(subscriptions=told)
    slack.command("subscriptions", user=MAYA)
    shown = text_of(slack.last_reply())
    assert "false positives: 2 of 3 resolved, 67%" in shown and shown.count("false positives:") == 1
    assert calm.id in shown


def test_pause_resume_and_unsubscribe_by_command(slack: SlackWorld):
    sub = slack.subscribe("action:added_org_admin")
    slack.command(f"pause {sub.id}")
    assert slack.subscriptions.get(sub.id).paused  # type: ignore[union-attr]
    assert f"/audit resume {sub.id}" in text_of(slack.last_reply())
    slack.command(f"resume {sub.id.removeprefix('sub-')}")
    assert not slack.subscriptions.get(sub.id).paused  # type: ignore[union-attr]
    assert "Resumed" in text_of(slack.last_reply())
    slack.command(f"unsubscribe {sub.id.upper()}")
    assert slack.subscriptions.get(sub.id) is None and "Removed" in text_of(slack.last_reply())
    assert slack.alerts_changed == 3
    assert [e.kind for e in slack.trail.recent()[:3]] == ["unsubscribe", "resume", "pause"]


def test_an_unknown_id_says_how_to_find_ids(slack: SlackWorld):
    other = slack.subscriptions.create(team_id="T0OTHER01", channel_id="C0ELSEWHR", query="x", created_by=RAVI)
    for command in ("pause sub-nothere", f"unsubscribe {other.id}", "resume", "pause <!channel>"):
        slack.command(command)
        reply = text_of(slack.last_reply())
        assert "/audit subscriptions lists every subscription" in reply, command
        assert "<!channel>" not in reply
    assert slack.subscriptions.get(other.id) is not None and slack.alerts_changed == 0


def test_the_list_buttons_pause_resume_and_remove_in_place(slack: SlackWorld):
    sub = slack.subscribe("action:added_org_admin")
    slack.command("subscriptions")
    slack.click(ids.SUBSCRIPTION_PAUSE, buttons(slack.last_reply())[ids.SUBSCRIPTION_PAUSE])
    paused = slack.last_reply()
    assert paused["replace_original"] is True and f"Paused Added organization admin ({sub.id})." in text_of(paused)
    assert slack.subscriptions.get(sub.id).paused  # type: ignore[union-attr]
    slack.click(ids.SUBSCRIPTION_RESUME, buttons(paused)[ids.SUBSCRIPTION_RESUME])
    assert not slack.subscriptions.get(sub.id).paused  # type: ignore[union-attr]
    slack.click(ids.SUBSCRIPTION_REMOVE, buttons(slack.last_reply())[ids.SUBSCRIPTION_REMOVE])
    assert slack.subscriptions.get(sub.id) is None
    assert "No subscriptions yet" in text_of(slack.last_reply())
    assert slack.alerts_changed == 3


def test_resuming_checks_that_auditbot_can_post_there_again(slack: SlackWorld):
    sub = slack.subscribe("action:added_org_admin", channel=seed.HR_PRIVATE)
    slack.subscriptions.pause(sub.id, error="not_in_channel")
    slack.command(f"resume {sub.id}")
    assert f"Invite me first: /invite @auditbot in channel {seed.HR_PRIVATE}" in text_of(slack.last_reply())
    assert slack.subscriptions.get(sub.id).paused  # type: ignore[union-attr]
    public = slack.subscribe("action:added_org_admin", channel=seed.IT_OPS)
    slack.subscriptions.pause(public.id, error="not_in_channel")
    slack.command(f"resume {public.id}")
    assert [c["channel"] for c in slack.calls("conversations.join")] == [seed.IT_OPS]
    assert not slack.subscriptions.get(public.id).paused  # type: ignore[union-attr]


def test_app_home_lists_subscriptions_and_its_buttons_work(slack: SlackWorld):
    sub = slack.subscribe("action:added_org_admin")
    slack.home_opened()
    view = slack.calls("views.publish")[-1]["view"]
    assert "Alert subscriptions" in text_of(view) and sub.id in text_of(view)
    slack.click(ids.SUBSCRIPTION_PAUSE, buttons(view)[ids.SUBSCRIPTION_PAUSE], container="view")
    assert slack.subscriptions.get(sub.id).paused  # type: ignore[union-attr]
    again = slack.calls("views.publish")[-1]
    assert again["user_id"] == JANE and ids.SUBSCRIPTION_RESUME in text_of(again["view"])
    slack.click(ids.SUBSCRIPTION_REMOVE, "sub-nothere", container="view")
    assert "There is no subscription" in text_of(slack.calls("chat.postMessage")[-1]), "told in their messages"
    assert home_view(slack.deps, seed.TEAM.id).subscriptions == (slack.subscriptions.get(sub.id),)


# -- names, and changes told in the channel -----------------------------------------------------------------


def test_a_subscriber_names_a_subscription_and_every_surface_shows_the_name(slack: SlackWorld):
    reply = dry_run(slack, '<#C0ITOPS001|it-ops> name:"Admin grants" action:added_org_admin,api_token_created')
    assert "*Admin grants*" in text_of(reply) and "`action:added_org_admin,api_token_created`" in text_of(reply)
    confirm(slack, reply)
    (sub,) = subscriptions(slack)
    assert (sub.name, sub.query) == ("Admin grants", "action:added_org_admin,api_token_created")
    assert f"<@{JANE}> subscribed this channel to *Admin grants*" in posted_text(slack, seed.IT_OPS)[-1]
    assert "Subscribed <#C0ITOPS001>* to *Admin grants*" in text_of(slack.last_reply())

    slack.command("subscriptions")
    listing = text_of(slack.last_reply())
    assert "*Admin grants* · <#C0ITOPS001>" in listing and "Added organization admin, API token created" in listing
    assert f"`{sub.id}`" in listing, "the id stays, for commands"
    slack.command("subscriptions admin grants")
    assert sub.id in text_of(slack.last_reply()), "the list is narrowed by name"
    slack.home_opened()
    assert "*Admin grants*" in text_of(slack.calls("views.publish")[-1]["view"])

    alert = slack.post_alert(next(e for e in slack.search_world.everything(days=7)), sub)
    assert f"Matched *Admin grants* (`{sub.id}`)" in text_of(alert.blocks)


def test_an_unnamed_subscription_is_shown_by_its_actions_names_not_their_ids(slack: SlackWorld):
    actions = "user_login_failed,added_org_admin,api_token_created,user_login,user_logout"
    sub = slack.subscribe(f"action:{actions}")
    slack.command("subscriptions")
    listing = text_of(slack.last_reply())
    assert f"*User login failed, Added organization admin +3 more* · <#{seed.SEC_ALERTS}>" in listing
    alert = slack.post_alert(next(e for e in slack.search_world.everything(days=7)), sub)
    assert f"Matched *User login failed, Added organization admin +3 more* (`{sub.id}`)" in text_of(alert.blocks)


def test_a_bad_name_is_refused_before_anything_is_counted(slack: SlackWorld):
    reply = text_of(dry_run(slack, f'name:"{"x" * 81}" action:added_org_admin'))
    assert "at most 80 characters" in reply and subscriptions(slack) == []
    assert "no closing quote" in text_of(dry_run(slack, 'name:"Admin action:added_org_admin'))


def test_a_hostile_name_is_shown_as_text(slack: SlackWorld):
    confirm(slack, dry_run(slack, 'name:"<!channel> *loud* <https://evil.example|x>" action:added_org_admin'))
    note = posted_text(slack, seed.SEC_ALERTS)[-1]
    assert "<!channel>" not in note and "<https://evil.example" not in note
    assert subscriptions(slack)[0].name == "!channel *loud* https://evil.example", "read as Slack shows it"
    assert "*loud*" not in note, "its asterisks make nothing bold"


def test_pausing_and_resuming_by_command_or_name_is_told_in_the_channel(slack: SlackWorld):
    sub = slack.subscribe("action:added_org_admin", channel=seed.IT_OPS, name="Admin grants")
    slack.command('pause "Admin grants"', user=RAVI)
    assert slack.subscriptions.get(sub.id).paused  # type: ignore[union-attr]
    note = slack.workspace.messages(seed.IT_OPS)[-1]
    assert not note.ephemeral_for
    assert f"<@{RAVI}> paused alerts for *Admin grants* here (`{sub.id}`)" in text_of(note.blocks)
    assert f"/audit resume {sub.id}" in text_of(note.blocks)
    assert "Paused *Admin grants*" in text_of(slack.last_reply())
    slack.command("resume admin grants")
    assert not slack.subscriptions.get(sub.id).paused  # type: ignore[union-attr]
    assert f"<@{JANE}> resumed alerts for *Admin grants* here" in posted_text(slack, seed.IT_OPS)[-1]
    slack.command(f"unsubscribe {sub.id}")
    assert "removed the subscription *Admin grants*" in posted_text(slack, seed.IT_OPS)[-1]


def test_the_list_and_home_buttons_tell_the_channel_too(slack: SlackWorld):
    sub = slack.subscribe("action:added_org_admin", name="Admin grants")
    slack.command("subscriptions")
    slack.click(ids.SUBSCRIPTION_PAUSE, buttons(slack.last_reply())[ids.SUBSCRIPTION_PAUSE])
    assert f"<@{JANE}> paused alerts for *Admin grants* here" in posted_text(slack, seed.SEC_ALERTS)[-1]
    slack.home_opened()
    view = slack.calls("views.publish")[-1]["view"]
    slack.click(ids.SUBSCRIPTION_RESUME, buttons(view)[ids.SUBSCRIPTION_RESUME], container="view")
    assert f"<@{JANE}> resumed alerts for *Admin grants* here" in posted_text(slack, seed.SEC_ALERTS)[-1]
    assert not slack.subscriptions.get(sub.id).paused  # type: ignore[union-attr]


def test_a_note_the_channel_refuses_does_not_undo_the_pause(slack: SlackWorld):
    sub = slack.subscribe("action:added_org_admin", channel=seed.HR_PRIVATE)  # auditbot is not in it
    slack.command(f"pause {sub.id}")
    assert slack.subscriptions.get(sub.id).paused  # type: ignore[union-attr]
    reply = text_of(slack.last_reply())
    assert "Paused" in reply and "The note in the channel could not be posted (not_in_channel)" in reply
