"""The playground page shows what Slack would show: channels picked with #, answers in the ack body,
dates in the acting person's zone, topics and emoji as Slack draws them.

Each test opens its own tab on the shared demo; a tab acting as someone other than Jane switches
back before it closes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from auditbot.playground import seed

from .conftest import open_page, screenshot, scroll_to
from .test_demo import latest_reply, run

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from auditbot.demo import RunningDemo

BROWSER_ZONE = "America/New_York"
"""Neither Jane's zone nor Ravi's: what the page shows must not depend on the browser's."""
MOMENT = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
SEARCHES_A_MINUTE = 20
"""The demo's search limit per person (``user_queries_per_minute``'s default)."""


@pytest.fixture
def tab(browser: Browser, demo: RunningDemo) -> Iterator[Page]:
    """A tab in a browser whose own zone is New York, acting as Jane."""
    opened = open_page(browser, demo.url, timezone=BROWSER_ZONE)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        act_as(opened, seed.JANE)
        opened.context.close()
    assert errors == [], f"the page raised: {errors}"


def act_as(page: Page, user: str) -> None:
    """Act as ``user`` and wait until the page has drawn what they see: their name in the zone note,
    then their conversations read again (the ready flag alone may still be the last person's)."""
    switcher = page.get_by_test_id("user-switcher")
    if switcher.input_value() != user:
        switcher.select_option(value=user)
        expect(switcher).to_have_value(user)
    (person,) = [person for person in seed.PEOPLE if person.id == user]
    expect(page.get_by_test_id("zone-note")).to_contain_text(f"{person.real_name}'s Slack time zone")
    page.wait_for_selector("body[data-ready=true]", state="attached")


def open_channel(page: Page, name: str) -> None:
    page.get_by_test_id(f"channel-{name}").click()
    expect(page.get_by_test_id("channel-title")).to_have_text(name)


def mine(page: Page) -> Locator:
    return page.locator("[data-testid=message][data-ephemeral=true]")


def test_a_channel_picked_after_hash_reaches_the_app_as_slack_links_it(tab: Page, demo: RunningDemo):
    open_channel(tab, "sec-alerts")
    composer = tab.get_by_test_id("composer-input")
    composer.press_sequentially("/audit subscribe #sec")
    options = tab.get_by_test_id("mention-list").get_by_test_id("mention-option")
    expect(options.first).to_have_attribute("data-name", "sec-alerts")
    screenshot(tab, "page-hash-autocomplete.png")
    composer.press("Enter")
    expect(composer).to_have_value("/audit subscribe #sec-alerts ")
    expect(tab.get_by_test_id("mention-list")).to_be_hidden()
    before = mine(tab).count()
    composer.press_sequentially("action:added_org_admin")
    composer.press("Enter")
    expect(mine(tab)).to_have_count(before + 1)
    reply = latest_reply(tab)
    expect(reply).to_contain_text("Dry run: alerts for #sec-alerts")
    expect(reply).not_to_contain_text("Which channel is that?")
    screenshot(tab, "page-subscribe-by-name.png")


def test_the_autocomplete_answers_keys_and_clicks(tab: Page):
    composer = tab.get_by_test_id("composer-input")
    composer.press_sequentially("/audit subscribe #")
    listed = tab.get_by_test_id("mention-option")
    expect(listed.first).to_be_visible()
    names = [listed.nth(i).get_attribute("data-name") for i in range(listed.count())]
    assert {"sec-alerts", "it-ops", "incident-response"} <= set(names)
    composer.press("ArrowDown")
    expect(listed.nth(1)).to_have_attribute("aria-selected", "true")
    composer.press("Escape")
    expect(tab.get_by_test_id("mention-list")).to_be_hidden()
    composer.press_sequentially("it")
    tab.get_by_test_id("mention-option").filter(has_text="it-ops").click()
    expect(composer).to_have_value("/audit subscribe #it-ops ")
    composer.press_sequentially("@rav")
    person = tab.get_by_test_id("mention-option").first
    expect(person).to_contain_text("Ravi Kumar")
    person.click()
    expect(composer).to_have_value("/audit subscribe #it-ops @ravi ")


def test_a_search_over_the_limit_is_answered_on_the_page(tab: Page, demo: RunningDemo):
    """Maya searches past the limit: the refusal in the command's ack body shows as Slack shows it."""
    act_as(tab, seed.MAYA)
    open_channel(tab, "sec-alerts")
    answered = mine(tab).count()
    with httpx.Client(base_url=demo.url, headers={"X-Playground-User": seed.MAYA}, timeout=30) as page_calls:
        for _ in range(SEARCHES_A_MINUTE):
            page_calls.post("/ui/command", json={"channel": seed.SEC_ALERTS, "text": "/audit last:1d"})
    expect(mine(tab)).to_have_count(answered + SEARCHES_A_MINUTE, timeout=30_000)
    run(tab, "/audit action:user_login_failed last:1d")
    refusal = mine(tab).filter(has_text="searching faster")
    expect(refusal).to_have_count(1)
    expect(refusal).to_contain_text(re.compile(r"You're searching faster than auditbot allows .* Ready in \d+ s\."))
    expect(refusal.get_by_test_id("ephemeral-note")).to_contain_text("Only visible to you")
    scroll_to(refusal)
    screenshot(tab, "page-over-the-limit.png")


def test_date_tokens_show_in_the_acting_persons_zone(tab: Page, demo: RunningDemo):
    unix = int(MOMENT.timestamp())
    demo.workspace.conversations.post(
        seed.IT_OPS,
        author=seed.BOT_USER_ID,
        text=f"Handoff at <!date^{unix}^{{date_short_pretty}} {{time}}|2025-11-25 12:00 UTC>",
        check_membership=False,
    )
    open_channel(tab, "it-ops")
    token = tab.get_by_test_id("message").filter(has_text="Handoff at").last.locator("time.date")
    expect(token).to_have_text(shown_in(MOMENT, "Europe/Berlin"))
    expect(tab.get_by_test_id("zone-note")).to_contain_text("Europe/Berlin")
    expect(tab.get_by_test_id("zone-note")).to_contain_text("Jane Doe's Slack time zone (Europe/Berlin), 24-hour clock")
    act_as(tab, seed.RAVI)
    open_channel(tab, "it-ops")
    token = tab.get_by_test_id("message").filter(has_text="Handoff at").last.locator("time.date")
    expect(token).to_have_text(shown_in(MOMENT, "Asia/Kolkata"))
    expect(tab.get_by_test_id("zone-note")).to_contain_text("Asia/Kolkata")
    screenshot(tab, "page-dates-as-ravi.png")


def shown_in(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%b} {local.day}, {local.year} {local:%H:%M}"


def test_the_message_time_beside_the_author_follows_the_acting_person(tab: Page):
    open_channel(tab, "sec-alerts")
    first = tab.get_by_test_id("message").first.locator("time.message-time")
    moment = datetime.fromisoformat(str(first.get_attribute("datetime")).replace("Z", "+00:00"))
    expect(first).to_have_text(f"{moment.astimezone(ZoneInfo('Europe/Berlin')):%H:%M}")
    act_as(tab, seed.RAVI)
    open_channel(tab, "sec-alerts")
    first = tab.get_by_test_id("message").first.locator("time.message-time")
    expect(first).to_have_text(f"{moment.astimezone(ZoneInfo('Asia/Kolkata')):%H:%M}")


def test_a_channel_without_a_topic_shows_none(tab: Page):
    open_channel(tab, "incident-response")
    header = tab.locator("#main-header")
    expect(tab.get_by_test_id("channel-topic")).to_have_count(0)
    expect(header).not_to_contain_text("null")
    open_channel(tab, "sec-alerts")
    expect(tab.get_by_test_id("channel-topic")).to_have_text("Audit-log alerts")


def test_emoji_shortcodes_show_as_emoji(tab: Page, demo: RunningDemo):
    open_channel(tab, "sec-alerts")
    before = mine(tab).count()
    run(tab, "/audit nosuchfield:x")
    expect(mine(tab)).to_have_count(before + 1)
    reply = latest_reply(tab)
    expect(reply).to_contain_text("\u26a0\ufe0f")
    expect(reply).not_to_contain_text(":warning:")
    demo.workspace.conversations.post(
        seed.IT_OPS,
        author=seed.BOT_USER_ID,
        text=":double_vertical_bar: paused, :zzz: snoozed, :white_check_mark: acknowledged, :no_such_emoji: kept",
        check_membership=False,
    )
    open_channel(tab, "it-ops")
    expect(tab.get_by_test_id("message").filter(has_text="snoozed").last).to_have_text(
        re.compile("\u23f8\ufe0f paused, \U0001f4a4 snoozed, \u2705 acknowledged, :no_such_emoji: kept")
    )
