"""The loopback HTTP mount: ``start_server(api)`` serves a handler on stdlib ``ThreadingHTTPServer``.

HTTP/1.1 with keep-alive, one daemon thread per connection, no per-request log lines. Faults
become real network behaviour: ``drop`` closes the socket without an answer, ``slow`` waits
``delay`` seconds with the injected ``sleep`` (default ``time.sleep``) before answering.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Protocol

from auditbot.core.clock import Clock, SystemClock
from auditbot.loopback import TrackedRequestHandler, TrackingServer
from auditbot.sandbox.messages import SandboxRequest, SandboxResponse

IDLE_TIMEOUT_S = 60.0
SHUTDOWN_POLL_S = 0.05
"""How often the accept loop checks for ``close()``."""


class Handler(Protocol):
    """Anything that answers sandbox requests (``SandboxApi``, or a stub in benchmarks)."""

    def handle(self, request: SandboxRequest) -> SandboxResponse: ...


class _Server(TrackingServer):
    def __init__(
        self, address: tuple[str, int], handler: Handler, sleep: Callable[[float], object], clock: Clock
    ) -> None:
        self.handler = handler
        self.sleep = sleep
        self.clock = clock
        super().__init__(address, _RequestHandler)


class _RequestHandler(TrackedRequestHandler):
    server_version = "auditbot-sandbox"
    timeout = IDLE_TIMEOUT_S
    server: _Server

    def date_time_string(self, timestamp: float | None = None) -> str:
        return email.utils.format_datetime(self.server.clock.now(), usegmt=True)

    def do_GET(self) -> None:
        self._answer()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _answer(self) -> None:
        try:
            length = max(0, int(self.headers.get("Content-Length") or 0))
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = SandboxRequest(self.command, path, query, dict(self.headers.items()), body, f"http://{host}")
        try:
            response = self.server.handler.handle(request)
        except Exception:
            detail = {"errors": [{"status": "500", "code": "ADMIN-500-1", "title": "Internal error"}]}
            response = SandboxResponse(500, {"Content-Type": "application/json"}, json.dumps(detail).encode())
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if response.delay > 0:
            self.server.sleep(response.delay)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)


class RunningSandbox:
    """A sandbox serving on loopback. ``base_url`` is what ``ATLASSIAN_API_URL`` should be."""

    def __init__(self, server: _Server, thread: threading.Thread, handler: Handler) -> None:
        self._server = server
        self._thread = thread
        self.host, self.port = str(server.server_address[0]), int(server.server_address[1])
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.root_url = f"http://{host}:{self.port}"
        self.base_url = f"{self.root_url}/admin"
        self.org_id: str = getattr(handler, "org_id", "")
        self.api_key: str = getattr(handler, "api_key", "")

    def close(self) -> None:
        """Stop accepting, close open connections and the listening socket."""
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def start_server(
    api: Handler,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    sleep: Callable[[float], object] = time.sleep,
    clock: Clock | None = None,
) -> RunningSandbox:
    """Serve ``api`` on ``host:port`` (0 picks a free port) in a background thread."""
    server = _Server((host, port), api, sleep, clock or getattr(api, "clock", None) or SystemClock())
    name = f"sandbox-http-{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_S,), name=name, daemon=True)
    thread.start()
    return RunningSandbox(server, thread, api)
