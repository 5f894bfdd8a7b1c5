"""The page's Block Kit and mrkdwn rendering in Chromium: every block kind, dates in the acting person's zone,
hostile text shown as text, and a visible placeholder for what it does not know."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Locator, expect

from auditbot.playground import Workspace
from auditbot.playground.seed import JANE, RAVI, SEC_ALERTS
from auditbot.playground.web import RunningPlayground, start_playground

from .conftest import open_page, screenshot, scroll_to

if TYPE_CHECKING:
    from playwright.sync_api import Browser

NOON_UTC = 1764072000
"""2025-11-25 12:00 UTC: 13:00 in Berlin, 17:30 in Kolkata."""
MRKDWN = (
    "*bold* _italic_ ~strike~ `co*de` <https://example.com/a?b=1|a link> <javascript:alert(1)|evil> "
    "<!here> <@U01JANEDOE> &lt;img src=x onerror=alert(1)&gt; <img src=x onerror=window.__pwned=1> "
    f":white_check_mark: <!date^{NOON_UTC}^{{date_num}} {{time}}|2025-11-25 12:00 UTC> "
    "<!date^oops^{date}|the fallback>\n&gt; quoted line\n```multi\nline <b>```"
)


def text(value: str, kind: str = "mrkdwn") -> dict[str, Any]:
    return {"type": kind, "text": value}


def button(label: str, action_id: str, style: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "button", "text": text(label, "plain_text"), "action_id": action_id, "value": "v"}
    if style:
        found["style"] = style
    return found


BLOCKS: list[dict[str, Any]] = [
    {"type": "header", "text": text("<script>window.__pwned=1</script> Report", "plain_text")},
    {"type": "section", "text": text(MRKDWN)},
    {
        "type": "section",
        "fields": [text("*Actor*\njane@example.com"), text("*IP*\n203.0.113.7")],
        "accessory": {
            "type": "overflow",
            "action_id": "more",
            "options": [{"text": text("Copy", "plain_text"), "value": "copy"}],
        },
    },
    {
        "type": "context",
        "elements": [{"type": "image", "image_url": "https://example.com/i.png", "alt_text": "logo"}, text("small")],
    },
    {"type": "divider"},
    {
        "type": "actions",
        "elements": [
            button("Approve", "approve", "primary"),
            button("Revoke", "revoke", "danger"),
            {
                "type": "static_select",
                "action_id": "pick",
                "placeholder": text("Pick one", "plain_text"),
                "options": [{"text": text("One", "plain_text"), "value": "1"}],
            },
            {"type": "datepicker", "action_id": "day", "initial_date": "2026-11-20"},
        ],
    },
    {"type": "image", "image_url": "https://example.com/chart.png", "alt_text": "Chart of logins"},
    {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "rich ", "style": {"bold": True}},
                    {"type": "link", "url": "https://example.com/rich", "text": "rich link"},
                    {"type": "user", "user_id": "U02RAVIKMR"},
                ],
            },
            {"type": "rich_text_list", "style": "bullet", "elements": [{"type": "rich_text_section", "elements": []}]},
        ],
    },
    {"type": "markdown", "text": "**Strong** and [md link](https://example.com/md)"},
    {"type": "table", "rows": []},
]


HOME: dict[str, Any] = {
    "type": "home",
    "blocks": [
        {"type": "header", "text": text("auditbot", "plain_text")},
        {"type": "section", "text": text("Connected to *the sandbox org*.")},
        {"type": "actions", "elements": [button("Search…", "open_search_form", "primary")]},
    ],
}


@pytest.fixture(scope="module")
def stage() -> Iterator[RunningPlayground]:
    """The playground alone (no app): a seeded workspace with one message of every kind of block."""
    workspace = Workspace()
    workspace.conversations.post(SEC_ALERTS, author=workspace.bot.id, text="fallback", blocks=BLOCKS)
    workspace.views.publish(JANE, HOME)
    with start_playground(workspace, signing_secret="unused") as running:
        yield running


def message(page: Any) -> Locator:
    found: Locator = page.get_by_test_id("message").filter(has_text="Report")
    expect(found).to_have_count(1)
    return found


def test_every_block_kind_and_mrkdwn_style_is_drawn(browser: Browser, stage: RunningPlayground):
    page = open_page(browser, stage.url)
    shown = message(page)
    expect(shown.locator(".block-header")).to_have_text("<script>window.__pwned=1</script> Report")
    expect(shown.locator("strong").first).to_have_text("bold")
    expect(shown.locator("em").first).to_have_text("italic")
    expect(shown.locator("s").first).to_have_text("strike")
    expect(shown.locator("code").first).to_have_text("co*de")
    expect(shown.locator("pre.code-block")).to_have_text("multi\nline <b>")
    expect(shown.locator("blockquote")).to_have_text("quoted line")
    expect(shown.locator(".broadcast")).to_have_text("@here")
    expect(shown.locator(".mention").first).to_have_text("@Jane Doe")
    expect(shown).to_contain_text("✅")
    expect(shown.locator(".section-fields .field")).to_have_count(2)
    expect(shown.get_by_test_id("action-approve")).to_have_class("btn primary")
    expect(shown.get_by_test_id("action-revoke")).to_have_class("btn danger")
    expect(shown.get_by_test_id("select-pick")).to_be_visible()
    expect(shown.get_by_test_id("input-day")).to_have_value("2026-11-20")
    expect(shown.locator(".block-image")).to_contain_text("Chart of logins")
    expect(shown.locator(".rich-text")).to_contain_text("@Ravi Kumar")
    expect(shown.locator(".markdown strong")).to_have_text("Strong")
    expect(shown.get_by_test_id("unsupported-block")).to_have_text("Unsupported block: table")
    scroll_to(shown)
    screenshot(page, "blocks.png")
    page.context.close()


def test_links_are_safe_and_hostile_text_stays_text(browser: Browser, stage: RunningPlayground):
    page = open_page(browser, stage.url)
    shown = message(page)
    links = shown.locator("a")
    expect(links).to_have_count(3)
    for index in range(3):
        expect(links.nth(index)).to_have_attribute("rel", "noopener noreferrer")
        expect(links.nth(index)).to_have_attribute("target", "_blank")
    assert {links.nth(i).get_attribute("href") for i in range(3)} == {
        "https://example.com/a?b=1",
        "https://example.com/rich",
        "https://example.com/md",
    }
    expect(shown).to_contain_text("evil")
    expect(shown).to_contain_text("<img src=x onerror=alert(1)>")
    expect(shown.locator("img")).to_have_count(0)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("body script").count() == 0
    page.context.close()


@pytest.mark.parametrize(("user", "shown"), [(JANE, "2025-11-25 13:00"), (RAVI, "2025-11-25 17:30")])
def test_dates_show_in_the_acting_persons_time_zone(browser: Browser, stage: RunningPlayground, user: str, shown: str):
    """Jane's profile says Europe/Berlin, Ravi's Asia/Kolkata; the browser's own zone does not count."""
    page = open_page(browser, stage.url, timezone="America/New_York")
    switcher = page.get_by_test_id("user-switcher")
    try:
        switcher.select_option(value=user)
        expect(switcher).to_have_value(user)
        dates = message(page).locator("time.date")
        expect(dates.first).to_have_text(shown)
        expect(dates.first).to_have_attribute("title", "2025-11-25 12:00 UTC")
        expect(dates.nth(1)).to_have_text("the fallback")
    finally:
        switcher.select_option(value=JANE)
        expect(switcher).to_have_value(JANE)
        page.context.close()


def test_a_click_with_no_app_behind_the_page_shows_an_error(browser: Browser, stage: RunningPlayground):
    page = open_page(browser, stage.url)
    message(page).get_by_test_id("action-approve").click()
    expect(page.get_by_test_id("error-banner")).to_contain_text("No app is connected")
    page.context.close()


def test_the_home_tab_shows_the_published_view(browser: Browser, stage: RunningPlayground):
    page = open_page(browser, stage.url)
    page.get_by_test_id("app-home-link").click()
    home = page.get_by_test_id("home-view")
    expect(home.locator(".block-header")).to_have_text("auditbot")
    expect(home.locator("strong")).to_have_text("the sandbox org")
    expect(page.get_by_test_id("composer-input")).to_be_hidden()
    # Opening the tab sends app_home_opened; with no app behind the page, that is an error to show.
    expect(page.get_by_test_id("error-banner")).to_contain_text("No app is connected")
    page.get_by_test_id("tab-messages").click()
    expect(page.get_by_test_id("composer-input")).to_be_visible()
    page.context.close()


def test_messages_change_and_disappear_live(browser: Browser, stage: RunningPlayground):
    workspace = stage.workspace
    page = open_page(browser, stage.url)
    posted = workspace.conversations.post(SEC_ALERTS, author=workspace.bot.id, text="*first* version")
    shown = page.locator(f"[data-testid=message][data-ts='{posted.ts}']")
    expect(shown).to_contain_text("first version")
    workspace.conversations.update(SEC_ALERTS, posted.ts, by=workspace.bot.id, text="_second_ version")
    expect(shown.locator("em")).to_have_text("second")
    expect(shown.locator(".edited")).to_have_text("(edited)")
    workspace.conversations.delete(SEC_ALERTS, posted.ts, by=workspace.bot.id)
    expect(shown).to_have_count(0)
    page.context.close()
