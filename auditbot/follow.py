"""Running ingest beside the Slack app: a background thread per process, and a line for App Home."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from auditbot.config import Settings
from auditbot.core.clock import Clock
from auditbot.services.ingest import IngestReport
from auditbot.slack.deps import SlackDeps
from auditbot.store.db import Database
from auditbot.wiring import OrgConnection, ingestor


def describe(report: IngestReport | None) -> str:
    if report is None:
        return "The local copy of the audit log is starting."
    if not report.leader:
        return "Another auditbot replica keeps the local copy of the audit log up to date."
    if report.error:
        return f"The local copy of the audit log could not update: {report.error}"
    behind = f"{report.lag_seconds:.0f} s behind" if report.lag_seconds is not None else "waiting for events"
    return f"The local copy of the audit log is {behind} ({report.events_new} new events last run)."


@contextmanager
def following(
    connection: OrgConnection,
    store: Database,
    settings: Settings,
    clock: Clock,
    deps: SlackDeps,
    *,
    interval: float | None = None,
) -> Iterator[threading.Event]:
    """Ingest in a daemon thread while the block runs; App Home shows its last report."""
    last: list[IngestReport | None] = [None]
    deps.mirror_status = lambda: describe(last[0])
    stop = threading.Event()
    worker = ingestor(connection, store, settings, clock, owner=f"{socket.gethostname()}:{os.getpid()}")

    def remember(report: IngestReport) -> None:
        last[0] = report

    thread = threading.Thread(
        target=worker.run_forever,
        args=(stop,),
        kwargs={"interval": interval or settings.ingest_interval_seconds, "on_report": remember},
        name="ingest",
        daemon=True,
    )
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=10)
