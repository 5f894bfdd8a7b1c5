"""One auditbot worker process for the alert crash test: ingest with alert matching, then delivery.

``python -m tests.delivery.crash_runner DB_URL SANDBOX_URL ORG KEY SLACK_API_URL ANCHOR T0 DAYS``.

Its clock reads ``ANCHOR`` plus the wall-clock seconds since ``T0`` (the parent's start), like the
parent's Slack stand-in, so message timestamps and the worker's attempts agree on time. It prints
``ready`` once set up, then loops: an ingest run, a delivery pass; ``done`` once the stream is read
to its end and no alert is left to post. The parent kills it with SIGKILL whenever it likes.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta

from pydantic import SecretStr

from auditbot.atlassian import AdminApiClient, RequestBudget
from auditbot.atlassian.budget import DEFAULT_LIMITS, EVENT_ACTIONS, EVENTS_STREAM
from auditbot.atlassian.client import RetryPolicy
from auditbot.services.alert_matching import AlertMatcher
from auditbot.services.catalog import ActionCatalog
from auditbot.services.delivery import Delivery, DeliverySettings
from auditbot.services.ingest import Ingestor
from auditbot.slack.delivery_client import BlockKitAlerts, SlackAlertChannel, delivery_client
from auditbot.store import Database, EventMirror
from auditbot.store.ingest_store import SqlIngestStore
from auditbot.store.leases import Leases
from auditbot.store.outbox import Outbox, alert_writer
from auditbot.store.snoozes import Snoozes
from auditbot.store.subscriptions import Subscriptions
from tests.ingest.crash_runner import OffsetClock
from tests.ingest.workers import PID_HEADER, NamedTransport

LEASE_TTL = 0.05
SETTINGS = DeliverySettings(
    interval=0.002, burst_threshold=3, burst_window=0.5, part_size=5, max_rows=10, lease_ttl=LEASE_TTL
)
"""Small parts and passes: many messages to kill at, and a pass reaches every channel after a few of them."""


def main(argv: list[str]) -> int:
    db_url, sandbox_url, org_id, key, slack_url, anchor, t0, days = argv
    clock = OffsetClock(datetime.fromisoformat(anchor), float(t0))
    owner = f"crash-{os.getpid()}"
    with Database(db_url) as db:
        client = AdminApiClient.create(
            org_id=org_id,
            api_key=SecretStr(key),
            base_url=sandbox_url,
            clock=clock,
            budget=RequestBudget(clock, {**DEFAULT_LIMITS, EVENTS_STREAM: 100_000, EVENT_ACTIONS: 100_000}),
            retry=RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.1),
            transport=NamedTransport(),
        )
        catalog = ActionCatalog(client, org_id=org_id, clock=clock, max_wait=None)
        subscriptions = Subscriptions(db, clock)
        matcher = AlertMatcher(subscriptions, catalog, clock, snoozes=Snoozes(db, clock))
        outbox = Outbox(db, clock)
        ingest = Ingestor(
            client,
            SqlIngestStore(db, clock, write_outbox=alert_writer(outbox, matcher)),
            clock,
            org_id=org_id,
            owner=owner,
            backfill=timedelta(days=float(days)),
            page_limit=100,
            lease_ttl=LEASE_TTL,
        )
        slack = delivery_client("xoxb-test", base_url=slack_url, timeout=5)
        slack.headers[PID_HEADER] = str(os.getpid())
        delivery = Delivery(
            outbox,
            SlackAlertChannel(slack),
            BlockKitAlerts(),
            subscriptions,
            EventMirror(db, clock=clock),
            lambda action: catalog.snapshot().get(action).display_name,
            Leases(db, clock),
            clock,
            owner=owner,
            snoozes=Snoozes(db, clock),
            settings=SETTINGS,
        )
        print("ready", flush=True)
        while True:
            read = ingest.run_once()
            posted = delivery.run_once()
            print(f"{read.summary()} | {posted.summary()}", flush=True)
            caught_up = read.leader and read.error is None and read.events_new == 0
            if caught_up and posted.leader and posted.error is None and not outbox.pending_channels():
                print("done", flush=True)
                return 0
            time.sleep(0.01)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
