"""Shared fixtures: a clean environment for every test and paths to the vendored spec files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SPEC_DIR = Path(__file__).parent / "fixtures" / "spec"

pytest_plugins = ["tests.logscan"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's or CI's ATLASSIAN_*/AUDITBOT_*/SLACK_* settings."""
    for key in list(os.environ):
        if key.startswith(("ATLASSIAN_", "AUDITBOT_", "SLACK_")):
            monkeypatch.delenv(key)
