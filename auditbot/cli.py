"""The ``auditbot`` command: picks the subcommand and runs it (``auditbot.runtime`` builds the running parts).

Each subcommand module provides ``add_arguments(parser)`` and ``run(args) -> int``; ``args.clock``
is the clock it runs on (the system clock, or one a test injects). Errors that auditbot raises on
purpose print in one form for every subcommand (``terminal.errors``: the message, the query with a
marker under a query error's span, the hint), exit 2 for bad input or configuration and 1 for an
unreachable, refusing or busy API; nothing prints a traceback. A closed stdout (``auditbot search … |
head -1``) ends the command quietly.

A query may start with ``-`` (``auditbot search -actor:svc@example.com``): for subcommands that
take a query, a word that starts with a single ``-`` and is none of the subcommand's options is
query text, wherever it stands (``-v`` is an option everywhere).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import NoReturn

from auditbot import __version__
from auditbot.core.clock import Clock, SystemClock
from auditbot.core.errors import ApiError, AuditbotError
from auditbot.logs import configure_logging
from auditbot.services.search import SearchBusy
from auditbot.terminal.errors import error_lines
from auditbot.terminal.printable import printable

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


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose errors cannot drive the terminal, and which takes words starting with
    ``-`` as query text when it has a ``query`` argument and the word is none of its options."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        words = list(sys.argv[1:] if args is None else args)
        if any(action.dest == "query" for action in self._actions):
            words = self._queries_last(words)
        return super().parse_known_args(words, namespace)

    def _queries_last(self, words: list[str]) -> list[str]:
        """``words`` with the options first and every other word (the query) after ``--``, in order."""
        takes_value = {s for a in self._actions if a.nargs != 0 for s in a.option_strings}
        known = {s for a in self._actions for s in a.option_strings}
        options: list[str] = []
        query: list[str] = []
        rest = iter(words)
        for word in rest:
            name = word.split("=", 1)[0]
            if word == "--":
                query.extend(rest)
            elif word.startswith("--") or name in known:
                options.append(word)
                value = next(rest, None) if name in takes_value and "=" not in word else None
                if value is not None:
                    options[-1] = f"{word}={value}"
            else:
                query.append(word)
        return [*options, "--", *query] if query else options

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="auditbot", description="Your Atlassian organization's audit log, from Slack.")
    parser.add_argument("--version", action="version", version=f"auditbot {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what auditbot does to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=CommandParser)
    for name, (summary, module) in _commands().items():
        command = sub.add_parser(name, help=summary, description=summary)
        module.add_arguments(command)
        command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.clock = clock or SystemClock()
    configure_logging(verbose=args.verbose)
    run: Runner = args.run
    try:
        code = run(args)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 1
    except AuditbotError as exc:
        print("\n".join(error_lines(exc)), file=sys.stderr)
        return 1 if isinstance(exc, ApiError | SearchBusy) else 2


def _quiet_stdout() -> None:
    """After the reader of stdout went away: point stdout at /dev/null, so the flush at exit cannot
    fail again (what Python's documentation on SIGPIPE recommends)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
