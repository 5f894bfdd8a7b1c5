"""``auditbot run``: the Slack app, in Socket Mode when SLACK_APP_TOKEN is set, else over HTTP."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext

from auditbot.config import Settings, load_settings
from auditbot.core.clock import SystemClock
from auditbot.core.errors import ConfigError
from auditbot.follow import following
from auditbot.slack.app import build_app, slack_client
from auditbot.slack.keywatch import admin_notifier
from auditbot.slack.serve import serve_http, serve_socket_mode
from auditbot.wiring import connect, guards, open_store, page_state_secret, slack_deps


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--http", action="store_true", help="serve HTTP even when SLACK_APP_TOKEN is set")
    parser.add_argument("--host", help="HTTP address to listen on (default AUDITBOT_HTTP_HOST or 0.0.0.0)")
    parser.add_argument("--port", type=int, help="HTTP port (default AUDITBOT_HTTP_PORT or 3000)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    socket_mode = settings.slack_app_token is not None and not args.http
    _check(settings, socket_mode)
    assert settings.slack_bot_token is not None
    clock = SystemClock()
    with open_store(settings) as store, connect(settings, clock) as connection:
        if connection.sandbox_url:
            print("auditbot: no organization configured; answering from the built-in sandbox org", file=sys.stderr)
        deps = slack_deps(connection, settings, clock, secret=page_state_secret(settings), store=store)
        client = slack_client(settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url, clock=clock)
        if deps.key_health is not None:
            deps.key_health.on_change(admin_notifier(client, settings.admins))
        signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
        app = build_app(
            deps,
            client=client,
            signing_secret=signing_secret,
            socket_mode=socket_mode,
            listener_threads=settings.listener_threads,
            middleware=guards(settings, clock, deps, client),
        )
        follow = following(
            connection,
            store,
            settings,
            clock,
            deps,
            slack_token=settings.slack_bot_token.get_secret_value(),
            slack_api_url=settings.slack_api_url,
        )
        with follow if settings.ingest else nullcontext():
            if socket_mode:
                assert settings.slack_app_token is not None
                serve_socket_mode(app, settings.slack_app_token.get_secret_value())
            else:
                serve_http(
                    app,
                    lambda: {"org": connection.org_id, "sandbox": connection.sandbox_url is not None},
                    host=args.host or settings.http_host,
                    port=args.port if args.port is not None else settings.http_port,
                    threads=settings.listener_threads,
                )
    return 0


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
