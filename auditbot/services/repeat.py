"""``repeat``: run a worker's pass, wait, and again, until told to stop — the loop ingest and delivery share."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from auditbot.core.clock import Clock
from auditbot.core.errors import AuditbotError

logger = logging.getLogger(__name__)

Report = TypeVar("Report")


def repeat(
    run_once: Callable[[], Report],
    *,
    stop: threading.Event,
    clock: Clock,
    interval: float,
    failed: Callable[[AuditbotError], Report],
    on_report: Callable[[Report], None] | None = None,
    release: Callable[[], object] | None = None,
) -> None:
    """Call ``run_once`` every ``interval`` seconds (waiting on ``clock`` in slices so ``stop`` is seen
    within a second). A pass that raises an ``AuditbotError`` (the store is down, say) is reported as
    ``failed(error)`` and tried again next round. ``release`` runs at the end, however it ends."""
    try:
        while not stop.is_set():
            try:
                report = run_once()
            except AuditbotError as exc:
                logger.warning("a worker pass failed: %s", exc.message)
                report = failed(exc)
            if on_report is not None:
                on_report(report)
            pause(clock, stop, interval)
    finally:
        if release is not None:
            release()


def pause(clock: Clock, stop: threading.Event, seconds: float) -> None:
    """Wait ``seconds`` on the clock, or less if ``stop`` is set meanwhile."""
    until = clock.monotonic() + seconds
    while not stop.is_set():
        left = until - clock.monotonic()
        if left <= 0:
            return
        clock.sleep(min(left, 1.0))
