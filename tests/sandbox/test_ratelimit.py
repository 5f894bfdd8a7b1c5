"""Per-key, per-path quotas in minute windows on the injected clock, with the X-RateLimit headers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from auditbot.core.clock import ManualClock
from auditbot.sandbox import GeneratedOrg, RateLimits, SandboxApi
from auditbot.sandbox.ratelimit import RateLimiter

from .helpers import ANCHOR, events_path, make_client


@pytest.fixture
def limited(org: GeneratedOrg, clock: ManualClock) -> SandboxApi:
    return SandboxApi(org, org_id=org.org_id, clock=clock)


@pytest.fixture
def limited_client(limited: SandboxApi) -> Iterator[httpx.Client]:
    with make_client(limited) as client:
        yield client


def test_events_allows_ten_a_minute_then_429(limited_client: httpx.Client, limited: SandboxApi) -> None:
    clock_time = ANCHOR + timedelta(seconds=42)
    assert isinstance(limited.clock, ManualClock)
    limited.clock.set(clock_time)
    remaining = []
    for _ in range(10):
        response = limited_client.get(events_path(limited), params={"limit": 1})
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "10"
        assert response.headers["X-RateLimit-Reset"] == "2026-11-25T12:01Z"
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert remaining == list(range(9, -1, -1))
    refused = limited_client.get(events_path(limited))
    assert refused.status_code == 429
    assert refused.json() == {"code": 429, "message": "Rate limit exceeded"}
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Reset"] == "2026-11-25T12:01Z"


def test_the_quota_resets_at_the_next_minute(limited_client: httpx.Client, limited: SandboxApi) -> None:
    clock = limited.clock
    assert isinstance(clock, ManualClock)
    clock.set(ANCHOR + timedelta(seconds=59, milliseconds=900))
    for _ in range(10):
        limited_client.get(events_path(limited, "event-actions"))
    assert limited_client.get(events_path(limited, "event-actions")).status_code == 429
    clock.advance(0.1)
    again = limited_client.get(events_path(limited, "event-actions"))
    assert again.status_code == 200
    assert again.headers["X-RateLimit-Remaining"] == "9"
    assert again.headers["X-RateLimit-Reset"] == "2026-11-25T12:02Z"


def test_paths_have_separate_quotas_and_the_stream_allows_sixty(
    limited_client: httpx.Client, limited: SandboxApi, org: GeneratedOrg
) -> None:
    for _ in range(10):
        limited_client.get(events_path(limited))
    assert limited_client.get(events_path(limited)).status_code == 429
    event = limited_client.get(events_path(limited, f"events/{org.incidents[0].event_ids[0]}"))
    assert event.status_code == 200 and event.headers["X-RateLimit-Remaining"] == "9"
    codes = [
        limited_client.get(events_path(limited, "events-stream"), params={"limit": 1}).status_code for _ in range(61)
    ]
    assert codes == [200] * 60 + [429]


def test_headers_on_every_api_answer_and_refusals_do_not_count(limited: SandboxApi) -> None:
    with make_client(limited, key="wrong") as wrong:
        for _ in range(12):
            response = wrong.get(events_path(limited))
            assert response.status_code == 401
            assert response.headers["X-RateLimit-Remaining"] == "10"
    with make_client(limited) as client:
        missing = client.get("/v1/orgs/not-this-org/events")
        assert missing.status_code == 404 and missing.headers["X-RateLimit-Remaining"] == "9"
        bad = client.get(events_path(limited), params={"limit": "0"})
        assert bad.status_code == 400 and bad.headers["X-RateLimit-Remaining"] == "8"


def test_configurable_limits(org: GeneratedOrg, clock: ManualClock) -> None:
    api = SandboxApi(org, org_id=org.org_id, clock=clock, limits=RateLimits.of(2, 3))
    with make_client(api) as client:
        assert [client.get(events_path(api)).status_code for _ in range(3)] == [200, 200, 429]
        stream = [client.get(events_path(api, "events-stream"), params={"limit": 1}) for _ in range(4)]
        assert [r.status_code for r in stream] == [200, 200, 200, 429]
        assert stream[0].headers["X-RateLimit-Limit"] == "3"


def test_counters_are_per_key() -> None:
    clock = ManualClock(ANCHOR)
    limiter = RateLimiter(RateLimits.of(1, 1), clock)
    assert limiter.hit("a", "events").allowed
    assert not limiter.hit("a", "events").allowed
    assert limiter.hit("b", "events").allowed
    assert limiter.peek("c", "events").remaining == 1
