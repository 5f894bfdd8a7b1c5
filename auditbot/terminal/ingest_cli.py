"""``auditbot ingest [--once] [--interval S]``: follow the org's audit log into the local mirror.

Without ``--once`` it runs until interrupted, one run every ``--interval`` seconds (default: the
``ingest_interval_seconds`` setting; the backfill and retention also come from the settings); with ``--once`` it
runs once (cron-style) and exits 0, or 1 when the run stopped on an API error. Each run prints one line.
Several replicas may run it against one PostgreSQL store: one holds the org's lease, the others wait.
"""

from __future__ import annotations

import argparse
import sys
import threading

from auditbot.config import load_settings
from auditbot.core.errors import ConfigError
from auditbot.runtime import build_runtime
from auditbot.services.ingest import IngestReport
from auditbot.terminal.printable import printable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true", help="run once and exit (for cron)")
    parser.add_argument(
        "--interval", type=float, default=None, help="seconds between runs (default: AUDITBOT_INGEST_INTERVAL_SECONDS)"
    )
    parser.add_argument(
        "--backfill-days", type=float, default=None, help="how far back the first start reads (default: settings)"
    )
    parser.add_argument("--page-limit", type=int, default=500, help="events per stream page (1-500, default 500)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    interval = settings.ingest_interval_seconds if args.interval is None else args.interval
    backfill_days = settings.backfill_days if args.backfill_days is None else args.backfill_days
    if interval <= 0:
        raise ConfigError("--interval must be a positive number of seconds.")
    if not 0 < backfill_days <= 180:
        raise ConfigError("--backfill-days must be more than 0 and at most 180.")
    if not 1 <= args.page_limit <= 500:
        raise ConfigError("--page-limit must be between 1 and 500.")
    clock = args.clock
    with build_runtime(settings, clock) as runtime:
        connection = runtime.connection
        if connection.sandbox_url:
            print(
                f"auditbot: no organization configured; ingesting the built-in sandbox org at {connection.sandbox_url}",
                file=sys.stderr,
            )
        ingestor = runtime.ingestor(queue_alerts=False, backfill_days=backfill_days, page_limit=args.page_limit)
        if args.once:
            report = ingestor.run_once()
            ingestor.release()
            _print(report)
            return 1 if report.leader and report.error else 0
        stop = threading.Event()
        try:
            ingestor.run_forever(stop, interval=interval, on_report=_print)
        except KeyboardInterrupt:
            stop.set()
        return 0


def _print(report: IngestReport) -> None:
    print(printable(report.summary()), flush=True)
