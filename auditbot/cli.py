"""The ``auditbot`` command: the composition root, where settings become running parts.

Each subcommand module provides ``add_arguments(parser)`` and ``run(args) -> int``. Errors
that auditbot raises on purpose print as one readable line (exit 2 for bad input or
configuration, 1 for an unreachable or refusing API); nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from auditbot import __version__
from auditbot.core.errors import ApiError, AuditbotError
from auditbot.logs import configure_logging

Runner = Callable[[argparse.Namespace], int]


def _commands() -> dict[str, tuple[str, ModuleType]]:
    from auditbot.sandbox import cli as sandbox_cli
    from auditbot.terminal import demo_cli, ingest_cli, render_cli, run_cli, search_cli

    return {
        "demo": ("try auditbot in a browser: the sandbox org, the Slack app and a Slack stand-in page", demo_cli),
        "run": ("run the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP)", run_cli),
        "search": ("search the audit log of the configured org (or the built-in sandbox)", search_cli),
        "ingest": ("follow the org's audit log into the local mirror (--once for cron)", ingest_cli),
        "render": ("print the Block Kit JSON auditbot would post for a query or events", render_cli),
        "sandbox": ("serve the built-in sandbox org: a fake Admin API on loopback", sandbox_cli),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditbot", description="Your Atlassian organization's audit log, from Slack."
    )
    parser.add_argument("--version", action="version", version=f"auditbot {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what auditbot does to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (summary, module) in _commands().items():
        command = sub.add_parser(name, help=summary, description=summary)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(verbose=args.verbose)
    run: Runner = args.run
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except AuditbotError as exc:
        print(f"auditbot: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  {exc.hint}", file=sys.stderr)
        return 1 if isinstance(exc, ApiError) else 2
