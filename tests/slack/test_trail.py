"""auditbot's own audit trail (refusals and errors included), /audit bot-log and its pages, the
security channel mirror and API key health."""

from __future__ import annotations

import json
import re
from typing import Any

from auditbot.core.access import DENIED_MESSAGE, AccessPolicy
from auditbot.playground import seed
from auditbot.runtime.slack import slack_middleware
from auditbot.sandbox import GeneratedOrg
from auditbot.slack import ids
from auditbot.slack.app import build_app
from auditbot.slack.keywatch import admin_notifier
from tests.slack.harness import SIGNING_SECRET, InlineExecutor, SlackWorld
from tests.slack.test_app import buttons


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_searches_pages_shares_and_exports_are_recorded(slack: SlackWorld):
    slack.command("action:user_login last:2d")
    first = slack.last_reply()
    slack.click(ids.PAGE_NEXT, buttons(first)[ids.PAGE_NEXT])
    slack.click(ids.SHARE_PAGE, buttons(first)[ids.SHARE_PAGE])
    slack.click(ids.EXPORT_CSV, buttons(first)[ids.EXPORT_CSV])
    entries = slack.trail.recent()
    assert [e.kind for e in entries] == ["export", "share", "query", "query"]
    assert {e.query for e in entries} == {"action:user_login since:2d"}
    assert all(e.user_id == seed.JANE and e.channel_id == seed.SEC_ALERTS for e in entries)
    assert entries[2].detail == "page 2"


def test_bot_log_shows_the_trail_newest_first_and_filters(slack: SlackWorld):
    slack.command("action:user_login last:2d")
    slack.command("action:added_org_admin last:30d")
    slack.command("bot-log")
    log = text_of(slack.last_reply())
    assert log.index("action:added_org_admin") < log.index("action:user_login")
    slack.command("bot-log added_org")
    filtered = text_of(slack.last_reply())
    assert "action:added_org_admin" in filtered
    assert "action:user_login since" not in filtered


def test_the_trail_is_mirrored_to_the_security_channel(org: GeneratedOrg):
    slack = SlackWorld(org, security_channel=seed.SEC_ALERTS)
    try:
        slack.command("action:user_login last:2d", channel=seed.INCIDENTS)
        mirrored = slack.workspace.messages(seed.SEC_ALERTS)[-1]
        assert "action:user_login since:2d" in mirrored.text
        assert f"<@{seed.JANE}>" in mirrored.text
    finally:
        slack.close()


def test_a_rejected_api_key_shows_in_app_home_and_reaches_the_admins(slack: SlackWorld):
    slack.key_health.on_change(admin_notifier(slack.client, [seed.JANE, "S0SECTEAM"]))
    slack.command("action:user_login last:2d")
    assert slack.key_health.status().ok is True
    slack.search_world.sandbox.api_key = "rotated-elsewhere"
    slack.command("action:user_logout last:2d")
    assert "rejected the API key" in text_of(slack.last_reply())
    slack.home_opened()
    home = text_of(slack.calls("views.publish")[-1]["view"])
    assert "rejected" in home
    dm = slack.workspace.messages(seed.JANE_DM)[-1]
    assert "rejected auditbot's API key" in dm.text
    assert "rotated-elsewhere" not in home + dm.text


def test_shared_pages_can_mask_emails_and_addresses(slack: SlackWorld):
    slack.with_deps(redact_shared=True)
    slack.command("action:user_login last:2d")
    private = text_of(slack.last_reply())
    slack.click(ids.SHARE_PAGE, buttons(slack.last_reply())[ids.SHARE_PAGE])
    shared = text_of(slack.workspace.messages(seed.SEC_ALERTS)[-1].blocks)
    assert "@example.com" in private
    assert "@example.com" in shared and "***@example.com" in shared
    assert not re.search(r"\b\w+\.\w+@example\.com", shared), "no full address left"
    assert not re.search(r"\b\d+\.\d+\.\d+\.\d+\b", shared), "no full IP address left"


def test_mirrored_entries_keep_hostile_text_inert(org: GeneratedOrg):
    from tests.slack.render.support import CORPUS, assert_inert

    slack = SlackWorld(org, security_channel=seed.SEC_ALERTS)
    try:
        for poison in CORPUS:
            slack.trail.record(slack.client, team_id="T", user_id=seed.JANE, kind=poison, query=poison, detail=poison)
        for message in slack.workspace.messages(seed.SEC_ALERTS)[-len(CORPUS) :]:
            assert_inert(message.text, sharer=seed.JANE)
    finally:
        slack.close()


# -- refusals and errors ----------------------------------------------------------------------------


def limited_world(org: GeneratedOrg, per_minute: int) -> SlackWorld:
    """A world whose app runs the production middleware (``slack_middleware``), with a search limit."""
    world = SlackWorld(org)
    settings = world.runtime.settings.model_copy(update={"user_queries_per_minute": per_minute})
    guards = slack_middleware(
        settings, world.clock, world.deps, world.client, response_prefixes=(world.slack.root_url + "/hooks/",)
    )
    world.app = build_app(
        world.deps, client=world.client, signing_secret=SIGNING_SECRET, executor=InlineExecutor(), middleware=guards
    )
    return world


def test_a_search_refused_by_the_rate_limit_is_in_the_trail(org: GeneratedOrg):
    world = limited_world(org, per_minute=1)
    try:
        world.command("action:user_login last:2d", user=seed.RAVI)
        refused = world.command("action:user_logout last:2d", user=seed.RAVI, channel=seed.INCIDENTS)
        assert "faster than auditbot allows" in text_of(refused.body)
        newest = world.trail.recent()[0]
        assert (newest.kind, newest.outcome, newest.user_id) == ("denied", "denied", seed.RAVI)
        assert (newest.query, newest.channel_id) == ("action:user_logout last:2d", seed.INCIDENTS)
        assert newest.detail == "search limit: over 1 searches a minute"
        world.command("bot-log denied")  # Jane's first search this minute: not refused
        log = text_of(world.last_reply())
        assert "action:user_logout last:2d" in log and "search limit" in log
    finally:
        world.close()


def test_a_query_that_does_not_parse_is_in_the_trail(slack: SlackWorld):
    slack.command("action:user_login last:banana", channel=seed.INCIDENTS)
    told = slack.last_reply()["text"]
    [entry] = slack.trail.recent()
    assert (entry.kind, entry.outcome, entry.user_id) == ("error", "error", seed.JANE)
    assert (entry.query, entry.channel_id) == ("action:user_login last:banana", seed.INCIDENTS)
    assert entry.detail is not None and entry.detail.startswith("/audit: ")
    assert entry.detail.removeprefix("/audit: ") in told, "the trail keeps what the person was told"


def test_an_event_that_is_not_there_is_in_the_trail(slack: SlackWorld):
    slack.command("event 00000000-0000-4000-8000-000000000000")
    [entry] = slack.trail.recent()
    assert (entry.kind, entry.outcome) == ("error", "error")
    assert entry.query == "event 00000000-0000-4000-8000-000000000000"
    slack.command("bot-log error")
    assert "event 00000000-0000-4000-8000-000000000000" in text_of(slack.last_reply())


def test_a_button_that_fails_is_in_the_trail_once(slack: SlackWorld):
    slack.click(ids.PAGE_NEXT, "p1.forged|[]|action:user_login")
    [entry] = slack.trail.recent()
    assert (entry.kind, entry.query) == ("error", ids.PAGE_NEXT)
    assert entry.detail is not None and entry.detail.startswith("paging: That button cannot be used")


def test_a_refusal_a_use_case_records_is_not_recorded_again_as_an_error(slack: SlackWorld):
    slack.with_deps(access=AccessPolicy(viewers=("*",), admins=(seed.JANE,), channels=("*",)))
    slack.command("bot-log", user=seed.MAYA)
    assert DENIED_MESSAGE in text_of(slack.last_reply())
    assert [(e.kind, e.outcome) for e in slack.trail.recent()] == [("bot-log", "denied")]


def test_a_search_form_that_fails_is_in_the_trail(slack: SlackWorld):
    slack.search_world.sandbox.api_key = "rotated-elsewhere"
    slack.submit_form({ids.FORM_TEXT: {ids.FORM_TEXT: {"value": "login"}}})
    [entry] = slack.trail.recent()
    assert (entry.kind, entry.outcome, entry.user_id) == ("error", "error", seed.JANE)
    assert entry.detail is not None and entry.detail.startswith("search form: ") and "API key" in entry.detail


# -- /audit bot-log ---------------------------------------------------------------------------------


def test_bot_log_names_channels_and_keeps_each_entry_short(slack: SlackWorld):
    slack.command("action:user_login last:2d", channel=seed.INCIDENTS)
    slack.command("action:user_login last:3d", channel=slack.workspace.directory.dm_with(seed.JANE).id)
    slack.command("bot-log")
    reply = slack.last_reply()
    log = text_of(reply)
    assert "#incident-response" in log and seed.INCIDENTS not in log
    assert "a DM" in log
    entries = [b for b in reply["blocks"] if b["type"] == "section"]
    assert len(entries) == 2 and all(b["text"]["text"].count("\n") <= 1 for b in entries), "two lines at most"
    assert [c for c in slack.calls("conversations.info") if c.get("channel") == seed.INCIDENTS]
    before = len(slack.calls("conversations.info"))
    slack.command("bot-log")
    assert len(slack.calls("conversations.info")) == before, "names are cached"


def test_bot_log_pages_with_next_and_previous_and_holds_still(slack: SlackWorld):
    for n in range(23):
        slack.trail.record(None, team_id=seed.TEAM.id, user_id=seed.JANE, kind="query", query=f"q{n:02d}")
        slack.clock.advance(1)
    slack.command("bot-log")
    first = slack.last_reply()
    assert "q22" in text_of(first) and "q12" not in text_of(first)
    assert ids.BOT_LOG_PREV not in buttons(first)
    slack.trail.record(None, team_id=seed.TEAM.id, user_id=seed.JANE, kind="query", query="arrived later")
    slack.click(ids.BOT_LOG_NEXT, buttons(first)[ids.BOT_LOG_NEXT])
    second = slack.last_reply()
    assert second["replace_original"] is True
    assert "q12" in text_of(second) and "q13" not in text_of(second) and "q02" not in text_of(second)
    assert "Page 2" in text_of(second) and "arrived later" not in text_of(second)
    slack.click(ids.BOT_LOG_NEXT, buttons(second)[ids.BOT_LOG_NEXT])
    third = slack.last_reply()
    assert "q00" in text_of(third) and ids.BOT_LOG_NEXT not in buttons(third)
    slack.click(ids.BOT_LOG_PREV, buttons(third)[ids.BOT_LOG_PREV])
    assert "q12" in text_of(slack.last_reply())


def test_bot_log_paging_needs_an_admin_and_a_value_it_signed(slack: SlackWorld):
    for n in range(12):
        slack.trail.record(None, team_id=seed.TEAM.id, user_id=seed.JANE, kind="query", query=f"q{n:02d}")
    slack.command("bot-log")
    value = buttons(slack.last_reply())[ids.BOT_LOG_NEXT]
    slack.click(ids.BOT_LOG_NEXT, value.replace("|2|", "|1|"))
    assert "That button cannot be used" in text_of(slack.last_reply())
    slack.with_deps(access=AccessPolicy(viewers=("*",), admins=(seed.JANE,), channels=("*",)))
    slack.click(ids.BOT_LOG_NEXT, value, user=seed.MAYA)
    assert DENIED_MESSAGE in text_of(slack.last_reply())


def test_bot_log_filters_on_the_kind_and_says_when_nothing_matches(slack: SlackWorld):
    slack.command("bot-log")
    assert "Nothing recorded yet." in text_of(slack.last_reply())
    slack.command("bot-log export")
    assert "No entries match export." in text_of(slack.last_reply())
    slack.command("action:user_login last:2d")
    slack.click(ids.EXPORT_CSV, buttons(slack.last_reply())[ids.EXPORT_CSV])
    slack.command("bot-log export")
    found = text_of(slack.last_reply())
    assert "*export*" in found and "No entries match" not in found
