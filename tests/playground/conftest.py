"""Fixtures: a seeded workspace on a manual clock, served on loopback, and real slack_sdk clients for it."""

from __future__ import annotations

import random
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry import builtin_handlers

from auditbot.core.clock import ManualClock
from auditbot.playground import RunningSlackApi, Workspace, start_slack_api

TOKEN = "xoxb-test"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def workspace(clock: ManualClock) -> Workspace:
    return Workspace(clock, tokens=(TOKEN,), rng=random.Random(7))


@pytest.fixture
def running(workspace: Workspace) -> Iterator[RunningSlackApi]:
    with start_slack_api(workspace) as running:
        yield running


@pytest.fixture
def client(running: RunningSlackApi) -> WebClient:
    return WebClient(token=TOKEN, base_url=running.api_url, timeout=5)


@pytest.fixture
def retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """slack_sdk's rate-limit retry handler sleeps for real; record the waits instead."""
    slept: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=slept.append))
    return slept
