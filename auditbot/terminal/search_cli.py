"""``auditbot search "<query>"``: the search use case in a terminal, as a table or JSON lines.

The query may be one argument or several words, and may start with ``-`` (``-actor:svc@x.com``).
Waiting for the Admin API (rate limits, retries) is bounded by ``--max-wait``: past it the command
says so and exits 1; with ``--all`` each page has that allowance.
"""

from __future__ import annotations

import argparse
import os
import sys
from zoneinfo import ZoneInfo

from auditbot.config import load_settings
from auditbot.core.clock import Clock
from auditbot.core.errors import ConfigError
from auditbot.core.query import parse
from auditbot.core.schedule import parse_zone
from auditbot.services.search import ResultPage
from auditbot.terminal import table
from auditbot.terminal.deadline import DEFAULT_MAX_WAIT, WaitLimit
from auditbot.terminal.printable import json_text
from auditbot.wiring import connect, search_service


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="*", help='a query such as "actor:jane@example.com since:24h"')
    parser.add_argument("--json", action="store_true", help="one event per line, in the API's own JSON shape")
    parser.add_argument("--tz", default="UTC", help="time zone for relative times and the table (default UTC)")
    parser.add_argument("--all", action="store_true", help="follow every page, not just the first")
    parser.add_argument("--page-size", type=int, default=50, help="events per page (1-500, default 50)")
    add_max_wait(parser)


def add_max_wait(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-wait",
        type=float,
        default=DEFAULT_MAX_WAIT,
        metavar="SECONDS",
        help=f"how long to wait for the Admin API's rate limit and retries before giving up "
        f"(default {DEFAULT_MAX_WAIT:.0f}; per page with --all)",
    )


def wait_limit(args: argparse.Namespace, clock: Clock) -> WaitLimit:
    """The clock a command's API calls wait on: ``--max-wait`` bounds it, long waits are announced."""
    if not 0 <= args.max_wait <= 3600:
        raise ConfigError("--max-wait must be between 0 and 3600 seconds.")
    return WaitLimit(clock, args.max_wait, say=lambda line: print(line, file=sys.stderr, flush=True))


def query_text(args: argparse.Namespace) -> str:
    """The query as one string, however many words it was given as."""
    words = args.query if isinstance(args.query, list) else [args.query]
    return " ".join(words)


def run(args: argparse.Namespace) -> int:
    tz = parse_zone(args.tz)
    if not 1 <= args.page_size <= 500:
        raise ConfigError("--page-size must be between 1 and 500.")
    query = parse(query_text(args))
    clock = wait_limit(args, args.clock)
    settings = load_settings()
    with connect(settings, clock) as connection:
        if connection.sandbox_url:
            print(
                f"auditbot: no organization configured (ATLASSIAN_ORG_ID, ATLASSIAN_API_KEY); "
                f"searching the built-in sandbox org at {connection.sandbox_url}",
                file=sys.stderr,
            )
        service = search_service(
            connection, settings, clock, page_size=args.page_size, secret=os.urandom(32), max_wait=args.max_wait
        )
        page = service.search(query, tz=tz)
        _print(page, tz, args.json, first=True)
        while args.all and page.next_state:
            clock.restart()
            page = service.open_page(page.next_state)
            _print(page, tz, args.json, first=False)
    return 0


def _print(page: ResultPage, tz: ZoneInfo, as_json: bool, *, first: bool) -> None:
    if as_json:
        for found in page.events:
            print(json_text(found.event.to_api_json()))
        return
    if first:
        print(table.header(page, tz))
        print(table.column_titles())
    for line in table.rows(page, tz):
        print(line)
    print(table.footer(page), file=sys.stderr)
