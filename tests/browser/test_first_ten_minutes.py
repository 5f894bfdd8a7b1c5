"""A newcomer's first ten minutes in the playground, step by step, each asserting what the person sees.

Every ``/audit`` example README and ``/audit help`` show is typed into the composer; *Investigate in
audit log* runs on each message the demo's channels start with; a refusal, paging, the Details
pivots, a snooze and the handoff are used as a person would. (The rate-limit reply and subscribing by
``#name`` are walked in ``test_page_fidelity``; acknowledging and the grant message's shortcut in
``test_demo``.)

The demo is shared by every browser test and searches are limited per person per minute (20), so
the steps are spread over people and spare Jane, whom the other browser tests search as: Tomás types
README's examples (16 searches), Ravi, who may search but not export or administer, the help's, the
shortcuts, the refusal, paging and the handoff (15); Jane one example and the steps that are no
search (a refused one, Details, a snooze). A tab acting as someone other than Jane switches back
before it closes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from auditbot.core.access import DENIED_MESSAGE
from auditbot.playground import seed
from tests.test_examples import NOTHING, help_examples, readme_examples, runnable

from .conftest import SCREENSHOTS, open_page
from .test_page_fidelity import act_as, mine, open_channel

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from auditbot.demo import RunningDemo

ANSWER_MS = 20_000
ALERT_WAIT_MS = 90_000
"""The first alerts follow the demo's start once ingest and delivery have run (see ``test_demo``)."""
NOT_AN_ANSWER = (*NOTHING, "\u26a0\ufe0f", DENIED_MESSAGE, "searching faster")
"""What an example's answer must not say: the examples test's list, the warning sign the page draws
for ``:warning:``, a refusal and the search limit."""


@pytest.fixture
def tab(browser: Browser, demo: RunningDemo) -> Iterator[Page]:
    """A tab on the demo as Jane; whoever it acts as meanwhile, it is Jane again before it closes."""
    opened = open_page(browser, demo.url)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        close_modal(opened)
        act_as(opened, seed.JANE)
        opened.context.close()
    assert errors == [], f"the page raised: {errors}"


def close_modal(page: Page) -> None:
    modal = page.get_by_test_id("modal")
    while modal.count():
        page.get_by_test_id("modal-close-x").last.click()
        expect(modal).to_have_count(0)


def snap(target: Locator, name: str, *, attempts: int = 3) -> Path:
    """A PNG of just this message or window (README's pictures are cut to what they show).

    The page draws a conversation afresh whenever anything arrives in it (alerts keep arriving in
    #sec-alerts), which can detach the element mid-shot; the locator finds it again on the next try."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    for attempt in range(attempts):
        try:
            target.screenshot(path=str(path))
            break
        except PlaywrightError:
            if attempt == attempts - 1:
                raise
    return path


def type_command(page: Page, text: str) -> Locator:
    """Type ``text`` and press Enter; the answer the person sees: a new reply only to them, or a window."""
    replies = mine(page)
    before = replies.count()
    composer = page.get_by_test_id("composer-input")
    composer.fill(text)
    expect(composer).to_have_value(text)
    # Send, not Enter: with a channel last (``… #sec-alerts``) the # list is open, and Enter picks from
    # it, as in Slack, instead of sending.
    page.get_by_test_id("composer-send").click()
    answer = replies.nth(before).or_(page.get_by_test_id("modal"))
    expect(answer.first).to_be_visible(timeout=ANSWER_MS)
    return answer.first


def assert_an_answer(example: str, answer: Locator) -> str:
    expect(answer).not_to_have_text(re.compile(r"^\s*$"))
    text = answer.inner_text()
    for wrong in NOT_AN_ANSWER:
        assert wrong not in text, f"{example}: {wrong!r} in what the page shows:\n{text[:1500]}"
    return text


def walk_examples(page: Page, examples: list[str]) -> None:
    """Type each example in #sec-alerts; each is answered visibly, and an event example opens its event."""
    open_channel(page, "sec-alerts")
    for example in examples:
        answer = type_command(page, example)
        text = assert_an_answer(example, answer)
        if example.split()[1:2] == ["event"]:
            assert example.split()[2] in text, f"{example}: the event did not open"
        expect(page.get_by_test_id("error-banner")).to_have_count(0)
        close_modal(page)


def readme_walk() -> list[str]:
    return runnable(readme_examples())


def help_walk() -> list[str]:
    """The help's examples README does not already show (those are walked with README's)."""
    shown = set(readme_walk())
    return [example for example in runnable(help_examples()) if example not in shown]


def administers(example: str) -> bool:
    return example.split()[1] in {"subscribe", "subscriptions", "digest", "bot-log"}


def test_the_walk_covers_both_places() -> None:
    assert len(readme_walk()) >= 10 and len(help_walk()) >= 3
    assert any("#" in example for example in readme_walk()), "a README example names a channel by #name"


def member_of_every_channel_named(person: str, example: str) -> bool:
    """Whether ``person`` can name each ``#channel`` in ``example`` (the page, as Slack, links only those)."""
    members = {channel.name: channel.members for channel in seed.CHANNELS}
    return all(person in members.get(name, frozenset()) for name in re.findall(r"#([\w-]+)", example))


def test_every_readme_example_typed_in_the_page_answers(tab: Page):
    """Tomás (an admin) types README's examples, channels by ``#name`` as text: the page links them.
    An example naming a private channel he is not in (#incident-response) is Jane's, who is."""
    found = readme_walk()
    act_as(tab, seed.TOMAS)
    walk_examples(tab, [example for example in found if member_of_every_channel_named(seed.TOMAS, example)])
    act_as(tab, seed.JANE)
    walk_examples(tab, [example for example in found if not member_of_every_channel_named(seed.TOMAS, example)])


def test_every_help_example_typed_in_the_page_answers(tab: Page):
    """Ravi types the help's searches; its subscription example (an admin's) is Tomás's, picked with ``#``."""
    found = help_walk()
    act_as(tab, seed.RAVI)
    walk_examples(tab, [example for example in found if not administers(example)])
    act_as(tab, seed.TOMAS)
    for example in filter(administers, found):
        open_channel(tab, "sec-alerts")
        command, _, rest = example.partition("#")
        name, _, rest = rest.partition(" ")
        composer = tab.get_by_test_id("composer-input")
        composer.press_sequentially(f"{command}#{name}")
        options = tab.get_by_test_id("mention-list").get_by_test_id("mention-option")
        expect(options.first).to_have_attribute("data-name", name)
        expect(options.first).to_be_visible()
        composer.press("Enter")
        expect(composer).to_have_value(f"{command}#{name} ")
        before = mine(tab).count()
        composer.press_sequentially(rest)
        composer.press("Enter")
        expect(mine(tab)).to_have_count(before + 1, timeout=ANSWER_MS)
        assert_an_answer(example, mine(tab).last)


def seeded_messages(demo: RunningDemo) -> list[tuple[str, str, str, str]]:
    """(channel name, text, who it is about, the event id it names or "") for each message the demo starts with."""
    names = {channel.id: channel.name for channel in seed.CHANNELS}
    said = []
    for channel, _author, text in seed.messages(demo.org.incidents, demo.org.org_id):
        (incident,) = [incident for incident in demo.org.incidents if incident.actor in text]
        named = incident.key_event_id if incident.key_event_id in text else ""
        said.append((names[channel], text, incident.actor, named))
    return said


def test_investigate_on_each_seeded_message_finds_what_it_is_about(tab: Page, demo: RunningDemo):
    """Ravi, a member of each channel, uses the message shortcut on every message the demo starts with."""
    said = seeded_messages(demo)
    assert len(said) == len(demo.org.incidents)
    act_as(tab, seed.RAVI)
    for channel, text, actor, event_id in said:
        open_channel(tab, channel)
        message = tab.get_by_test_id("message").filter(has_text=text[:60]).first
        message.hover()
        message.get_by_test_id("message-menu-button").click()
        before = mine(tab).count()
        tab.get_by_test_id("message-menu").get_by_test_id("shortcut-investigate_message").click()
        expect(mine(tab)).to_have_count(before + 1, timeout=ANSWER_MS)
        reply = mine(tab).last
        expect(reply).to_contain_text("From the message")
        expect(reply).to_contain_text("Audit log:")
        expect(reply).to_contain_text(actor)
        assert_an_answer(text, reply)
        modal = tab.get_by_test_id("modal")
        if event_id:
            expect(modal).to_contain_text(event_id)
            close_modal(tab)
        else:
            expect(modal).to_have_count(0)


def test_a_person_without_export_and_a_shared_channel_are_refused_politely(tab: Page):
    act_as(tab, seed.RAVI)
    open_channel(tab, "sec-alerts")
    results = type_command(tab, "/audit action:user_login_failed last:7d")
    expect(results).to_contain_text("Audit log:")
    before = mine(tab).count()
    results.get_by_test_id("action-export_csv").click()
    expect(mine(tab)).to_have_count(before + 1, timeout=ANSWER_MS)
    refusal = mine(tab).last
    expect(refusal).to_contain_text(DENIED_MESSAGE)
    expect(refusal.get_by_test_id("ephemeral-note")).to_contain_text("Only visible to you")
    snap(refusal, "walk-refusal.png")
    act_as(tab, seed.JANE)
    open_channel(tab, "ext-acme-security")
    refused = type_command(tab, "/audit action:user_login_failed last:7d")
    expect(refused).to_contain_text(DENIED_MESSAGE)
    expect(refused).not_to_contain_text("Audit log:")


def test_page_through_results_then_pivot_from_details(tab: Page):
    """Ravi pages a result, opens Details on a row, pivots to This actor and reads the raw JSON."""
    act_as(tab, seed.RAVI)
    open_channel(tab, "sec-alerts")
    results = type_command(tab, "/audit action:user_login_failed last:30d")
    expect(results).to_contain_text("Audit log: action:user_login_failed")
    expect(results).to_contain_text("page 1")
    snap(results, "walk-results.png")
    results.get_by_test_id("action-page_next").click()
    expect(results).to_contain_text("page 2")
    results.get_by_test_id("action-page_prev").click()
    expect(results).to_contain_text("page 1")
    expect(results.get_by_test_id("action-page_prev")).to_have_count(0)

    row = results.get_by_test_id("action-event_details").first
    row.click()
    modal = tab.get_by_test_id("modal")
    expect(modal.get_by_test_id("modal-title")).to_have_text("Audit event")
    for pivot in ("This actor", "This address", "±1 hour around", "Share"):
        expect(modal.get_by_role("button", name=pivot, exact=True)).to_be_visible()
    expect(modal).not_to_contain_text('"message"')
    email = re.search(r"[\w.+-]+@[\w.-]+", modal.get_by_test_id("modal-body").inner_text())
    assert email is not None, "the event names its actor by address"
    snap(modal, "walk-details.png")

    modal.get_by_test_id("action-event_raw:show").click()
    expect(modal).to_contain_text('"message"')
    expect(modal.get_by_test_id("action-event_raw:hide")).to_have_text("Hide raw JSON")

    modal.get_by_test_id("action-event_pivot:actor").click()
    expect(modal).to_contain_text("This actor: the results are in your messages with auditbot.")
    close_modal(tab)
    tab.get_by_test_id("dm-auditbot").click()
    pivoted = tab.get_by_test_id("message").filter(has_text=f"actor:{email.group(0)}").last
    expect(pivoted).to_contain_text("Audit log:")
    expect(pivoted.get_by_test_id("action-event_details").first).to_be_visible()


def test_an_alert_snoozed_says_so_on_its_card(tab: Page):
    """The last alert in #sec-alerts (``test_demo`` acknowledges the first) is snoozed for an hour."""
    open_channel(tab, "sec-alerts")
    cards = tab.get_by_test_id("message").filter(has=tab.get_by_test_id("select-alert_snooze"))
    expect(cards.first).to_contain_text("Matched", timeout=ALERT_WAIT_MS)
    card = tab.locator(f"[data-testid=message][data-ts='{cards.last.get_attribute('data-ts')}']")
    expect(card.get_by_test_id("action-alert_investigate")).to_be_visible()
    expect(card.get_by_test_id("action-alert_open_admin")).to_be_visible()
    card.get_by_test_id("select-alert_snooze").select_option(label="1 hour")
    expect(card).to_contain_text(re.compile(r"Snoozed by .*Jane"))
    snap(card, "walk-alert-snoozed.png")


def test_the_handoff_shows_totals_and_a_drill_down_runs_a_search(tab: Page):
    """Ravi, taking over a shift, asks for the handoff and drills into one of its counts."""
    act_as(tab, seed.RAVI)
    open_channel(tab, "sec-alerts")
    handoff = type_command(tab, "/audit handoff")
    expect(handoff).to_contain_text("Handoff: 12 h")
    expect(handoff).to_contain_text(re.compile(r"\d+ events · \d+ the shift before"))
    expect(handoff).to_contain_text("Top actions:")
    snap(handoff, "walk-handoff.png")
    menu = handoff.get_by_test_id("select-handoff_drill").first
    choice = menu.locator("option").nth(1)
    label = choice.inner_text()
    before = mine(tab).count()
    menu.select_option(index=1)
    expect(mine(tab)).to_have_count(before + 1, timeout=ANSWER_MS)
    results = mine(tab).last
    expect(results).to_contain_text("Audit log:")
    expect(results).to_contain_text(label)
    assert_an_answer(f"handoff drill-down {label}", results)
