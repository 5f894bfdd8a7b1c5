"""Fixtures for the Slack app tests: a fresh app, sandbox org and Slack stand-in per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from auditbot.sandbox import GeneratedOrg
from tests.services.world import ANCHOR
from tests.slack.harness import SlackWorld


@pytest.fixture(scope="session")
def org() -> GeneratedOrg:
    return GeneratedOrg(7, anchor=ANCHOR, days=30)


@pytest.fixture
def slack(org: GeneratedOrg) -> Iterator[SlackWorld]:
    world = SlackWorld(org)
    try:
        yield world
    finally:
        world.close()
