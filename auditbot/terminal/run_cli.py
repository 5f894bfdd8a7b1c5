"""``auditbot run``: the Slack app, in Socket Mode when SLACK_APP_TOKEN is set, else over HTTP.

SIGTERM or SIGINT stops it gracefully: the HTTP server (or the Socket Mode connection) stops taking
requests and lets those it has finish, listeners finish their work, the ingest, alert and digest
threads stop and release their leases, and the command exits 0. A second signal ends it at once.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from types import FrameType

from auditbot.config import Settings, load_settings
from auditbot.core.clock import SystemClock
from auditbot.core.errors import ConfigError
from auditbot.logs import configure_logging
from auditbot.metrics import Metrics
from auditbot.runtime import build_runtime
from auditbot.slack.http_limits import HttpLimits, fit_open_files
from auditbot.slack.request_gate import RequestGate
from auditbot.slack.serve import EVENTS_PATH, HttpServer, Readiness, listener_pool, serve_socket_mode, wsgi_app

logger = logging.getLogger("auditbot.run")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--http", action="store_true", help="serve HTTP even when SLACK_APP_TOKEN is set")
    parser.add_argument("--host", help="HTTP address to listen on (default AUDITBOT_HTTP_HOST or 0.0.0.0)")
    parser.add_argument("--port", type=int, help="HTTP port (default AUDITBOT_HTTP_PORT or 3000)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(verbose=getattr(args, "verbose", False), log_format=settings.log_format)
    socket_mode = settings.slack_app_token is not None and not args.http
    _check(settings, socket_mode)
    assert settings.slack_bot_token is not None
    clock = SystemClock()
    metrics = Metrics(clock=clock, freshness=timedelta(seconds=settings.mirror_freshness_seconds))
    stop = threading.Event()
    with (
        stop_on_signals(stop),
        metrics.counting_errors(),
        build_runtime(settings, clock, metrics=metrics) as runtime,
    ):
        connection = runtime.connection
        if connection.sandbox_url:
            print("auditbot: no organization configured; answering from the built-in sandbox org", file=sys.stderr)
        signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
        listeners = listener_pool(settings.work_threads)
        app = runtime.app(signing_secret=signing_secret, socket_mode=socket_mode, executor=listeners)
        stopped_as_asked = True
        with runtime.workers(stop) if settings.ingest else nullcontext():
            if socket_mode:
                assert settings.slack_app_token is not None
                serve_socket_mode(app, settings.slack_app_token.get_secret_value(), stop)
            else:
                readiness = Readiness(
                    store=runtime.store,
                    ingest=metrics.ingest if settings.ingest else None,
                    max_lag_seconds=settings.ready_max_lag_seconds,
                )
                health = {"org": connection.org_id, "sandbox": connection.sandbox_url is not None}
                assert signing_secret is not None
                limits = fit_open_files(http_limits(settings))
                gate = RequestGate(signing_secret, clock=clock, max_body_bytes=limits.max_body_bytes)
                server = HttpServer(
                    wsgi_app(app, lambda: health, gate=gate, metrics=metrics, readiness=readiness),
                    host=args.host or settings.http_host,
                    port=args.port if args.port is not None else settings.http_port,
                    threads=settings.listener_threads,
                    limits=limits,
                    clock=clock,
                )
                host, port = server.address
                logger.warning("auditbot listening on http://%s:%s%s", host, port, EVENTS_PATH)
                logger.info(
                    "HTTP limits: %d connections, idle %d s, a request within %.0f s, bodies up to %d bytes",
                    limits.connection_limit,
                    limits.idle_timeout_seconds,
                    limits.request_deadline_seconds,
                    limits.max_body_bytes,
                )

                def stopping() -> None:
                    logger.warning("shutting down: draining for up to %.0f s", settings.shutdown_drain_seconds)
                    readiness.stopping()

                stopped_as_asked = server.serve(
                    stop, drain_seconds=settings.shutdown_drain_seconds, clock=clock, on_stop=stopping
                )
            stop.set()
            logger.warning("waiting for listeners to finish, and for the background threads to stop")
            listeners.shutdown(wait=True)
    logger.warning("auditbot stopped")
    return 0 if stopped_as_asked else 1


def http_limits(settings: Settings) -> HttpLimits:
    return HttpLimits(
        connection_limit=settings.http_connection_limit,
        idle_timeout_seconds=settings.http_idle_timeout_seconds,
        request_deadline_seconds=settings.http_request_deadline_seconds,
        max_body_bytes=settings.http_max_body_bytes,
        max_header_bytes=settings.http_max_header_bytes,
    )


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """While the block runs, SIGTERM and SIGINT set ``stop``; after the first, the handlers in place
    before come back, so a second signal ends the process at once. Outside the main thread (where
    Python cannot handle signals) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) or signal.SIG_DFL for sig in STOP_SIGNALS}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()  # nothing else here: logging from a signal handler could deadlock
        restore()

    for sig in STOP_SIGNALS:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        restore()


def _check(settings: Settings, socket_mode: bool) -> None:
    if settings.slack_bot_token is None:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set.", hint="Install the app from manifest.yml and copy its xoxb- token."
        )
    if not socket_mode and settings.slack_signing_secret is None:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: over HTTP auditbot refuses requests it cannot verify.",
            hint="Copy it from the app's Basic Information page, or set SLACK_APP_TOKEN to use Socket Mode.",
        )
