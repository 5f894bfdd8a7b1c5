"""Fixtures: the playground served for a seeded workspace, with a small real Bolt app behind it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from auditbot.playground import Workspace
from auditbot.playground.web import RunningPlayground, start_playground

from .tinyapp import SECRET, TinyApp


@pytest.fixture
def playground(workspace: Workspace) -> Iterator[RunningPlayground]:
    with start_playground(workspace, signing_secret=SECRET) as running:
        yield running


@pytest.fixture
def app(playground: RunningPlayground) -> Iterator[TinyApp]:
    tiny = TinyApp(playground.api_url)
    playground.connect(tiny.url)
    try:
        yield tiny
    finally:
        tiny.close()


@pytest.fixture
def page(playground: RunningPlayground) -> Iterator[httpx.Client]:
    """What the browser page does: plain HTTP against the playground."""
    with httpx.Client(base_url=playground.root_url, timeout=30) as client:
        yield client
