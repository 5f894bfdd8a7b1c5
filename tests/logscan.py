"""The whole suite runs with DEBUG logging through auditbot's redacting log filter; at the end the log
is scanned for every secret the tests use. One appearance fails the run.

Loaded from ``conftest.py`` as a plugin. The log is kept at ``artifacts/test-debug.log``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from auditbot.logs import RedactingFilter

LOG_FILE = Path(__file__).parents[1] / "artifacts" / "test-debug.log"

SECRETS = (
    "secret-key-never-logged",
    "test-signing-secret-0123456789",
    "sandbox-key",
    "k-configured",
    "k-bad-7731",
    "xoxb-test",
    "xoxb-playground-demo",
    "test-secret-0123456789",
    "super-secret",
    "leaky-value",
)
"""Every API key, token and signing secret the tests hand to auditbot."""


class _Capture:
    def __init__(self) -> None:
        LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
        self.handler = logging.FileHandler(LOG_FILE, mode="w", encoding="utf-8")
        self.handler.setLevel(logging.DEBUG)
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.handler.addFilter(RedactingFilter())
        self.previous_level = logging.getLogger().level

    def start(self) -> None:
        root = logging.getLogger()
        root.addHandler(self.handler)
        root.setLevel(logging.DEBUG)

    def stop(self) -> str:
        root = logging.getLogger()
        root.removeHandler(self.handler)
        root.setLevel(self.previous_level)
        self.handler.close()
        return LOG_FILE.read_text(encoding="utf-8", errors="replace")


_capture = _Capture()


def pytest_sessionstart(session: pytest.Session) -> None:
    _capture.start()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    text = _capture.stop()
    leaked = [secret for secret in SECRETS if secret in text]
    if leaked:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"secrets found in the DEBUG log {LOG_FILE}: {leaked}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
