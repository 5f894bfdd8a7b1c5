"""The load test's baseline server: a bare Bolt app whose ``/audit`` listener only acks, served the way
``auditbot run --http`` serves auditbot (waitress, the same number of threads, ``/slack/events``
and ``/healthz``), in a process of its own.

Run by ``bench.bench_load`` as ``python -m bench.bare_bolt PORT SLACK_API_URL THREADS``, with the
signing secret and bot token in ``BENCH_SIGNING_SECRET`` and ``BENCH_BOT_TOKEN``. SIGTERM stops it.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from types import FrameType
from typing import TYPE_CHECKING

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def bare_app(api_url: str, token: str, signing_secret: str, threads: int) -> WSGIApplication:
    app = App(
        client=WebClient(token=token, base_url=api_url),
        signing_secret=signing_secret,
        listener_executor=ThreadPoolExecutor(max_workers=threads),
    )

    @app.command("/audit")
    def noop(ack: Ack) -> None:
        ack()

    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            body = json.dumps({"ok": True}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return slack(environ, start_response)

    return application


def stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: list[str]) -> None:
    from waitress import serve

    port, api_url, threads = int(argv[0]), argv[1], int(argv[2])
    application = bare_app(api_url, os.environ["BENCH_BOT_TOKEN"], os.environ["BENCH_SIGNING_SECRET"], threads)
    signal.signal(signal.SIGTERM, stop)
    serve(application, host="127.0.0.1", port=port, threads=threads, ident="bare-bolt", _quiet=True)


if __name__ == "__main__":
    main(sys.argv[1:])
