"""``Metrics``: what ``GET /metrics`` shows, in Prometheus' text format, from a registry of its own.

Nothing here reaches into the parts it measures. The HTTP layer reports each request, the Admin API
client each response (its ``response_observer``), the background workers each pass (their
``on_report``), and a logging handler each record at ERROR or above; the outbox depth and the rate
budgets are read when the page is scraped. ``IngestProgress`` keeps what ``/readyz`` needs to know
about ingest: when it last caught up with the audit log.

Every name starts with ``auditbot_``; labels hold only API path keys, HTTP paths and statuses,
outcomes and logger names, never anything about the org's data.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from auditbot.atlassian.budget import BudgetStatus
from auditbot.core.clock import Clock, SystemClock
from auditbot.services.delivery import DeliveryReport
from auditbot.services.ingest import IngestReport
from auditbot.services.mirror_source import mirror_freshness
from auditbot.services.scheduler import SchedulerReport

logger = logging.getLogger(__name__)

SLACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
"""Seconds; Slack gives up on an ack after 3 s, so 3 is a bucket edge."""
API_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def api_outcome(status: int | None) -> str:
    """The ``outcome`` label of one Admin API answer (``None``: no answer at all)."""
    if status is None:
        return "unreachable"
    if 200 <= status < 300:
        return "ok"
    named = {401: "unauthorized", 403: "forbidden", 429: "rate_limited"}
    if status in named:
        return named[status]
    if 400 <= status < 500:
        return "client_error"
    return "server_error" if status >= 500 else "other"


@dataclass(frozen=True, slots=True)
class IngestLag:
    """How far behind the audit log this replica's ingest is, as ``/readyz`` judges it."""

    counted: bool
    """False when the lag says nothing about this replica (no pass yet, or another replica follows the log)."""
    seconds: float | None
    note: str


@dataclass(frozen=True, slots=True)
class _Progress:
    """This replica's view of its ingest, as a ``MirrorStatus`` for ``mirror_freshness``."""

    read_to_end_at: datetime | None
    failed_at: datetime | None
    updated_at: datetime
    covered_from: datetime | None = None
    newest_processed_at: datetime | None = None


class IngestProgress:
    """When ingest last read the audit log to its end, and when a pass last failed.

    The lag is judged by ``mirror_freshness``, the rule every surface uses: the time since ingest last
    read the stream to its end, not the age of the newest event, so a quiet org whose ingest keeps up
    is not behind. Before the first pass that reads to the end it counts from the first report."""

    def __init__(self, clock: Clock, *, freshness: timedelta = timedelta(minutes=2)) -> None:
        self._clock = clock
        self._freshness = freshness
        self._lock = threading.Lock()
        self._last: IngestReport | None = None
        self._first_at: datetime | None = None
        self._caught_up_at: datetime | None = None
        self._failed_at: datetime | None = None

    def record(self, report: IngestReport) -> None:
        now = self._clock.now()
        with self._lock:
            self._last = report
            self._first_at = self._first_at or now
            if report.leader and report.read_to_end_at is not None:
                self._caught_up_at = report.read_to_end_at
            if report.leader and report.error is not None:
                self._failed_at = now

    @property
    def caught_up_at(self) -> datetime | None:
        with self._lock:
            return self._caught_up_at

    def lag(self) -> IngestLag:
        with self._lock:
            last, caught_up, first, failed = self._last, self._caught_up_at, self._first_at, self._failed_at
        if last is None or first is None:
            return IngestLag(False, None, "ingest has not finished a pass yet, so its lag does not count")
        if not last.leader:
            return IngestLag(False, None, "another replica follows the audit log, so this one's lag does not count")
        now = self._clock.now()
        if caught_up is None:
            started = max(0.0, (now - first).total_seconds())
            return IngestLag(True, started, "seconds since ingest started; it has not caught up yet")
        state = mirror_freshness(_Progress(caught_up, failed, now), now, self._freshness)
        behind = None if state.behind is None else state.behind.total_seconds()
        return IngestLag(True, behind, f"seconds since ingest last read the audit log to its end ({state.text()})")


class Metrics:
    """The process's metrics, in ``registry`` (a new one unless given; never the global default)."""

    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        *,
        clock: Clock | None = None,
        process: bool = True,
        freshness: timedelta = timedelta(minutes=2),
    ) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series beside every counter
        self.registry = registry if registry is not None else CollectorRegistry()
        self.ingest = IngestProgress(clock or SystemClock(), freshness=freshness)
        r = self.registry
        self.http_requests = Counter(
            "auditbot_http_requests", "HTTP requests answered, by path and status.", ["path", "status"], registry=r
        )
        self.slack_seconds = Histogram(
            "auditbot_slack_request_seconds",
            "Time from a Slack request's arrival to the response Bolt returns (its ack).",
            buckets=SLACK_BUCKETS,
            registry=r,
        )
        self.api_requests = Counter(
            "auditbot_admin_api_requests",
            "Admin API requests sent, by path and outcome (rate_limited is a 429).",
            ["path", "outcome"],
            registry=r,
        )
        self.api_seconds = Histogram(
            "auditbot_admin_api_request_seconds", "Admin API request duration, by path.", ["path"],
            buckets=API_BUCKETS, registry=r,
        )  # fmt: skip
        self.ingest_lag = Gauge(
            "auditbot_ingest_lag_seconds",
            "Age of the newest event ingest had read at the end of its last pass.",
            registry=r,
        )
        self.ingest_caught_up = Gauge(
            "auditbot_ingest_caught_up_timestamp_seconds",
            "When ingest last read the audit log to its end (Unix time).",
            registry=r,
        )
        self.ingest_passes = Counter(
            "auditbot_ingest_passes",
            "Ingest passes, by outcome: caught_up, stopped (an error cut it short) or standby (not the leader).",
            ["outcome"],
            registry=r,
        )
        self.events_ingested = Counter("auditbot_events_ingested", "New events written to the mirror.", registry=r)
        self.alerts_delivered = Counter("auditbot_alerts_delivered", "Alerts posted to Slack.", registry=r)
        self.alerts_reconciled = Counter(
            "auditbot_alerts_reconciled", "Alerts found already posted after an interrupted attempt.", registry=r
        )
        self.alerts_failed = Counter("auditbot_alerts_failed", "Alerts Slack refused or that failed.", registry=r)
        self.subscriptions_paused = Counter(
            "auditbot_subscriptions_paused", "Alert subscriptions paused because Slack refused posts.", registry=r
        )
        self.digests_posted = Counter("auditbot_digests_posted", "Scheduled handoff digests posted.", registry=r)
        self.digests_failed = Counter("auditbot_digests_failed", "Scheduled handoff digests that failed.", registry=r)
        self.log_errors = Counter(
            "auditbot_log_errors", "Log records at ERROR or above, by logger.", ["logger"], registry=r
        )
        if process:
            ProcessCollector(namespace="auditbot", registry=r)

    # -- what the parts report --------------------------------------------------------------

    def observe_http(self, path: str, status: int) -> None:
        self.http_requests.labels(path=path, status=str(status)).inc()

    def observe_slack_request(self, seconds: float) -> None:
        self.slack_seconds.observe(max(0.0, seconds))

    def observe_api(self, path: str, status: int | None, seconds: float) -> None:
        """One Admin API answer (``status`` ``None``: none came); the client's ``response_observer``."""
        self.api_requests.labels(path=path, outcome=api_outcome(status)).inc()
        self.api_seconds.labels(path=path).observe(max(0.0, seconds))

    def record_ingest(self, report: IngestReport) -> None:
        self.ingest.record(report)
        if not report.leader:
            self.ingest_passes.labels(outcome="standby").inc()
            return
        self.ingest_passes.labels(outcome="stopped" if report.error else "caught_up").inc()
        self.events_ingested.inc(report.events_new)
        if report.lag_seconds is not None:
            self.ingest_lag.set(report.lag_seconds)
        caught_up = self.ingest.caught_up_at
        if caught_up is not None:
            self.ingest_caught_up.set(caught_up.timestamp())

    def record_delivery(self, report: DeliveryReport) -> None:
        self.alerts_delivered.inc(report.alerts_sent)
        self.alerts_reconciled.inc(report.reconciled)
        self.alerts_failed.inc(report.failed)
        self.subscriptions_paused.inc(len(report.paused))

    def record_schedules(self, report: SchedulerReport) -> None:
        self.digests_posted.inc(len(report.posted))
        self.digests_failed.inc(len(report.failed))

    # -- what is read when scraped ----------------------------------------------------------

    def watch_outbox(self, pending: Callable[[], int]) -> None:
        """``auditbot_outbox_pending``: ``pending()`` (a COUNT in the store) at every scrape."""
        self.registry.register(
            _Reading(
                "auditbot_outbox_pending", "Alerts queued and not yet posted.", lambda: [((), float(pending()))], ()
            )
        )

    def watch_budgets(self, statuses: Callable[[], Iterable[BudgetStatus]]) -> None:
        """``auditbot_admin_api_budget_remaining{path}``: the client-side rate budget at every scrape."""
        self.registry.register(
            _Reading(
                "auditbot_admin_api_budget_remaining",
                "Admin API requests the client may still send this minute, by path.",
                lambda: [((s.path,), float(s.remaining)) for s in statuses()],
                ("path",),
            )
        )

    @contextmanager
    def counting_errors(self, target: logging.Logger | None = None) -> Iterator[None]:
        """Count the records at ERROR or above that reach ``target`` (the root logger) while the block runs."""
        handler = _ErrorCounter(self.log_errors)
        where = target or logging.getLogger()
        where.addHandler(handler)
        try:
            yield
        finally:
            where.removeHandler(handler)

    def exposition(self, accept: str | None = None) -> tuple[bytes, str]:
        """The page and its content type, in the format the scraper's ``Accept`` header asks for."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type


class _Reading(Collector):
    """A gauge whose samples are read when scraped; a failed read leaves it out of that scrape."""

    def __init__(
        self,
        name: str,
        documentation: str,
        read: Callable[[], Iterable[tuple[tuple[str, ...], float]]],
        labels: tuple[str, ...],
    ) -> None:
        self._name, self._doc, self._read, self._labels = name, documentation, read, labels
        self._failing = False

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily(self._name, self._doc, labels=self._labels)]

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(self._name, self._doc, labels=self._labels)
        try:
            samples = list(self._read())
        except Exception as exc:
            if not self._failing:
                logger.warning("metric %s could not be read: %s", self._name, exc)
            self._failing = True
            return []
        self._failing = False
        for labels, value in samples:
            family.add_metric(list(labels), value)
        return [family]


class _ErrorCounter(logging.Handler):
    def __init__(self, counter: Counter) -> None:
        super().__init__(logging.ERROR)
        self._counter = counter

    def emit(self, record: logging.LogRecord) -> None:
        self._counter.labels(logger=record.name).inc()
