"""Running the Slack app: Socket Mode with an app-level token, else HTTP on a production WSGI server.

HTTP mode serves ``POST /slack/events`` (commands, interactivity, options loads and events all
arrive there) and ``GET /healthz``; it runs on waitress, a threaded pure-Python WSGI server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

Health = Callable[[], dict[str, Any]]


def wsgi_app(app: App, health: Health) -> WSGIApplication:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps({"ok": True, **health()}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path == EVENTS_PATH:
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
        return [b"not found"]

    return application


def serve_http(app: App, health: Health, *, host: str, port: int, threads: int) -> None:
    from waitress import serve

    logger.warning("auditbot listening on http://%s:%s%s", host, port, EVENTS_PATH)
    serve(wsgi_app(app, health), host=host, port=port, threads=threads, ident="auditbot")


def serve_socket_mode(app: App, app_token: str) -> None:
    logger.warning("auditbot connecting to Slack in Socket Mode")
    SocketModeHandler(app, app_token).start()  # type: ignore[no-untyped-call]
