"""The fake Slack on loopback: ``start_slack_api(workspace)`` serves ``SlackApiHandler`` over stdlib HTTP.

``ThreadingHTTPServer`` with daemon threads, HTTP/1.1 keep-alive and no per-request log lines.
Starting it points the workspace's ``root_url`` at the server, so the response URLs and upload
URLs it issues lead back here. ``api_url`` is what ``WebClient(base_url=...)`` takes.
"""

from __future__ import annotations

import email.utils
import threading
from types import TracebackType

from auditbot.loopback import TrackedRequestHandler, TrackingServer
from auditbot.playground.handler import HttpAnswer, SlackApiHandler
from auditbot.playground.workspace import Workspace

IDLE_TIMEOUT_S = 60.0
SHUTDOWN_POLL_S = 0.01


class _Server(TrackingServer):
    def __init__(self, address: tuple[str, int], handler: SlackApiHandler) -> None:
        self.handler = handler
        super().__init__(address, _RequestHandler)


class _RequestHandler(TrackedRequestHandler):
    server_version = "auditbot-playground-slack"
    timeout = IDLE_TIMEOUT_S
    server: _Server

    def date_time_string(self, timestamp: float | None = None) -> str:
        """``Date`` headers follow the workspace clock."""
        return email.utils.format_datetime(self.server.handler.workspace.clock.now(), usegmt=True)

    def do_POST(self) -> None:
        try:
            length = max(0, int(self.headers.get("Content-Length") or 0))
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length else b""
        try:
            answer = self.server.handler.handle(self.command, self.path, dict(self.headers.items()), body)
        except Exception as error:  # a bug in the fake must not hang the client
            answer = HttpAnswer(500, {"Content-Type": "text/plain"}, f"playground error: {error!r}".encode())
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    do_GET = do_HEAD = do_PUT = do_DELETE = do_POST


class RunningSlackApi:
    """A workspace served on loopback; close it (or use it as a context manager) when done."""

    def __init__(self, server: _Server, thread: threading.Thread, workspace: Workspace) -> None:
        self._server = server
        self._thread = thread
        self.workspace = workspace
        self.handler = server.handler
        self.host, self.port = str(server.server_address[0]), int(server.server_address[1])
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.root_url = f"http://{host}:{self.port}"
        self.api_url = f"{self.root_url}/api/"

    def close(self) -> None:
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningSlackApi:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def start_slack_api(
    workspace: Workspace, host: str = "127.0.0.1", port: int = 0, *, handler: SlackApiHandler | None = None
) -> RunningSlackApi:
    """Serve ``workspace`` on ``host:port`` (0 picks a free port) in a background thread.

    ``handler`` replaces the default ``SlackApiHandler(workspace)``: a subclass that serves more
    routes (the playground page) beside the Web API, for the same workspace.
    """
    if handler is not None and handler.workspace is not workspace:
        raise ValueError("the handler must serve the same workspace")
    server = _Server((host, port), handler or SlackApiHandler(workspace))
    thread = threading.Thread(
        target=server.serve_forever, args=(SHUTDOWN_POLL_S,), name=f"slack-api-{server.server_address[1]}", daemon=True
    )
    running = RunningSlackApi(server, thread, workspace)
    workspace.root_url = running.root_url
    thread.start()
    return running
