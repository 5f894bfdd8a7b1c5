"""The options ``auditbot search`` and ``auditbot render`` share, read one way for both.

A query is any number of words (one quoted argument or several; it may start with ``-``), ``--tz``
is checked by the one time-zone reader digests use too (``core.schedule.parse_zone``), and
``--max-wait`` bounds how long the command waits for the Admin API (``deadline.WaitLimit``).
"""

from __future__ import annotations

import argparse
import sys
from zoneinfo import ZoneInfo

from auditbot.core.clock import Clock
from auditbot.core.errors import ConfigError
from auditbot.core.schedule import parse_zone
from auditbot.terminal.deadline import DEFAULT_MAX_WAIT, WaitLimit

MAX_WAIT_CEILING = 3600.0


def add_query(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("query", nargs="*", help=help_text)


def add_max_wait(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-wait",
        type=float,
        default=DEFAULT_MAX_WAIT,
        metavar="SECONDS",
        help=f"how long to wait for the Admin API's rate limit and retries before giving up "
        f"(default {DEFAULT_MAX_WAIT:.0f}; per page with --all)",
    )


def query_text(args: argparse.Namespace) -> str:
    """The query as one string, however many words it was given as."""
    words = args.query if isinstance(args.query, list) else [args.query]
    return " ".join(words)


def zone(args: argparse.Namespace) -> ZoneInfo:
    """``--tz`` as a time zone; a name the time zone database lacks is a ``ScheduleError`` (exit 2)."""
    return parse_zone(args.tz)


def wait_limit(args: argparse.Namespace, clock: Clock) -> WaitLimit:
    """The clock a command's API calls wait on: ``--max-wait`` bounds it, long waits are announced."""
    if not 0 <= args.max_wait <= MAX_WAIT_CEILING:
        raise ConfigError(f"--max-wait must be between 0 and {MAX_WAIT_CEILING:.0f} seconds.")
    return WaitLimit(clock, args.max_wait, say=lambda line: print(line, file=sys.stderr, flush=True))
