"""Running ingest and alert delivery beside the Slack app: a background thread each, and a line for App Home."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TypeVar

from auditbot.config import Settings
from auditbot.core.clock import Clock
from auditbot.metrics import Metrics
from auditbot.services.delivery import DeliveryReport
from auditbot.services.ingest import IngestReport
from auditbot.services.mirror_source import Freshness, mirror_freshness
from auditbot.services.scheduler import HandoffScheduler, SchedulerReport
from auditbot.slack.app import slack_client
from auditbot.slack.delivery_client import delivery_client
from auditbot.slack.deps import SlackDeps
from auditbot.slack.handoff_poster import SlackHandoffPoster
from auditbot.store.cursors import StreamCursors
from auditbot.store.db import Database
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource
from auditbot.store.schedules import HandoffSchedules
from auditbot.wiring import OrgConnection, alert_matcher, delivery, ingestor


def describe(state: Freshness, report: IngestReport | None) -> str:
    """App Home's line: how fresh the copy is (``mirror_freshness``, from the store, whichever replica
    follows the log), and why this replica's last pass stopped when it did."""
    line = f"The local copy of the audit log is {state.text()}."
    if report is not None and report.leader and report.error:
        line += f" Its last update stopped: {report.error}"
    return line


@contextmanager
def following(
    connection: OrgConnection,
    store: Database,
    settings: Settings,
    clock: Clock,
    deps: SlackDeps,
    *,
    interval: float | None = None,
    slack_token: str | None = None,
    slack_api_url: str | None = None,
    metrics: Metrics | None = None,
    stop: threading.Event | None = None,
) -> Iterator[threading.Event]:
    """Ingest in a daemon thread while the block runs, queuing alerts for the subscriptions; with a
    ``slack_token`` a thread posts the scheduled handoff digests and (with ``settings.alerts``) one
    posts the alerts. App Home shows ingest's last report; ``metrics`` records every pass's report.

    The threads stop when ``stop`` is set (a signal handler may set it early) or the block ends, each
    releasing its lease as it ends; the block's exit waits for them."""
    last: list[IngestReport | None] = [None]
    status = MirrorSearchSource(store, EventMirror(store, clock=clock), StreamCursors(store, clock=clock))
    limit = timedelta(seconds=settings.mirror_freshness_seconds)
    deps.mirror_status = lambda: describe(
        mirror_freshness(status.status(connection.org_id), clock.now(), limit), last[0]
    )
    stop = threading.Event() if stop is None else stop
    owner = f"{socket.gethostname()}:{os.getpid()}"
    matcher = alert_matcher(store, deps.catalog, clock)
    deps.alerts_changed = matcher.invalidate
    worker = ingestor(connection, store, settings, clock, owner=owner, matcher=matcher)

    def remember(report: IngestReport) -> None:
        last[0] = report
        if metrics is not None:
            metrics.record_ingest(report)

    threads = [
        threading.Thread(
            target=worker.run_forever,
            args=(stop,),
            kwargs={"interval": interval or settings.ingest_interval_seconds, "on_report": remember},
            name="ingest",
            daemon=True,
        )
    ]
    if slack_token and deps.handoff is not None:
        scheduler = HandoffScheduler(
            HandoffSchedules(store, clock),
            SlackHandoffPoster(
                deps.handoff, slack_client(slack_token, base_url=slack_api_url or settings.slack_api_url)
            ),
            clock,
            owner=owner,
        )
        threads.append(
            threading.Thread(
                target=scheduler.run_forever,
                args=(stop,),
                kwargs={"on_report": _also(_log_schedules, metrics.record_schedules if metrics else None)},
                name="digests",
                daemon=True,
            )
        )
    if settings.alerts and slack_token:
        poster = delivery(
            store,
            settings,
            clock,
            slack=delivery_client(slack_token, base_url=slack_api_url or settings.slack_api_url),
            catalog=deps.catalog,
            owner=owner,
        )
        threads.append(
            threading.Thread(
                target=poster.run_forever,
                args=(stop,),
                kwargs={
                    "interval": settings.alert_poll_seconds,
                    "on_report": _also(_log_delivery, metrics.record_delivery if metrics else None),
                },
                name="alerts",
                daemon=True,
            )
        )
    for thread in threads:
        thread.start()
    try:
        yield stop
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
            if thread.is_alive():
                logger.warning("the %s thread did not stop within 10 s; its lease will expire by itself", thread.name)


logger = logging.getLogger("auditbot.alerts")

Report = TypeVar("Report")


def _also(log: Callable[[Report], None], record: Callable[[Report], None] | None) -> Callable[[Report], None]:
    """A pass's report goes to the log and, when there are metrics, into them."""
    if record is None:
        return log

    def both(report: Report) -> None:
        log(report)
        record(report)

    return both


def _log_schedules(report: SchedulerReport) -> None:
    for slot in (*report.posted, *report.failed):
        logger.info("scheduled digest: %s", slot)


def _log_delivery(report: DeliveryReport) -> None:
    if report.messages or report.paused or report.error:
        logger.info(report.summary())
