"""``auditbot search "<query>"``: the search use case in a terminal, as a table or JSON lines.

The query may be one argument or several words, and may start with ``-`` (``-actor:svc@x.com``).
Waiting for the Admin API (rate limits, retries) is bounded by ``--max-wait``: past it the command
says so and exits 1; with ``--all`` each page has that allowance.
"""

from __future__ import annotations

import argparse
import sys
from zoneinfo import ZoneInfo

from auditbot.config import load_settings
from auditbot.core.errors import ConfigError
from auditbot.core.query import parse
from auditbot.runtime.org import connect, terminal_search
from auditbot.services.search import ResultPage
from auditbot.terminal import table
from auditbot.terminal.options import add_max_wait, add_query, query_text, wait_limit, zone
from auditbot.terminal.printable import json_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_query(parser, 'a query such as "actor:jane@example.com since:24h"')
    parser.add_argument("--json", action="store_true", help="one event per line, in the API's own JSON shape")
    parser.add_argument("--tz", default="UTC", help="time zone for relative times and the table (default UTC)")
    parser.add_argument("--all", action="store_true", help="follow every page, not just the first")
    parser.add_argument("--page-size", type=int, default=50, help="events per page (1-500, default 50)")
    add_max_wait(parser)


def run(args: argparse.Namespace) -> int:
    tz = zone(args)
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
        service = terminal_search(connection, settings, clock, page_size=args.page_size, max_wait=args.max_wait)
        page = service.search(query, tz=tz)
        _print(page, tz, args.json, first=True)
        while args.all and page.next_state:
            clock.restart()
            page = service.open_page(page.next_state, summarize=False)
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
