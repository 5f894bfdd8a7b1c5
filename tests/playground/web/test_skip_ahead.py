"""The page's "skip ahead": offered only when the page's owner gives a way to move the clock, and checked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from auditbot.core.clock import ManualClock
from auditbot.playground import Workspace
from auditbot.playground.web import start_playground

from .tinyapp import SECRET

pytestmark = pytest.mark.http


@pytest.fixture
def skippable(workspace: Workspace, clock: ManualClock) -> Iterator[httpx.Client]:
    def skip(by: timedelta) -> datetime:
        clock.advance(by.total_seconds())
        return clock.now()

    with (
        start_playground(workspace, signing_secret=SECRET, skip=skip) as running,
        httpx.Client(base_url=running.root_url, timeout=30) as client,
    ):
        yield client


def test_skipping_ahead_moves_the_clock_and_answers_the_new_time(skippable: httpx.Client, clock: ManualClock):
    start = clock.now()
    assert skippable.get("/ui/state").json()["skip_ahead"] is True
    answer = skippable.post("/ui/skip-ahead", json={"minutes": 30})
    assert answer.status_code == 200, answer.text
    assert clock.now() == start + timedelta(minutes=30)
    assert answer.json() == {"ok": True, "now": clock.now().isoformat()}


@pytest.mark.parametrize("minutes", [0, -5, 1441, "30", 2.5, True, None])
def test_a_skip_must_be_a_whole_number_of_minutes_within_a_day(
    skippable: httpx.Client, clock: ManualClock, minutes: object
):
    start = clock.now()
    answer = skippable.post("/ui/skip-ahead", json={"minutes": minutes})
    assert answer.status_code == 400
    assert answer.json()["error"] == "minutes must be a whole number from 1 to 1440."
    assert clock.now() == start


def test_without_a_way_to_move_the_clock_the_page_offers_no_skip(page: httpx.Client):
    assert page.get("/ui/state").json()["skip_ahead"] is False
    answer = page.post("/ui/skip-ahead", json={"minutes": 30})
    assert answer.status_code == 404
