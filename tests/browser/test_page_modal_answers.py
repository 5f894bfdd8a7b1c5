"""What the app answers a modal's Submit with shows as Slack shows it: field errors under their
fields (and any other error above the buttons), an updated or pushed view, or the modal closed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from auditbot.playground import Workspace
from auditbot.playground.web import RunningPlayground, start_playground
from tests.playground.web.tinyapp import SECRET, TinyApp

from .conftest import open_page, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="module")
def stage() -> Iterator[RunningPlayground]:
    """The playground with a small Bolt app behind it that answers the form by the name typed."""
    with start_playground(Workspace(), signing_secret=SECRET) as running:
        app = TinyApp(running.api_url)
        running.connect(app.url)
        try:
            yield running
        finally:
            app.close()


@pytest.fixture
def form(browser: Browser, stage: RunningPlayground) -> Iterator[Page]:
    page = open_page(browser, stage.url)
    page.get_by_test_id("shortcuts-button").click()
    page.get_by_test_id("shortcut-search_audit_log").click()
    expect(page.get_by_test_id("modal-title")).to_have_text("Search audit log")
    try:
        yield page
    finally:
        if page.get_by_test_id("modal").count():
            page.get_by_test_id("modal-close-x").click()
            expect(page.get_by_test_id("modal")).to_have_count(0)
        page.context.close()


def submit(page: Page, name: str) -> None:
    page.get_by_test_id("input-name").fill(name)
    page.get_by_test_id("modal-submit").click()


def test_a_field_error_shows_under_its_field(form: Page):
    submit(form, "bad")
    expect(form.get_by_test_id("field-error-name")).to_have_text("Not that name")
    expect(form.get_by_test_id("modal-problem")).to_be_hidden()


def test_an_error_for_a_block_that_is_no_field_shows_above_the_buttons(form: Page):
    submit(form, "elsewhere")
    expect(form.get_by_test_id("modal-problem")).to_have_text("Try again in a minute")
    expect(form.get_by_test_id("modal")).to_be_visible()
    screenshot(form, "page-modal-error.png")


@pytest.mark.parametrize(("name", "title", "back"), [("update", "Updated", 0), ("push", "Updated", 1)])
def test_an_updated_or_pushed_view_replaces_what_is_shown(form: Page, name: str, title: str, back: int):
    submit(form, name)
    expect(form.get_by_test_id("modal-title")).to_have_text(title)
    expect(form.get_by_test_id("modal-back")).to_have_count(back)


def test_clear_and_an_empty_answer_close_the_modal(form: Page):
    submit(form, "push")
    expect(form.get_by_test_id("modal-back")).to_have_count(1)
    submit(form, "clear")
    expect(form.get_by_test_id("modal")).to_have_count(0)
