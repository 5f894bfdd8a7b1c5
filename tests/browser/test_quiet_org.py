"""A quiet org keeps answering from the mirror: the demo from its first minute, and after half an hour of nothing.

The demo's clock is the real time plus an offset the playground moves forward ("Skip 30 min"), so
the sandbox org lives through half an hour at once while ingest keeps polling every few seconds.
The test finds, in the sandbox org's own schedule (every hour's events are fixed by the seed), the
next spell in which nothing is processed, skips to its start, then clicks through it, checks with
the sandbox that no event arrived, waits for ingest's next pass (bounded) and searches again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from auditbot.sandbox.builders import from_us, to_us
from auditbot.sandbox.generate import HOUR_US, GeneratedOrg
from auditbot.services.mirror_source import MirrorStatus
from auditbot.store.cursors import StreamCursors
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource

from .conftest import open_page, screenshot, scroll_to

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from auditbot.demo import RunningDemo

QUIET_ACTIVITY = 0.3
"""An event every few minutes in working hours, quiet hours at night."""
SKIP = timedelta(minutes=30)
"""What the page's button skips; longer than the freshness window (120 s by default)."""
MARGIN = timedelta(minutes=5)
"""The quiet spell looked for is this much longer than the skip (real time passes meanwhile)."""
LOOK_AHEAD = timedelta(days=7)
FIRST_MINUTE = 60.0
PASS_WAIT = 60.0
"""Ingest reads the stream every 5 s in the demo; a pass after a skip is awaited at most this long."""


@dataclass(frozen=True)
class QuietDemo:
    demo: RunningDemo
    started: float
    """``time.monotonic()`` just before the demo started."""


@pytest.fixture(scope="module")
def quiet() -> Iterator[QuietDemo]:
    """A demo of its own (this test moves its clock): a quiet org of the same seed."""
    from auditbot.demo import start_demo

    started = time.monotonic()
    with start_demo(port=0, seed=7, activity=QUIET_ACTIVITY) as running:
        yield QuietDemo(running, started)


def mirror_status(demo: RunningDemo) -> MirrorStatus | None:
    source = MirrorSearchSource(
        demo.store, EventMirror(demo.store, clock=demo.clock), StreamCursors(demo.store, clock=demo.clock)
    )
    return source.status(demo.sandbox.org_id)


def wait_for_a_pass_after(demo: RunningDemo, moment: datetime | None, *, within: float) -> None:
    """Until ingest has read the stream to its end (at or after ``moment``), polling the store, bounded."""
    deadline = time.monotonic() + within
    while True:
        status = mirror_status(demo)
        done = status.read_to_end_at if status is not None else None
        if done is not None and (moment is None or done >= moment):
            return
        assert time.monotonic() < deadline, f"ingest did not read to the end after {moment} within {within} s"
        time.sleep(0.2)


def processed_times(org: GeneratedOrg, start: datetime, end: datetime) -> list[datetime]:
    """When each event the org makes in ``[start, end)`` is processed (its hours are fixed by the seed)."""
    first = to_us(start) // HOUR_US - 1  # a late event is processed up to 30 minutes after its hour
    last = to_us(end) // HOUR_US
    times = [
        datetime.fromisoformat(event["attributes"]["processedAt"])
        for hour in range(first, last + 1)
        for event in org.hour_events(hour)
    ]
    return sorted(t for t in times if start <= t < end)


def next_quiet_spell(org: GeneratedOrg, after: datetime, length: timedelta) -> datetime:
    """The first whole minute from ``after`` on that starts ``length`` in which the org processes nothing."""
    start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    times = processed_times(org, start, start + LOOK_AHEAD + length)
    candidate = start
    for when in times:
        if when - candidate >= length:
            return candidate
        candidate = max(candidate, when.replace(second=0, microsecond=0) + timedelta(minutes=1))
    raise AssertionError(f"the sandbox org has no quiet {length} in the {LOOK_AHEAD} after {after}")


def run(page: Page, text: str) -> Locator:
    mine = page.locator("[data-testid=message][data-ephemeral=true]")
    before = mine.count()
    composer = page.get_by_test_id("composer-input")
    composer.fill(text)
    composer.press("Enter")
    expect(mine).to_have_count(before + 1, timeout=30_000)
    ts = mine.nth(before).get_attribute("data-ts")
    return page.locator(f"[data-testid=message][data-ts='{ts}']")


def show(message: Locator) -> None:
    """Scroll the message into view; the conversation may redraw meanwhile (a message arriving), so try again."""
    for attempt in range(3):
        try:
            scroll_to(message)
            return
        except PlaywrightError:
            if attempt == 2:
                raise


def search_and_handoff(page: Page, name: str) -> tuple[str, str]:
    """Search and open the handoff; their source lines; screenshots of both."""
    results = run(page, "/audit action:user_login_failed last:30d")
    expect(results).to_contain_text("Audit log:")
    expect(results).to_contain_text("events")
    page.get_by_test_id("composer-input").blur()
    show(results)
    screenshot(page, f"quiet-{name}-results.png")
    handoff = run(page, "/audit handoff")
    expect(handoff).to_contain_text("copy of the log")
    show(handoff)
    screenshot(page, f"quiet-{name}-handoff.png")
    return results.inner_text(), handoff.inner_text()


def assert_from_the_mirror(results: str, handoff: str) -> None:
    assert "from auditbot's copy of the log, up to date" in results, results
    assert "live from the Admin API" not in results, results
    assert "up to date" in handoff and "behind" not in handoff, handoff


def test_a_quiet_org_is_answered_from_the_mirror_from_the_first_minute_on(browser: Browser, quiet: QuietDemo):
    demo = quiet.demo
    wait_for_a_pass_after(demo, None, within=FIRST_MINUTE)
    page = open_page(browser, demo.url)
    page.get_by_test_id("channel-it-ops").click()  # #sec-alerts gets the demo's first alerts meanwhile
    expect(page.get_by_test_id("channel-title")).to_contain_text("it-ops")
    try:
        assert_from_the_mirror(*search_and_handoff(page, "start"))
        assert time.monotonic() - quiet.started < FIRST_MINUTE, "the first answers took more than a minute"

        spell = next_quiet_spell(demo.org, demo.clock.now(), SKIP + MARGIN)
        to_spell = max(1, -(-(spell - demo.clock.now()) // timedelta(minutes=1)))
        answer = page.request.post(f"{demo.url}/ui/skip-ahead", data={"minutes": to_spell})
        assert answer.ok, answer.text()
        wait_for_a_pass_after(demo, demo.clock.now(), within=PASS_WAIT)

        before = demo.clock.now()
        page.get_by_test_id("skip-ahead").click()
        expect(page.get_by_test_id("info-banner")).to_contain_text("Skipped 30 minutes ahead")
        after = demo.clock.now()
        assert after - before >= SKIP
        arrived = [e for e in demo.org.index(after).by_processed if to_us(before) < e.processed_us <= to_us(after)]
        assert arrived == [], f"the org was not quiet: {len(arrived)} events were processed while skipping"
        newest = from_us(demo.org.index(after).by_processed[-1].processed_us)
        assert after - newest >= SKIP, "the newest event should be older than the quiet spell"

        wait_for_a_pass_after(demo, after, within=PASS_WAIT)
        assert_from_the_mirror(*search_and_handoff(page, "after"))

        page.get_by_test_id("app-home-link").click()
        home = page.get_by_test_id("home-view")
        expect(home).to_contain_text("The local copy of the audit log is up to date.")
        screenshot(page, "quiet-after-home.png")
    finally:
        page.context.close()
