"""The HTTP server's limits: the settings they come from, the waitress adjustments they become, and
how the open-file limit is made to fit the connection limit. ``tests/test_front_door.py`` holds them
against a real ``auditbot run --http``."""

from __future__ import annotations

import logging
import resource

import pytest
from waitress.adjustments import Adjustments

from auditbot.config import load_settings
from auditbot.core.errors import ConfigError
from auditbot.slack.http_limits import (
    FILES_PER_CONNECTION,
    SPARE_FILES,
    HttpLimits,
    OpenFiles,
    fit_open_files,
    open_files_plan,
    waitress_adjustments,
)
from auditbot.terminal.run_cli import http_limits

INFINITY = resource.RLIM_INFINITY
LIMITS = HttpLimits(connection_limit=1000)
WANTED = 1000 * FILES_PER_CONNECTION + SPARE_FILES


def test_the_settings_have_safe_defaults_and_become_the_limits():
    settings = load_settings({})
    assert http_limits(settings) == HttpLimits(
        connection_limit=1000,
        idle_timeout_seconds=5,
        request_deadline_seconds=10.0,
        max_body_bytes=1_048_576,
        max_header_bytes=32_768,
    )
    tuned = load_settings(
        {
            "AUDITBOT_HTTP_CONNECTION_LIMIT": "600",
            "AUDITBOT_HTTP_IDLE_TIMEOUT_SECONDS": "2",
            "AUDITBOT_HTTP_REQUEST_DEADLINE_SECONDS": "3.5",
            "AUDITBOT_HTTP_MAX_BODY_BYTES": "65536",
            "AUDITBOT_HTTP_MAX_HEADER_BYTES": "8192",
        }
    )
    assert http_limits(tuned) == HttpLimits(600, 2, 3.5, 65_536, 8192)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AUDITBOT_HTTP_CONNECTION_LIMIT", "5"),
        ("AUDITBOT_HTTP_IDLE_TIMEOUT_SECONDS", "0"),
        ("AUDITBOT_HTTP_REQUEST_DEADLINE_SECONDS", "0"),
        ("AUDITBOT_HTTP_MAX_BODY_BYTES", "1073741824"),
        ("AUDITBOT_HTTP_MAX_HEADER_BYTES", "lots"),
    ],
)
def test_unsafe_limits_are_configuration_errors_naming_the_setting(name: str, value: str):
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value})
    assert name in str(caught.value)


def test_the_limits_become_waitress_adjustments_it_accepts():
    limits = HttpLimits(connection_limit=700, idle_timeout_seconds=3, max_body_bytes=4096, max_header_bytes=8192)
    adjustments = Adjustments(**waitress_adjustments(limits))
    assert adjustments.connection_limit == 700
    assert adjustments.channel_timeout == 3
    assert adjustments.cleanup_interval == 1
    assert adjustments.asyncore_use_poll is True
    assert adjustments.max_request_body_size == 4097, "waitress refuses a body whose length reaches its limit"
    assert adjustments.max_request_header_size == 8192
    assert adjustments.log_socket_errors is False


@pytest.mark.parametrize(
    ("soft", "hard", "plan"),
    [
        (WANTED, INFINITY, OpenFiles(None, 1000)),
        (INFINITY, INFINITY, OpenFiles(None, 1000)),
        (1024, INFINITY, OpenFiles(WANTED, 1000)),
        (1024, 524_288, OpenFiles(WANTED, 1000)),
        (1024, 1280, OpenFiles(1280, (1280 - SPARE_FILES) // FILES_PER_CONNECTION)),
        (1024, 1024, OpenFiles(None, (1024 - SPARE_FILES) // FILES_PER_CONNECTION)),
        (100, 100, OpenFiles(None, 1)),
    ],
)
def test_the_open_file_plan_raises_the_soft_limit_or_lowers_the_connection_limit(soft, hard, plan):
    assert open_files_plan(LIMITS, soft, hard) == plan


def test_fitting_raises_the_soft_limit_and_says_so(caplog):
    asked: list[tuple[int, int]] = []
    with caplog.at_level(logging.INFO, logger="auditbot.slack.http_limits"):
        fitted = fit_open_files(LIMITS, get=lambda _: (1024, 524_288), set_=lambda _, limits: asked.append(limits))
    assert fitted == LIMITS
    assert asked == [(WANTED, 524_288)]
    assert [r.getMessage() for r in caplog.records] == [
        f"raised the open-file limit from 1024 to {WANTED} for the HTTP server"
    ]


def test_fitting_lowers_the_connection_limit_when_the_hard_limit_is_too_low_and_warns(caplog):
    with caplog.at_level(logging.INFO, logger="auditbot.slack.http_limits"):
        fitted = fit_open_files(LIMITS, get=lambda _: (1024, 1024), set_=lambda *_: None)
    assert fitted.connection_limit == (1024 - SPARE_FILES) // FILES_PER_CONNECTION
    [warning] = caplog.records
    assert warning.levelno == logging.WARNING
    assert "fits 384 HTTP connections, not AUDITBOT_HTTP_CONNECTION_LIMIT=1000" in warning.getMessage()


def test_fitting_falls_back_to_the_soft_limit_when_it_cannot_be_raised(caplog):
    def refuse(*_: object) -> None:
        raise OSError("not permitted")

    with caplog.at_level(logging.INFO, logger="auditbot.slack.http_limits"):
        fitted = fit_open_files(LIMITS, get=lambda _: (1024, 524_288), set_=refuse)
    assert fitted.connection_limit == 384
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING]
    assert "could not raise the open-file limit from 1024" in caplog.records[0].getMessage()
