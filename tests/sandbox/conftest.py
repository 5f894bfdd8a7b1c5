"""Fixtures: one shared seeded org (generating it is the slow part), a fresh clock and API per test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from auditbot.core.clock import ManualClock
from auditbot.sandbox import GeneratedOrg, RateLimits, SandboxApi

from .helpers import ANCHOR, SEED, make_client


@pytest.fixture(scope="session")
def org() -> GeneratedOrg:
    return GeneratedOrg(SEED, anchor=ANCHOR, days=30)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(ANCHOR)


@pytest.fixture
def api(org: GeneratedOrg, clock: ManualClock) -> SandboxApi:
    """The shared org with quotas high enough never to get in the way."""
    return SandboxApi(org, org_id=org.org_id, clock=clock, limits=RateLimits.of(100_000, 100_000))


@pytest.fixture
def client(api: SandboxApi) -> Iterator[httpx.Client]:
    with make_client(api) as client:
        yield client
