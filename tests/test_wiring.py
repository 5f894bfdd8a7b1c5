"""The composition: what people in Slack and in a terminal get from the same parts."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from auditbot.config import load_settings
from auditbot.core.clock import ManualClock
from auditbot.services.search import SearchBusy
from auditbot.wiring import connect, search_service, slack_deps

UTC = ZoneInfo("UTC")


def test_slack_searches_never_wait_for_the_budget_but_terminal_ones_do():
    settings = load_settings({})
    clock = ManualClock()
    with connect(settings, clock) as connection:
        deps = slack_deps(connection, settings, clock, secret=b"s" * 32)
        deps.search.catalog.snapshot()
        for minutes in range(10):
            deps.search.search(f"last:{minutes + 1}h", tz=UTC)
        with pytest.raises(SearchBusy):
            deps.search.search("last:11h", tz=UTC)
        assert clock.slept == [], "nobody in Slack was kept waiting"
        terminal = search_service(connection, settings, clock, page_size=50, secret=b"s" * 32, max_wait=120.0)
        terminal.search("last:12h", tz=UTC)
        assert sum(clock.slept) >= 1, "the terminal waited for the budget instead"
