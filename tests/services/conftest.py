"""Fixtures for service tests: one seeded org for the session, a fresh search stack per test."""

from __future__ import annotations

import pytest

from auditbot.sandbox import GeneratedOrg
from tests.services.world import ANCHOR, World


@pytest.fixture(scope="session")
def org() -> GeneratedOrg:
    return GeneratedOrg(7, anchor=ANCHOR, days=30)


@pytest.fixture
def world(org: GeneratedOrg) -> World:
    return World(org)
