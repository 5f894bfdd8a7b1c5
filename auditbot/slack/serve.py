"""Running the Slack app: Socket Mode with an app-level token, else HTTP on a production WSGI server.

HTTP mode serves ``POST /slack/events`` (commands, interactivity, options loads and events all
arrive there) and, for operators, ``GET /healthz`` (alive), ``GET /readyz`` (the store answers and
ingest keeps up) and ``GET /metrics`` (Prometheus text); it runs on waitress, a threaded
pure-Python WSGI server. The WSGI layer gives each Slack request a short random id (in
``auditbot.logs.REQUEST_ID``, so every log record written while handling it carries it, and in the
``X-Request-Id`` response header) and reports each request to ``Metrics``. Before Bolt sees a
Slack request, ``RequestGate`` checks its size, signature and form (``auditbot.slack.request_gate``);
whatever still escapes Bolt on a signed request is answered 400 with one rate-limited warning.
The server's limits (connections, idle and request deadlines, body and header sizes) are
``HttpLimits`` (``auditbot.slack.http_limits``).

``HttpServer.serve`` runs until its stop event is set (by SIGTERM or SIGINT in ``auditbot run``):
then it stops accepting connections, lets the requests it has finish for up to the drain time, and
closes.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler

from auditbot.core.clock import Clock, SystemClock
from auditbot.logs import REQUEST_ID
from auditbot.metrics import IngestProgress, Metrics
from auditbot.slack.http_limits import DeadlineServer, HttpLimits, waitress_adjustments
from auditbot.slack.refusals import UNREADABLE, raised_where, throttle_logger
from auditbot.slack.request_gate import Refused, RequestGate

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from _typeshed import OptExcInfo

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
OPS_PATHS = (HEALTH_PATH, READY_PATH, METRICS_PATH)
WAITRESS_LOGGERS = ("waitress", "waitress.queue")
_RETRY_HEADERS = (("HTTP_X_SLACK_RETRY_NUM", "slack_retry_num"), ("HTTP_X_SLACK_RETRY_REASON", "slack_retry_reason"))

Health = Callable[[], dict[str, Any]]
P = ParamSpec("P")
T = TypeVar("T")


def new_request_id() -> str:
    """Twelve random hex digits: short enough to read in a log line, unique enough to grep for."""
    return secrets.token_hex(6)


class Pingable(Protocol):
    """The store, as readiness sees it (``Database.ping``): raises when it does not answer."""

    def ping(self) -> None: ...


class Readiness:
    """What ``GET /readyz`` checks: the store answers a trivial query, ingest's lag is under the limit
    (when ingest runs on this replica and has finished a pass), and the process is not shutting down."""

    def __init__(
        self,
        *,
        store: Pingable | None = None,
        ingest: IngestProgress | None = None,
        max_lag_seconds: float = 600.0,
    ) -> None:
        self._store = store
        self._ingest = ingest
        self._max_lag = max_lag_seconds
        self._stopping = threading.Event()
        self._was_ready: bool | None = None

    def stopping(self) -> None:
        """From now on the answer is 503: the process is draining before it exits."""
        self._stopping.set()

    def check(self) -> tuple[bool, dict[str, Any]]:
        """Whether this replica is ready, and the JSON body saying what each check found."""
        checks: dict[str, dict[str, Any]] = {}
        if self._stopping.is_set():
            checks["shutdown"] = {"ok": False, "note": "auditbot is shutting down"}
        if self._store is not None:
            checks["store"] = self._check_store()
        checks["ingest"] = self._check_ingest()
        failed = [name for name, result in checks.items() if not result["ok"]]
        ready = not failed
        if ready != self._was_ready:
            if ready:
                logger.info("ready")
            else:
                logger.warning("not ready: %s", ", ".join(failed))
            self._was_ready = ready
        return ready, {"ok": ready, "failed": failed, "checks": checks}

    def _check_store(self) -> dict[str, Any]:
        assert self._store is not None
        try:
            self._store.ping()
        except Exception as exc:
            if self._was_ready is not False:
                logger.warning("readiness: the store did not answer: %s", exc)
            return {"ok": False, "error": "the store did not answer a trivial query"}
        return {"ok": True}

    def _check_ingest(self) -> dict[str, Any]:
        if self._ingest is None:
            return {"ok": True, "counted": False, "note": "ingest is off on this replica, so its lag does not count"}
        lag = self._ingest.lag()
        result: dict[str, Any] = {"ok": True, "counted": lag.counted, "note": lag.note}
        if lag.seconds is not None:
            result["lag_seconds"] = round(lag.seconds, 1)
            result["max_lag_seconds"] = self._max_lag
            result["ok"] = lag.seconds <= self._max_lag
        return result


class _Answer:
    """Wraps a WSGI ``start_response``: remembers the status and adds headers."""

    def __init__(self, start_response: StartResponse, extra: list[tuple[str, str]]) -> None:
        self._start_response = start_response
        self._extra = extra
        self.status = 500
        """The status sent (500 until one is)."""

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
    ) -> Callable[[bytes], object]:
        code = status.split(" ", 1)[0]
        self.status = int(code) if code.isdigit() else 500
        return self._start_response(status, [*headers, *self._extra], exc_info)


def wsgi_app(
    app: App,
    health: Health,
    *,
    gate: RequestGate,
    metrics: Metrics | None = None,
    readiness: Readiness | None = None,
    timer: Callable[[], float] = time.perf_counter,
    request_ids: Callable[[], str] = new_request_id,
) -> WSGIApplication:
    """The HTTP app: Slack's requests through ``gate`` to Bolt, and the three operator endpoints.
    Every request is counted in ``metrics`` (a private set when none is given) by path and status."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    measured = metrics if metrics is not None else Metrics(process=False)
    ready = readiness if readiness is not None else Readiness()

    def slack_request(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request_id = request_ids()
        token = REQUEST_ID.set(request_id)
        started = timer()
        answer = _Answer(start_response, [("X-Request-Id", request_id)])
        retry = {field: str(environ[key])[:64] for key, field in _RETRY_HEADERS if environ.get(key)}
        try:
            return admitted(environ, answer, retry)
        finally:
            seconds = timer() - started
            measured.observe_slack_request(seconds)
            logger.info(
                "slack request answered %s in %.1f ms",
                answer.status,
                seconds * 1000,
                extra={"status": answer.status, "duration_ms": round(seconds * 1000, 1), **retry},
            )
            REQUEST_ID.reset(token)

    def admitted(environ: WSGIEnvironment, start_response: StartResponse, retry: dict[str, str]) -> Iterable[bytes]:
        verdict = gate.check(environ)
        if isinstance(verdict, Refused):
            status, body = verdict.answer
            return _respond(
                start_response, status, body, "application/json", allow="POST" if verdict.status == 405 else None
            )
        if retry:  # only once the request is known to come from Slack: anyone can send the header
            logger.warning(
                "Slack retried a request (attempt %s, %s)",
                retry.get("slack_retry_num", "?"),
                retry.get("slack_retry_reason", "no reason given"),
                extra=retry,
            )
        inner = {**environ, "wsgi.input": io.BytesIO(verdict.body), "CONTENT_LENGTH": str(len(verdict.body))}
        try:
            return slack(inner, start_response)
        except Exception as error:  # the last resort: Bolt could not even build the request
            gate.refusals.refused(400, UNREADABLE, raised_where(error))
            status, body = Refused(400, UNREADABLE).answer
            return _respond(start_response, status, body, "application/json")

    def operations(path: str, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _respond(
                start_response, "405 Method Not Allowed", b"method not allowed", "text/plain", allow="GET, HEAD"
            )
        if path == HEALTH_PATH:
            body = json.dumps({"ok": True, **health()}).encode()
            return _respond(start_response, "200 OK", body, "application/json")
        if path == READY_PATH:
            ok, report = ready.check()
            status = "200 OK" if ok else "503 Service Unavailable"
            return _respond(start_response, status, json.dumps(report).encode(), "application/json")
        page, content_type = measured.exposition(environ.get("HTTP_ACCEPT"))
        return _respond(start_response, "200 OK", page, content_type)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        answer = _Answer(start_response, [])
        try:
            if path == EVENTS_PATH:
                return slack_request(environ, answer)
            if path in OPS_PATHS:
                return operations(path, environ, answer)
            return _respond(answer, "404 Not Found", b"not found", "text/plain")
        finally:
            measured.observe_http(path if path in (EVENTS_PATH, *OPS_PATHS) else "other", answer.status)

    return application


def _respond(
    start_response: StartResponse, status: str, body: bytes, content_type: str, *, allow: str | None = None
) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")]
    if allow:
        headers.append(("Allow", allow))
    start_response(status, headers)
    return [body]


class ContextPool(ThreadPoolExecutor):
    """A thread pool that runs each call in a copy of the submitter's context, so the log records a
    Bolt listener writes carry the id of the request that started it."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return super().submit(partial(contextvars.copy_context().run, fn, *args, **kwargs))


def listener_pool(threads: int) -> ContextPool:
    return ContextPool(max_workers=threads, thread_name_prefix="listener")


class HttpServer:
    """waitress serving ``application`` on a thread of its own, within ``limits``; ``serve`` returns
    after a graceful stop."""

    def __init__(
        self,
        application: WSGIApplication,
        *,
        host: str,
        port: int,
        threads: int,
        limits: HttpLimits | None = None,
        clock: Clock | None = None,
    ) -> None:
        from waitress.adjustments import Adjustments
        from waitress.task import ThreadedTaskDispatcher

        for name in WAITRESS_LOGGERS:  # a line per queued request, or per crossing of the connection limit
            throttle_logger(name, clock or SystemClock())
        limits = limits or HttpLimits()
        adjustments = Adjustments(
            host=host, port=port, threads=threads, ident="auditbot", **waitress_adjustments(limits)
        )
        self._tasks: Any = ThreadedTaskDispatcher()
        self._tasks.set_thread_count(threads)
        self._map: dict[int, Any] = {}
        self._listeners: list[Any] = [
            DeadlineServer(
                application,
                map=self._map,
                dispatcher=self._tasks,
                adj=adjustments,
                sockinfo=where,
                request_deadline=limits.request_deadline_seconds,
            )
            for where in adjustments.listen
        ]

    @property
    def address(self) -> tuple[str, int]:
        """Where it listens (the real port when 0 was asked for)."""
        first = self._listeners[0]
        return str(first.effective_host), int(first.effective_port)

    def serve(
        self,
        stop: threading.Event,
        *,
        drain_seconds: float = 10.0,
        clock: Clock | None = None,
        on_stop: Callable[[], None] | None = None,
    ) -> bool:
        """Serve until ``stop`` is set, then: refuse new connections, call ``on_stop()``, wait up to
        ``drain_seconds`` for the requests already received to be answered, and close. False when the
        server loop ended by itself instead."""
        clock = clock or SystemClock()
        loop = threading.Thread(target=self._listeners[0].run, name="http", daemon=True)
        loop.start()
        asked = True
        while not stop.wait(1.0):
            if not loop.is_alive():
                logger.error("the HTTP server stopped unexpectedly")
                asked = False
                break
        self._stop_accepting(loop)
        if on_stop is not None:
            on_stop()
        busy = self._drain(drain_seconds, clock)
        if busy:
            logger.warning("closing with requests still in flight after %.0f s", drain_seconds)
        self._close(loop)
        return asked

    def _stop_accepting(self, loop: threading.Thread) -> None:
        """Close the listening sockets, in the server loop's own thread (it may be polling them)."""
        closed = threading.Event()

        def close_listeners() -> None:
            from waitress import wasyncore

            for listener in self._listeners:
                wasyncore.dispatcher.close(listener)  # only the listening socket: the loop lives on
            closed.set()

        for listener in self._listeners:
            listener.accepting = False
        if loop.is_alive():
            self._listeners[0].trigger.pull_trigger(close_listeners)
            closed.wait(5.0)
        else:
            close_listeners()
        logger.warning("stopped accepting connections; draining")

    def _busy(self) -> bool:
        from waitress.channel import HTTPChannel

        tasks = self._tasks
        if tasks.active_count or tasks.queue:
            return True
        channels = [c for c in list(self._map.values()) if isinstance(c, HTTPChannel)]
        return any(c.requests or c.total_outbufs_len for c in channels)

    def _drain(self, seconds: float, clock: Clock) -> bool:
        """Wait while requests are being handled or answers sent, up to ``seconds``; True if still busy."""
        deadline = clock.monotonic() + seconds
        while self._busy():
            if clock.monotonic() >= deadline:
                return True
            clock.sleep(0.02)
        return False

    def _close(self, loop: threading.Thread) -> None:
        self._tasks.shutdown(cancel_pending=True, timeout=1.0)
        dispatchers = list(self._map.values())
        self._map.clear()  # the loop runs while its map is not empty
        self._listeners[0].trigger.pull_trigger()  # wake it from its poll
        loop.join(timeout=5.0)
        for dispatcher in dispatchers:
            with contextlib.suppress(OSError):
                dispatcher.close()
        logger.warning("HTTP server closed")


def serve_socket_mode(app: App, app_token: str, stop: threading.Event) -> None:
    """Socket Mode until ``stop`` is set, then disconnect."""
    logger.warning("auditbot connecting to Slack in Socket Mode")
    handler = SocketModeHandler(app, app_token)
    handler.connect()  # type: ignore[no-untyped-call]
    stop.wait()
    logger.warning("disconnecting from Slack")
    handler.close()  # type: ignore[no-untyped-call]
