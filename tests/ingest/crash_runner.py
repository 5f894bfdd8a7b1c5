"""One ingest worker process for the crash test.

``python -m tests.ingest.crash_runner DB_URL BASE_URL ORG KEY ANCHOR T0 DAYS PAGE``.

Its clock reads ``ANCHOR`` plus the wall-clock seconds since ``T0`` (the parent's start), so every
restarted worker agrees on time with the ones before it, and a killed worker's lease expires after
``LEASE_TTL`` real seconds. It backfills ``DAYS`` days, ``PAGE`` events a page, and prints ``ready``
once set up, one line per run, and ``done`` after a run that read the stream to its end; the parent
kills it with SIGKILL whenever it likes.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta

from pydantic import SecretStr

from auditbot.atlassian import AdminApiClient, RequestBudget
from auditbot.atlassian.budget import DEFAULT_LIMITS, EVENTS_STREAM
from auditbot.atlassian.client import RetryPolicy
from auditbot.services.ingest import Ingestor
from auditbot.store import Database
from auditbot.store.ingest_store import SqlIngestStore
from tests.ingest.workers import NamedTransport

LEASE_TTL = 0.05


class OffsetClock:
    """Wall-clock time shifted so that ``t0`` (epoch seconds) reads as ``anchor``."""

    def __init__(self, anchor: datetime, t0: float) -> None:
        self._anchor = anchor
        self._t0 = t0

    def now(self) -> datetime:
        return self._anchor + timedelta(seconds=time.time() - self._t0)

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def monotonic(self) -> float:
        return time.monotonic()


def main(argv: list[str]) -> int:
    db_url, base_url, org_id, key, anchor, t0, days, page_limit = argv
    clock = OffsetClock(datetime.fromisoformat(anchor), float(t0))
    with Database(db_url) as db:
        client = AdminApiClient.create(
            org_id=org_id,
            api_key=SecretStr(key),
            base_url=base_url,
            clock=clock,
            budget=RequestBudget(clock, {**DEFAULT_LIMITS, EVENTS_STREAM: 100_000}),
            retry=RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.1),
            transport=NamedTransport(),
        )
        worker = Ingestor(
            client,
            SqlIngestStore(db, clock),
            clock,
            org_id=org_id,
            owner=f"crash-{os.getpid()}",
            backfill=timedelta(days=float(days)),
            page_limit=int(page_limit),
            lease_ttl=LEASE_TTL,
        )
        print("ready", flush=True)
        while True:
            report = worker.run_once()
            if report.leader:
                print(f"leader token={report.lease_token} pid={os.getpid()}", flush=True)
            print(report.summary(), flush=True)
            if report.leader and report.error is None:
                print("done", flush=True)
                return 0
            time.sleep(0.02)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
