"""``/audit handoff`` through the real Bolt app: the digest for the person asking, its counts as searches, Share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from auditbot.playground import seed
from auditbot.services.handoff import HandoffService
from auditbot.services.scheduler import HandoffScheduler
from auditbot.slack import ids
from auditbot.slack.handoff_poster import SlackHandoffPoster
from tests.slack.harness import SlackWorld
from tests.slack.render.support import moment
from tests.slack.test_app import text_of


@pytest.fixture
def handing(slack: SlackWorld) -> SlackWorld:
    w = slack.search_world
    slack.with_deps(handoff=HandoffService(w.client, w.catalog, slack.clock, org_id=w.sandbox.org_id, max_api_pages=50))
    return slack


def all_buttons(message: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(action_id, label, value) of every button, in order."""
    found = []
    for block in message.get("blocks", []):
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        accessory = block.get("accessory")
        for element in [*elements, *([accessory] if accessory else [])]:
            if element.get("type") == "button":
                found.append((element["action_id"], element["text"]["text"], element.get("value", "")))
    return found


def test_a_handoff_is_shown_to_the_person_asking_with_each_count_once_and_its_searches_a_click_away(
    handing: SlackWorld,
):
    handing.command("handoff 24h")
    reply = handing.last_reply()
    assert reply.get("response_type", "ephemeral") == "ephemeral"
    text = text_of(reply)
    assert "Handoff:" in text and "events" in text and "Top actions" in text
    assert not [b for b in all_buttons(reply) if "·" in b[1]], "a count is text, never a button too"
    menus = [b for b in reply["blocks"] if b.get("accessory", {}).get("action_id") == ids.HANDOFF_DRILL]
    assert len(menus) >= 3 and len({m["block_id"] for m in menus}) == len(menus), "distinct block ids"
    searches = [b for b in all_buttons(reply) if b[0].startswith(ids.HANDOFF_SEARCH)]
    assert searches and len({b[0] for b in searches}) == len(searches), "distinct action ids"
    action_id, _, query = searches[0]
    handing.click(action_id, query)
    results = handing.last_reply()
    term = next(word for word in query.split() if word.startswith("action:"))
    assert results["blocks"][0]["text"]["text"] == f"Audit log: {term}", "the window is on the line below"
    assert "From the handoff digest" in text_of(results)
    assert handing.workspace.messages(seed.SEC_ALERTS)[-1].user != seed.BOT_USER_ID, "nothing posted in the channel"


def test_share_posts_the_digest_in_the_channel_saying_who_shared_it(handing: SlackWorld):
    handing.command("handoff 12h")
    share = next(b for b in all_buttons(handing.last_reply()) if b[0] == ids.HANDOFF_SHARE)
    handing.click(ids.HANDOFF_SHARE, share[2])
    posted = handing.workspace.messages(seed.SEC_ALERTS)[-1]
    assert posted.user == seed.BOT_USER_ID and "Handoff:" in text_of({"blocks": list(posted.blocks)})
    assert f"<@{seed.JANE}>" in str(posted.blocks)
    assert ids.HANDOFF_SHARE not in str(posted.blocks), "a shared copy has no Share button"
    assert handing.trail.recent()[0].kind == "share"


def test_a_bad_handoff_query_is_explained(handing: SlackWorld):
    handing.command("handoff since:tomorrow-ish")
    text = text_of(handing.last_reply())
    assert "since" in text and "Traceback" not in text


def test_a_scheduled_digest_is_posted_in_its_channel_at_the_shift_change(handing: SlackWorld):
    assert handing.deps.handoff is not None
    made_at = handing.clock.now()
    schedule = handing.schedules.create(
        team_id=seed.TEAM.id,
        channel_id=seed.SEC_ALERTS,
        times="09:00,21:00",
        tz="Europe/Berlin",
        query="-action:jira_issue_viewed",
        created_by=seed.JANE,
    )
    scheduler = HandoffScheduler(
        handing.schedules, SlackHandoffPoster(handing.deps.handoff, handing.client), handing.clock, owner="r1"
    )
    next_slot = datetime(2026, 11, 25, 21, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    handing.clock.advance((next_slot - made_at).total_seconds() + 60)
    report = scheduler.run_once()
    assert [p.schedule_id for p in report.posted] == [schedule.id]
    posted = handing.workspace.messages(seed.SEC_ALERTS)[-1]
    shown = text_of({"blocks": list(posted.blocks)})
    shift = f"{moment(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))} → {moment(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))}"
    assert posted.user == seed.BOT_USER_ID and "Handoff: 12 h" in shown and shift in shown, "each reader's own zone"
    assert "Europe/Berlin" not in shown and posted.text.startswith("Audit handoff, 2026-11-25 08:00 → 20:00 UTC (12 h)")
    assert schedule.id in shown and "-action:jira_issue_viewed" in shown
    assert ids.HANDOFF_SHARE not in str(posted.blocks)
    assert scheduler.run_once().posted == (), "once per slot"
