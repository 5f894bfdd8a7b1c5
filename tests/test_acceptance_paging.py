"""Acceptance: the client pages through every event of a 30-day seeded org over real loopback HTTP,
under the sandbox's 10-per-minute limit on /events, with no gap and no duplicate. Time is injected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from auditbot.atlassian import AdminApiClient, RequestBudget
from auditbot.atlassian.budget import DEFAULT_LIMITS
from auditbot.core.clock import ManualClock
from auditbot.core.ports import EventFilters
from auditbot.sandbox import DEFAULT_API_KEY, GeneratedOrg, SandboxApi, start_server
from auditbot.sandbox.builders import to_us

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def org() -> GeneratedOrg:
    return GeneratedOrg(11, anchor=ANCHOR, days=30)


@pytest.mark.http
@pytest.mark.parametrize(
    "client_per_minute",
    [10, 40],
    ids=["client-keeps-its-own-budget", "client-heeds-the-servers-rate-headers"],
)
def test_every_event_of_a_30_day_org_arrives_once(org, client_per_minute):
    clock = ManualClock(ANCHOR)
    sandbox = SandboxApi(org, org_id=org.org_id, clock=clock)
    start, end = ANCHOR - timedelta(days=30), ANCHOR - timedelta(hours=1)
    now_us = to_us(ANCHOR)
    expected = [
        e.id
        for e in reversed(org.index(ANCHOR).by_time)
        if e.visible(now_us) and to_us(start) <= e.time_us <= to_us(end)
    ]
    budget = RequestBudget(clock, {**DEFAULT_LIMITS, "events": client_per_minute})
    with start_server(sandbox, clock=clock) as running:
        client = AdminApiClient.create(
            org_id=org.org_id,
            api_key=SecretStr(DEFAULT_API_KEY),
            base_url=running.base_url,
            clock=clock,
            budget=budget,
        )
        with client:
            pages = list(client.iter_event_pages(EventFilters(start=start, end=end), limit=500))
    seen = [e.id for page in pages for e in page.data]
    assert len(expected) > 5000, "a realistic 30-day volume"
    assert len(seen) == len(set(seen)), "no duplicate"
    assert seen == expected, "no gap, newest first"
    assert len(pages) > 10, "more pages than one minute's budget"
    assert clock.now() - ANCHOR >= timedelta(minutes=1), "the client waited for the rate limit"
    assert client.stats.waited_seconds >= 50
    assert client.stats.rate_limited == 0, "X-RateLimit-Remaining: 0 held the client before any 429"
    assert client.stats.requests == len(pages)
