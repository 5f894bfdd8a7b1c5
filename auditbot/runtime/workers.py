"""The background workers beside the Slack app: ingest, alert delivery and scheduled handoffs, a thread each.

``background_workers`` starts them and stops them (each releasing its lease); ``IngestStatus`` keeps
ingest's last report for App Home's line about the mirror, and is made before the Slack parts so
they can show it from the start.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from slack_sdk import WebClient

from auditbot.config import Settings
from auditbot.core.clock import Clock
from auditbot.metrics import Metrics
from auditbot.runtime.org import OrgConnection
from auditbot.services.alert_matching import AlertMatcher
from auditbot.services.catalog import ActionCatalog
from auditbot.services.delivery import Delivery, DeliveryReport, DeliverySettings
from auditbot.services.handoff import HandoffService
from auditbot.services.ingest import Ingestor, IngestReport
from auditbot.services.mirror_source import Freshness, mirror_freshness
from auditbot.services.scheduler import HandoffScheduler, SchedulerReport
from auditbot.services.subscriptions import SubscriptionTitles
from auditbot.slack.delivery_client import BlockKitAlerts, SlackAlertChannel
from auditbot.slack.handoff_poster import SlackHandoffPoster
from auditbot.store.ingest_store import SqlIngestStore
from auditbot.store.outbox import alert_writer
from auditbot.store.repositories import Repositories

logger = logging.getLogger("auditbot.workers")

STOP_WAIT_SECONDS = 10.0


def process_owner() -> str:
    """This process's name on the leases it holds: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def describe(state: Freshness, report: IngestReport | None) -> str:
    """App Home's line: how fresh the copy is (``mirror_freshness``, from the store, whichever replica
    follows the log), and why this replica's last pass stopped when it did."""
    line = f"The local copy of the audit log is {state.text()}."
    if report is not None and report.leader and report.error:
        line += f" Its last update stopped: {report.error}"
    return line


class IngestStatus:
    """The mirror's freshness for App Home, with this replica's last ingest report (kept by ``remember``)."""

    def __init__(self, repositories: Repositories, org_id: str, clock: Clock, *, freshness: timedelta) -> None:
        self._source = repositories.mirror_search
        self._org_id = org_id
        self._clock = clock
        self._freshness = freshness
        self._last: IngestReport | None = None

    def remember(self, report: IngestReport) -> None:
        self._last = report

    def line(self) -> str:
        state = mirror_freshness(self._source.status(self._org_id), self._clock.now(), self._freshness)
        return describe(state, self._last)


def alert_matcher(repositories: Repositories, catalog: ActionCatalog, clock: Clock) -> AlertMatcher:
    """Which subscriptions each new event matches (ingest queues the alerts; Slack tells it of changes)."""
    return AlertMatcher(repositories.subscriptions, catalog, clock, snoozes=repositories.snoozes)


def ingestor(
    connection: OrgConnection,
    repositories: Repositories,
    settings: Settings,
    clock: Clock,
    *,
    owner: str,
    matcher: AlertMatcher | None = None,
    backfill_days: float | None = None,
    page_limit: int = 500,
) -> Ingestor:
    """The org's stream follower (one per replica; the lease picks which one reads). With a
    ``matcher`` every page also queues its alerts, in the page's transaction."""
    write = alert_writer(repositories.outbox, matcher) if matcher is not None else None
    return Ingestor(
        connection.client,
        SqlIngestStore(repositories.db, clock, write_outbox=write),
        clock,
        org_id=connection.org_id,
        owner=owner,
        backfill=timedelta(days=settings.backfill_days if backfill_days is None else backfill_days),
        retention=timedelta(days=settings.retention_days),
        page_limit=page_limit,
    )


def delivery(
    repositories: Repositories,
    settings: Settings,
    clock: Clock,
    *,
    slack: WebClient,
    catalog: ActionCatalog,
    owner: str,
) -> Delivery:
    """The alert poster (one per replica; the lease picks which one posts). ``slack`` must not retry
    posts by itself: ``delivery_client`` makes one."""

    def action_name(action: str) -> str:
        return catalog.snapshot().get(action).display_name

    return Delivery(
        repositories.outbox,
        SlackAlertChannel(slack),
        BlockKitAlerts(SubscriptionTitles(repositories.subscriptions, action_name)),
        repositories.subscriptions,
        repositories.mirror,
        action_name,
        repositories.leases,
        clock,
        owner=owner,
        snoozes=repositories.snoozes,
        settings=DeliverySettings(
            interval=settings.alert_post_interval_seconds,
            burst_threshold=settings.alert_burst_threshold,
            burst_window=settings.alert_burst_window_seconds,
        ),
    )


@dataclass(frozen=True)
class Worker:
    """One background loop: ``run(stop)`` returns when ``stop`` is set."""

    name: str
    run: Callable[[threading.Event], None]


def ingest_worker(
    ingest: Ingestor, status: IngestStatus | None, *, interval: float, metrics: Metrics | None = None
) -> Worker:
    """Ingest every ``interval`` seconds; each report goes to App Home's line and the metrics."""

    def remember(report: IngestReport) -> None:
        if status is not None:
            status.remember(report)
        if metrics is not None:
            metrics.record_ingest(report)

    return Worker("ingest", lambda stop: ingest.run_forever(stop, interval=interval, on_report=remember))


def schedules_worker(
    repositories: Repositories,
    handoff: HandoffService,
    slack: WebClient,
    clock: Clock,
    *,
    owner: str,
    metrics: Metrics | None = None,
) -> Worker:
    """Posts the scheduled handoff digests when they fall due."""
    scheduler = HandoffScheduler(repositories.schedules, SlackHandoffPoster(handoff, slack), clock, owner=owner)
    report = _also(_log_schedules, metrics.record_schedules if metrics else None)
    return Worker("digests", lambda stop: scheduler.run_forever(stop, on_report=report))


def delivery_worker(poster: Delivery, *, interval: float, metrics: Metrics | None = None) -> Worker:
    """Posts queued alerts at Slack's pace."""
    report = _also(_log_delivery, metrics.record_delivery if metrics else None)
    return Worker("alerts", lambda stop: poster.run_forever(stop, interval=interval, on_report=report))


@contextmanager
def background_workers(workers: list[Worker], stop: threading.Event | None = None) -> Iterator[threading.Event]:
    """Each worker in a daemon thread while the block runs. They stop when ``stop`` is set (a signal
    handler may set it early) or the block ends, each releasing its lease as it ends; the block's
    exit waits for them."""
    stop = threading.Event() if stop is None else stop
    threads = [threading.Thread(target=w.run, args=(stop,), name=w.name, daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    try:
        yield stop
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=STOP_WAIT_SECONDS)
            if thread.is_alive():
                logger.warning("the %s thread did not stop within 10 s; its lease will expire by itself", thread.name)


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
