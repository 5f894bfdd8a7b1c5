"""Browser tests: the playground page in real headless Chromium (Debian's package), driven with Playwright.

Chromium is launched from ``/usr/bin/chromium`` with the flags RECIPES.md gives; Playwright never
downloads a browser here. Without that executable the tests fail and say how to install it (CI
installs it), rather than skip. Screenshots go to ``artifacts/screenshots/`` at the repository root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Playwright, ViewportSize

    from auditbot.demo import RunningDemo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: runs in headless Chromium (needs /usr/bin/chromium)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("The browser tests need Playwright's Python package: pip install playwright", pytrace=False)
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); CI installs it.",
            pytrace=False,
        )
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(scope="session")
def demo() -> Iterator[RunningDemo]:
    """The whole stack: the sandbox org, the real Slack app in HTTP mode and the playground."""
    from auditbot.demo import start_demo

    with start_demo(port=0, seed=7) as running:
        yield running


def open_page(browser: Browser, url: str, *, timezone: str = "Europe/Berlin") -> Page:
    context = browser.new_context(viewport=VIEWPORT, timezone_id=timezone, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", state="attached")
    return page


def scroll_to(locator: Locator, *, attempts: int = 5) -> None:
    """Scroll ``locator``'s element into view. The page redraws a channel when a message arrives there
    (the demo's first alerts arrive in the first seconds), so the element found a moment ago may have
    been replaced: it is then found again, a few times at most."""
    from playwright.sync_api import Error

    for attempt in range(attempts):
        try:
            locator.scroll_into_view_if_needed()
            return
        except Error as exc:
            if "not attached" not in str(exc) or attempt == attempts - 1:
                raise


@pytest.fixture
def page(browser: Browser, demo: RunningDemo) -> Iterator[Page]:
    """A fresh tab on the demo's playground, as Jane, with the browser in Berlin time."""
    opened = open_page(browser, demo.url)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        opened.context.close()
    assert errors == [], f"the page raised: {errors}"


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path))
    return path
