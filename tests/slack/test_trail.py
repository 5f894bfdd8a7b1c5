"""auditbot's own audit trail, /audit bot-log, the security channel mirror and API key health."""

from __future__ import annotations

import json
import re
from typing import Any

from auditbot.playground import seed
from auditbot.sandbox import GeneratedOrg
from auditbot.slack import ids
from auditbot.slack.keywatch import admin_notifier
from tests.slack.harness import SlackWorld
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
