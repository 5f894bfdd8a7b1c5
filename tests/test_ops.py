"""Operating auditbot: /readyz, /metrics, JSON logs with request ids, and a graceful stop.

The operator endpoints are called over WSGI on the real app (the real Bolt app, the sandbox org
in process, a SQLite store in a temporary directory); the HTTP server's drain runs on loopback; and
``auditbot run`` itself is started as a process and stopped with SIGTERM.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import select

from auditbot.atlassian import AdminApiClient, RequestBudget
from auditbot.atlassian.client import RetryPolicy
from auditbot.config import load_settings
from auditbot.core.clock import ManualClock
from auditbot.core.errors import ConfigError
from auditbot.core.ports import EventFilters
from auditbot.logs import REQUEST_ID, configure_logging
from auditbot.metrics import Metrics
from auditbot.playground import Workspace, seed, start_slack_api
from auditbot.sandbox import DEFAULT_API_KEY, GeneratedOrg, RateLimits, SandboxApi
from auditbot.services.delivery import DeliveryReport
from auditbot.services.ingest import IngestReport
from auditbot.services.scheduler import SchedulerReport
from auditbot.slack.app import build_app
from auditbot.slack.serve import HttpServer, Readiness, listener_pool, wsgi_app
from auditbot.store.db import Database, default_url
from auditbot.store.outbox import Outbox
from auditbot.store.schema import leases
from auditbot.terminal.run_cli import stop_on_signals
from tests.services.world import ANCHOR, GENEROUS
from tests.slack.harness import SIGNING_SECRET, SlackWorld, signed, signed_gate

FAMILIES = {
    "auditbot_http_requests",
    "auditbot_slack_request_seconds",
    "auditbot_admin_api_requests",
    "auditbot_admin_api_request_seconds",
    "auditbot_admin_api_budget_remaining",
    "auditbot_ingest_lag_seconds",
    "auditbot_ingest_caught_up_timestamp_seconds",
    "auditbot_ingest_passes",
    "auditbot_events_ingested",
    "auditbot_outbox_pending",
    "auditbot_alerts_delivered",
    "auditbot_alerts_reconciled",
    "auditbot_alerts_failed",
    "auditbot_subscriptions_paused",
    "auditbot_digests_posted",
    "auditbot_digests_failed",
    "auditbot_log_errors",
}

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def org() -> GeneratedOrg:
    return GeneratedOrg(7, anchor=ANCHOR, days=30)


@pytest.fixture
def slack(org: GeneratedOrg) -> Iterator[SlackWorld]:
    world = SlackWorld(org)
    try:
        yield world
    finally:
        world.close()


@pytest.fixture
def log_lines() -> Iterator[Callable[[str], io.StringIO]]:
    """Logging set up by ``configure_logging`` into a buffer (verbose); the suite's set-up comes back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def configure(log_format: str) -> io.StringIO:
        stream = io.StringIO()
        configure_logging(verbose=True, stream=stream, log_format="json" if log_format == "json" else "text")
        return stream

    try:
        yield configure
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def call(
    app: Any, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path, "wsgi.input": io.BytesIO(body)}
    environ["CONTENT_LENGTH"] = str(len(body))
    for key, value in (headers or {}).items():
        name = key.upper().replace("-", "_")
        environ[name if name == "CONTENT_TYPE" else f"HTTP_{name}"] = value
    setup_testing_defaults(environ)
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    content = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], content


def command(slack: SlackWorld, text: str) -> tuple[bytes, dict[str, str]]:
    """A signed ``/audit`` request body and its headers, as Slack sends them."""
    body = urlencode(
        {
            "command": "/audit",
            "text": text,
            "user_id": seed.JANE,
            "channel_id": seed.SEC_ALERTS,
            "team_id": seed.TEAM.id,
            "response_url": slack.workspace.new_response_url(seed.SEC_ALERTS, seed.JANE),
            "trigger_id": "t",
        }
    )
    return body.encode(), {k: v if isinstance(v, str) else v[0] for k, v in signed(body).items()}


def scrape(app: Any) -> Samples:
    status, headers, body = call(app, "GET", "/metrics")
    assert status == "200 OK"
    assert headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# -- /readyz ------------------------------------------------------------------------------


def test_readyz_is_ok_when_the_store_answers_and_says_why_the_lag_does_not_count(slack):
    metrics = Metrics(clock=slack.clock, process=False)
    app = wsgi_app(
        slack.app,
        dict,
        gate=signed_gate(),
        metrics=metrics,
        readiness=Readiness(store=slack.store, ingest=metrics.ingest),
    )
    status, headers, body = call(app, "GET", "/readyz")
    assert status == "200 OK"
    assert headers["Content-Type"] == "application/json"
    report = json.loads(body)
    assert report["ok"] is True and report["failed"] == []
    assert report["checks"]["store"] == {"ok": True}
    assert report["checks"]["ingest"]["counted"] is False
    assert "has not finished a pass" in report["checks"]["ingest"]["note"]

    off = wsgi_app(slack.app, dict, gate=signed_gate(), readiness=Readiness(store=slack.store, ingest=None))
    report = json.loads(call(off, "GET", "/readyz")[2])
    assert report["ok"] is True
    assert "ingest is off" in report["checks"]["ingest"]["note"]

    metrics.record_ingest(IngestReport(leader=False, error="not the leader"))
    report = json.loads(call(app, "GET", "/readyz")[2])
    assert report["ok"] is True and report["checks"]["ingest"]["counted"] is False
    assert "another replica" in report["checks"]["ingest"]["note"]


def test_readyz_fails_when_the_store_cannot_be_reached(slack, tmp_path):
    where = tmp_path / "store"
    store = Database(default_url(where))
    ready = Readiness(store=store, ingest=None)
    app = wsgi_app(slack.app, dict, gate=signed_gate(), readiness=ready)
    assert call(app, "GET", "/readyz")[0] == "200 OK"
    store.close()
    shutil.rmtree(where)
    status, _, body = call(app, "GET", "/readyz")
    assert status == "503 Service Unavailable"
    report = json.loads(body)
    assert report["ok"] is False
    assert report["failed"] == ["store"]
    assert report["checks"]["store"] == {"ok": False, "error": "the store did not answer a trivial query"}
    assert str(tmp_path) not in body.decode(), "where the store lives is not for an unauthenticated caller"


def test_readyz_fails_when_ingest_has_not_caught_up_for_longer_than_the_limit(slack):
    clock = ManualClock(ANCHOR)
    metrics = Metrics(clock=clock, process=False)
    app = wsgi_app(
        slack.app,
        dict,
        gate=signed_gate(),
        metrics=metrics,
        readiness=Readiness(store=slack.store, ingest=metrics.ingest, max_lag_seconds=600),
    )
    metrics.record_ingest(IngestReport(leader=True, pages=1, events_new=4, lag_seconds=3.0, read_to_end_at=ANCHOR))
    clock.advance(599)
    status, _, body = call(app, "GET", "/readyz")
    assert status == "200 OK"
    assert json.loads(body)["checks"]["ingest"] | {"note": ""} == {
        "ok": True,
        "counted": True,
        "lag_seconds": 599.0,
        "max_lag_seconds": 600.0,
        "note": "",
    }

    metrics.record_ingest(IngestReport(leader=True, error="the API failed (ADMIN-500-1)"))
    clock.advance(2)
    status, _, body = call(app, "GET", "/readyz")
    assert status == "503 Service Unavailable"
    report = json.loads(body)
    assert report["failed"] == ["ingest"]
    assert report["checks"]["ingest"]["lag_seconds"] == 601.0
    assert report["checks"]["store"]["ok"] is True

    metrics.record_ingest(IngestReport(leader=True, lag_seconds=1200.0, read_to_end_at=clock.now()))  # a quiet org
    status, _, body = call(app, "GET", "/readyz")
    assert status == "200 OK"
    assert "(up to date)" in json.loads(body)["checks"]["ingest"]["note"]


def test_a_replica_whose_ingest_never_caught_up_is_not_ready_after_the_limit(slack):
    clock = ManualClock(ANCHOR)
    metrics = Metrics(clock=clock, process=False)
    app = wsgi_app(slack.app, dict, gate=signed_gate(), readiness=Readiness(ingest=metrics.ingest, max_lag_seconds=60))
    metrics.record_ingest(IngestReport(leader=True, error="rate limited beyond 60 s"))
    assert call(app, "GET", "/readyz")[0] == "200 OK"
    clock.advance(61)
    status, _, body = call(app, "GET", "/readyz")
    assert status.startswith("503")
    assert "not caught up yet" in json.loads(body)["checks"]["ingest"]["note"]


def test_readyz_fails_while_shutting_down_and_healthz_stays_ok(slack):
    ready = Readiness(store=slack.store)
    app = wsgi_app(slack.app, lambda: {"org": "o"}, gate=signed_gate(), readiness=ready)
    ready.stopping()
    status, _, body = call(app, "GET", "/readyz")
    assert status.startswith("503")
    assert json.loads(body)["failed"] == ["shutdown"]
    status, _, body = call(app, "GET", "/healthz")
    assert status == "200 OK" and json.loads(body) == {"ok": True, "org": "o"}
    assert call(app, "POST", "/readyz")[0].startswith("405")


# -- /metrics -----------------------------------------------------------------------------


def test_the_metrics_page_parses_and_has_every_family(slack):
    metrics = Metrics(clock=slack.clock, process=False)
    metrics.watch_outbox(lambda: slack.outbox.count("pending"))
    metrics.watch_budgets(lambda: [slack.search_world.client.budget.status("events")])
    app = wsgi_app(slack.app, dict, gate=signed_gate(), metrics=metrics)
    _, _, body = call(app, "GET", "/metrics")
    families = {family.name for family in text_string_to_metric_families(body.decode())}
    assert families >= FAMILIES
    assert all(name.startswith("auditbot_") for name in families)
    assert "_created" not in body.decode()


def test_a_signed_command_is_counted_and_timed_and_its_admin_api_calls_too(slack):
    metrics = Metrics(clock=slack.clock, process=False)
    slack.search_world.client.response_observer = metrics.observe_api
    ticks = itertools.count(100.0, 0.25)  # each reading a quarter second after the last
    app = wsgi_app(slack.app, dict, gate=signed_gate(), metrics=metrics, timer=lambda: next(ticks))
    before = scrape(app)
    assert value(before, "auditbot_slack_request_seconds_count") == 0
    assert value(before, "auditbot_admin_api_requests_total", path="events", outcome="ok") == 0

    body, headers = command(slack, "since:24h")
    status, answer_headers, _ = call(app, "POST", "/slack/events", body, headers)
    assert status.startswith("200")
    assert re.fullmatch(r"[0-9a-f]{12}", answer_headers["X-Request-Id"])
    assert slack.last_reply(), "the search reached the person"

    after = scrape(app)
    assert value(after, "auditbot_http_requests_total", path="/slack/events", status="200") == 1
    assert value(after, "auditbot_http_requests_total", path="/metrics", status="200") == 1
    assert value(after, "auditbot_slack_request_seconds_count") == 1
    assert value(after, "auditbot_slack_request_seconds_sum") == 0.25
    assert value(after, "auditbot_slack_request_seconds_bucket", le="0.25") == 1
    assert value(after, "auditbot_slack_request_seconds_bucket", le="0.1") == 0
    assert value(after, "auditbot_admin_api_requests_total", path="events", outcome="ok") >= 1

    _, bad_headers = command(slack, "since:24h")
    status, _, _ = call(app, "POST", "/slack/events", body, {**bad_headers, "x-slack-signature": "v0=bad"})
    assert status.startswith("401")
    call(app, "GET", "/elsewhere")
    last = scrape(app)
    assert value(last, "auditbot_http_requests_total", path="/slack/events", status="401") == 1
    assert value(last, "auditbot_http_requests_total", path="other", status="404") == 1


def test_admin_api_answers_are_counted_by_path_and_outcome_and_the_budget_is_read(org):
    clock = ManualClock(ANCHOR)
    sandbox = SandboxApi(org, org_id=org.org_id, clock=clock, limits=RateLimits.of(3, 60))

    def client_of_the_org() -> AdminApiClient:
        return AdminApiClient.create(
            org_id=org.org_id,
            api_key=SecretStr(DEFAULT_API_KEY),
            base_url="http://sandbox.test/admin",
            transport=sandbox.transport(),
            clock=clock,
            budget=RequestBudget(clock, {**GENEROUS, "events": 50}),
            retry=RetryPolicy(attempts=3, base_delay=0.1, max_delay=0.2),
        )

    metrics = Metrics(clock=clock, process=False)
    filters = EventFilters(start=ANCHOR - timedelta(days=1), end=ANCHOR)
    with client_of_the_org() as client, client_of_the_org() as elsewhere:
        client.response_observer = metrics.observe_api
        metrics.watch_budgets(lambda: [client.budget.status(path) for path in ("events", "events-stream")])
        client.list_events(filters, limit=5)
        budget = {dict(k[1])["path"]: v for k, v in _samples(metrics).items() if k[0].endswith("budget_remaining")}
        assert budget == {"events": 49.0, "events-stream": 100_000.0}
        elsewhere.list_events(filters, limit=5)  # another process spends the same key's minute
        elsewhere.list_events(filters, limit=5)
        client.list_events(filters, limit=5)  # a 429, a wait for the reset, then the page
        sandbox.faults.push("500")
        client.list_events(filters, limit=5)
        sandbox.faults.push("drop")
        client.list_events(filters, limit=5)
    counted = _samples(metrics)
    outcomes = {
        dict(labels)["outcome"]: n
        for (name, labels), n in counted.items()
        if name == "auditbot_admin_api_requests_total"
    }
    assert outcomes == {"ok": 4.0, "rate_limited": 1.0, "server_error": 1.0, "unreachable": 1.0}
    assert value(counted, "auditbot_admin_api_request_seconds_count", path="events") == 7


def _samples(metrics: Metrics) -> Samples:
    page, _ = metrics.exposition()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(page.decode())
        for sample in family.samples
    }


def test_the_outbox_depth_is_read_from_the_store_at_every_scrape(slack, tmp_path):
    metrics = Metrics(clock=slack.clock, process=False)
    metrics.watch_outbox(lambda: slack.outbox.count("pending"))
    app = wsgi_app(slack.app, dict, gate=signed_gate(), metrics=metrics)
    assert value(scrape(app), "auditbot_outbox_pending") == 0
    subscription = slack.subscribe("action:user_added_to_group")
    with slack.store.begin() as conn:
        slack.outbox.add(conn, slack.deps.org_id, [(subscription.id, "e1"), (subscription.id, "e2")])
    assert value(scrape(app), "auditbot_outbox_pending") == 2

    where = tmp_path / "gone"
    gone = Database(default_url(where))
    broken = Metrics(clock=slack.clock, process=False)
    broken.watch_outbox(lambda: Outbox(gone, slack.clock).count("pending"))
    gone.close()
    shutil.rmtree(where)
    samples = scrape(wsgi_app(slack.app, dict, gate=signed_gate(), metrics=broken))
    assert ("auditbot_outbox_pending", ()) not in samples, "a store that does not answer leaves the gauge out"


def test_worker_reports_become_counters_and_gauges():
    clock = ManualClock(ANCHOR)
    metrics = Metrics(clock=clock, process=False)
    metrics.record_ingest(
        IngestReport(leader=True, pages=2, events_new=40, events_seen=45, lag_seconds=12.5, read_to_end_at=ANCHOR)
    )
    metrics.record_ingest(IngestReport(leader=True, events_new=3, error="the API failed (timeout)"))
    metrics.record_ingest(IngestReport(leader=False, error="not the leader"))
    metrics.record_delivery(
        DeliveryReport(leader=True, messages=2, alerts_sent=5, reconciled=1, failed=2, paused=["S1", "S2"])
    )
    metrics.record_schedules(SchedulerReport(schedules=3))
    samples = _samples(metrics)
    assert value(samples, "auditbot_events_ingested_total") == 43
    assert value(samples, "auditbot_ingest_lag_seconds") == 12.5
    assert value(samples, "auditbot_ingest_caught_up_timestamp_seconds") == ANCHOR.timestamp()
    assert value(samples, "auditbot_ingest_passes_total", outcome="caught_up") == 1
    assert value(samples, "auditbot_ingest_passes_total", outcome="stopped") == 1
    assert value(samples, "auditbot_ingest_passes_total", outcome="standby") == 1
    assert value(samples, "auditbot_alerts_delivered_total") == 5
    assert value(samples, "auditbot_alerts_reconciled_total") == 1
    assert value(samples, "auditbot_alerts_failed_total") == 2
    assert value(samples, "auditbot_subscriptions_paused_total") == 2
    assert value(samples, "auditbot_digests_posted_total") == 0


def test_records_at_error_and_above_are_counted_by_logger():
    metrics = Metrics(process=False)
    noisy = logging.getLogger("auditbot.test.noisy")
    with metrics.counting_errors():
        noisy.error("one")
        noisy.critical("two")
        noisy.warning("not counted")
        logging.getLogger("auditbot.test.quiet").info("not counted either")
    noisy.error("after the block: not counted")
    samples = _samples(metrics)
    assert value(samples, "auditbot_log_errors_total", logger="auditbot.test.noisy") == 2
    assert not [k for k in samples if k[0] == "auditbot_log_errors_total" and "quiet" in str(k)]


# -- logs ---------------------------------------------------------------------------------


def test_json_logs_carry_the_id_of_the_request_being_handled_into_listener_threads(slack, log_lines):
    pool = listener_pool(2)
    app = build_app(slack.deps, client=slack.client, signing_secret=SIGNING_SECRET, executor=pool)
    stream = log_lines("json")
    http = wsgi_app(app, dict, gate=signed_gate())
    body, headers = command(slack, "bogus:term")
    status, answer_headers, _ = call(http, "POST", "/slack/events", body, headers)
    pool.shutdown(wait=True)  # the listener runs on after the ack; let it finish
    assert status.startswith("200")
    request_id = answer_headers["X-Request-Id"]
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert all({"time", "level", "logger", "message", "request_id"} <= set(r) for r in records)
    refused = [r for r in records if r["logger"] == "auditbot.slack.replies"]
    assert refused and refused[0]["request_id"] == request_id, "a record the listener wrote carries the id"
    answered = [r for r in records if r["message"].startswith("slack request answered")]
    assert answered[0]["request_id"] == request_id
    assert answered[0]["status"] == 200 and isinstance(answered[0]["duration_ms"], float)
    logging.getLogger("auditbot.test").warning("after the request")
    last = json.loads(stream.getvalue().splitlines()[-1])
    assert last["request_id"] is None


def test_slack_retries_are_logged_with_their_headers(slack, log_lines):
    stream = log_lines("json")
    body, headers = command(slack, "help")
    call(
        wsgi_app(slack.app, dict, gate=signed_gate()),
        "POST",
        "/slack/events",
        body,
        {**headers, "X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"},
    )
    retried = [json.loads(line) for line in stream.getvalue().splitlines() if "retried" in line]
    assert retried[0]["level"] == "WARNING"
    assert retried[0]["slack_retry_num"] == "2" and retried[0]["slack_retry_reason"] == "http_timeout"
    assert retried[0]["request_id"]


def test_json_logs_redact_secrets_in_the_message_extras_and_exceptions(log_lines):
    stream = log_lines("json")
    log = logging.getLogger("auditbot.test.secrets")
    log.warning(
        "posting with %s",
        "xoxb-1234-5678-abcdef",
        extra={
            "token": "plain-looking-value",
            "url": "https://hooks.example/?token=zzz-secret",
            "nested": {"password": "hunter2", "header": "Bearer abc.def.ghi", "count": 3},
            "tokens": ["xoxp-9-9-9"],
            "lease_token": 7,
        },
    )
    try:
        raise ValueError("refused key xapp-1-A0-123-abc")
    except ValueError:
        log.exception("failed")
    text = stream.getvalue()
    for secret in ("xoxb-1234-5678-abcdef", "plain-looking-value", "zzz-secret", "hunter2", "abc.def.ghi"):
        assert secret not in text
    assert "xoxp-9-9-9" not in text and "xapp-1-A0-123-abc" not in text
    first, second = (json.loads(line) for line in text.splitlines())
    assert first["message"] == "posting with [redacted]"
    assert first["token"] == "[redacted]"
    assert first["nested"]["count"] == 3 and first["lease_token"] == 7, "numbers are not secrets"
    assert second["level"] == "ERROR" and "ValueError" in second["exception"]


def test_text_logs_show_the_request_id_inside_a_request(log_lines):
    stream = log_lines("text")
    log = logging.getLogger("auditbot.test.text")
    token = REQUEST_ID.set("abc123def456")
    try:
        log.info("inside")
    finally:
        REQUEST_ID.reset(token)
    log.info("outside")
    inside, outside = stream.getvalue().splitlines()
    assert inside.endswith("INFO auditbot.test.text [abc123def456]: inside")
    assert outside.endswith("INFO auditbot.test.text: outside")


def test_the_listener_pool_runs_each_call_in_the_submitters_context():
    pool = listener_pool(1)
    token = REQUEST_ID.set("req-1")
    try:
        seen = pool.submit(lambda: (REQUEST_ID.get(), threading.current_thread().name)).result(timeout=10)
    finally:
        REQUEST_ID.reset(token)
        pool.shutdown(wait=True)
    assert seen[0] == "req-1"
    assert seen[1].startswith("listener")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AUDITBOT_LOG_FORMAT": "yaml"}, "AUDITBOT_LOG_FORMAT: Input should be 'text' or 'json'"),
        ({"AUDITBOT_READY_MAX_LAG_SECONDS": "0"}, "AUDITBOT_READY_MAX_LAG_SECONDS"),
        ({"AUDITBOT_SHUTDOWN_DRAIN_SECONDS": "soon"}, "AUDITBOT_SHUTDOWN_DRAIN_SECONDS"),
    ],
)
def test_bad_operating_settings_are_clear_configuration_errors(env, message):
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert message in str(caught.value)


def test_operating_settings_have_defaults_and_accept_any_case():
    settings = load_settings({"AUDITBOT_LOG_FORMAT": " JSON "})
    assert settings.log_format == "json"
    assert settings.ready_max_lag_seconds == 600
    assert load_settings({}).log_format == "text"


# -- stopping -----------------------------------------------------------------------------


def test_a_stop_signal_sets_the_event_once_and_hands_the_next_back():
    stop = threading.Event()
    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals(stop):
        assert signal.getsignal(signal.SIGTERM) is not before
        signal.raise_signal(signal.SIGTERM)
        assert stop.is_set()
        assert signal.getsignal(signal.SIGTERM) is before, "a second SIGTERM is not caught"
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.http
def test_the_http_server_finishes_requests_in_flight_then_closes():
    entered, release = threading.Event(), threading.Event()

    def slow(environ: Any, start_response: Any) -> list[bytes]:
        entered.set()
        release.wait(30)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
        return [b"done"]

    server = HttpServer(slow, host="127.0.0.1", port=0, threads=2)
    host, port = server.address
    stop, stopped_accepting = threading.Event(), threading.Event()
    outcome: list[bool] = []
    serving = threading.Thread(
        target=lambda: outcome.append(server.serve(stop, drain_seconds=30, on_stop=stopped_accepting.set))
    )
    answers: list[httpx.Response] = []

    def ask() -> None:
        with httpx.Client(timeout=30) as client:
            answers.append(client.get(f"http://{host}:{port}/slow"))

    asking = threading.Thread(target=ask)
    serving.start()
    asking.start()
    assert entered.wait(30), "the request reached the app"
    stop.set()
    assert stopped_accepting.wait(30)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, port), timeout=5).close()
    assert serving.is_alive(), "the server waits for the request in flight"
    release.set()
    asking.join(30)
    serving.join(30)
    assert not serving.is_alive()
    assert answers[0].status_code == 200 and answers[0].text == "done"
    assert outcome == [True]


@pytest.mark.http
def test_auditbot_run_stops_on_sigterm_releasing_its_leases_and_exits_0(tmp_path):
    slack_api = start_slack_api(Workspace())
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.api_url,
        "AUDITBOT_DATA_DIR": str(tmp_path),
        "AUDITBOT_BACKFILL_DAYS": "1",
        "AUDITBOT_LOG_FORMAT": "json",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "auditbot", "run", "--http", "--host", "127.0.0.1", "--port", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(process, lines), daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        port = _wait_for_port(lines, seen)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(timeout=10) as client:
            assert client.get(base + "/healthz").json()["sandbox"] is True
            ready = _poll(lambda: client.get(base + "/readyz").json(), lambda r: r["checks"]["ingest"]["counted"])
            assert ready["ok"] is True
            page = client.get(base + "/metrics").text
        assert "auditbot_events_ingested_total" in page
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        reader.join(timeout=30)
        assert process.stderr is not None
        process.stderr.close()
        slack_api.close()
    while (line := lines.get_nowait()) is not None:
        seen.append(line)
    records = [json.loads(line) for line in seen if line.startswith("{")]
    assert all(line.startswith(("{", "auditbot: no organization")) for line in seen), seen
    messages = [r["message"] for r in records]
    assert "HTTP server closed" in messages and messages[-1] == "auditbot stopped"
    assert not [r for r in records if r["level"] in ("ERROR", "CRITICAL")]
    with Database(default_url(tmp_path)) as store, store.read() as conn:
        rows = conn.execute(select(leases.c.name, leases.c.owner)).all()
    assert any(name.startswith("ingest:") for name, _ in rows), "ingest held its lease"
    assert all(owner is None for _, owner in rows), f"every lease released: {rows}"


def _read_lines(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _wait_for_port(lines: queue.Queue[str | None], seen: list[str]) -> int:
    while True:
        line = lines.get(timeout=60)
        assert line is not None, f"auditbot run ended before listening: {seen}"
        seen.append(line)
        if found := re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line):
            return int(found.group(1))


def _poll(read: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Read until ``done`` (a deadline of 60 s; each wait is on an event that never fires)."""
    waiting = threading.Event()
    for _ in range(600):
        answer = read()
        if done(answer):
            return answer
        waiting.wait(0.1)
    raise AssertionError(f"still not done: {answer}")
