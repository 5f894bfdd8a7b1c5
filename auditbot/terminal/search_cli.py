"""``auditbot search "<query>"``: the search use case in a terminal, as a table or JSON lines."""

from __future__ import annotations

import argparse
import json
import os
import sys
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from auditbot.config import load_settings
from auditbot.core.clock import SystemClock
from auditbot.core.errors import ConfigError
from auditbot.core.query import parse
from auditbot.core.querysyntax import QueryError
from auditbot.services.search import ResultPage
from auditbot.terminal import table
from auditbot.wiring import connect, search_service


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="?", default="", help='a query such as "actor:jane@example.com since:24h"')
    parser.add_argument("--json", action="store_true", help="one event per line, in the API's own JSON shape")
    parser.add_argument("--tz", default="UTC", help="time zone for relative times and the table (default UTC)")
    parser.add_argument("--all", action="store_true", help="follow every page, not just the first")
    parser.add_argument("--page-size", type=int, default=50, help="events per page (1-500, default 50)")


def run(args: argparse.Namespace) -> int:
    tz = _zone(args.tz)
    if not 1 <= args.page_size <= 500:
        raise ConfigError("--page-size must be between 1 and 500.")
    try:
        query = parse(args.query)
    except QueryError as exc:
        raise _with_caret(exc) from None
    settings = load_settings()
    clock = SystemClock()
    with connect(settings, clock) as connection:
        if connection.sandbox_url:
            print(
                f"auditbot: no organization configured (ATLASSIAN_ORG_ID, ATLASSIAN_API_KEY); "
                f"searching the built-in sandbox org at {connection.sandbox_url}",
                file=sys.stderr,
            )
        service = search_service(
            connection, settings, clock, page_size=args.page_size, secret=os.urandom(32), max_wait=120.0
        )
        try:
            page = service.search(query, tz=tz)
        except QueryError as exc:
            raise _with_caret(exc) from None
        _print(page, tz, args.json, first=True)
        while args.all and page.next_state:
            page = service.open_page(page.next_state, summarize=False)
            _print(page, tz, args.json, first=False)
    return 0


def _print(page: ResultPage, tz: ZoneInfo, as_json: bool, *, first: bool) -> None:
    if as_json:
        for found in page.events:
            print(json.dumps(found.event.to_api_json(), ensure_ascii=False, separators=(",", ":")))
        return
    if first:
        print(table.header(page, tz))
        print(table.column_titles())
    for line in table.rows(page, tz):
        print(line)
    print(table.footer(page), file=sys.stderr)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f'Unknown time zone "{name}".', hint="Use an IANA name such as Europe/Berlin.") from None


def _with_caret(exc: QueryError) -> QueryError:
    caret = exc.caret()
    if caret:
        exc.message = f"{exc.message}\n{caret}"
    return exc
