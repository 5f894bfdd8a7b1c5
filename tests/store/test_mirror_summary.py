"""``MirrorSummary`` keeps a result's counts while the mirror is unchanged, and counts again once ingest stores more."""

from __future__ import annotations

from datetime import timedelta

from auditbot.core.clock import ManualClock
from auditbot.core.match import Criteria
from auditbot.core.model import AuditEvent
from auditbot.core.query import Query
from auditbot.store import Database
from auditbot.store.cursors import StreamCursors
from auditbot.store.leases import Leases
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_summary import MirrorSummary
from tests.store.events import ANCHOR, ORG, make_event, minute_events

EVERYTHING = Criteria(Query(), frozenset(), frozenset())
START, END = ANCHOR - timedelta(hours=3), ANCHOR


def ingest(db: Database, clock: ManualClock, batch: list[AuditEvent]) -> None:
    lease = Leases(db, clock).acquire(f"ingest:{ORG}", "test", 60)
    assert lease is not None
    with db.begin() as conn:
        EventMirror(db, clock=clock).upsert(conn, ORG, batch)
        newest = max(e.time for e in batch) + timedelta(seconds=1)
        StreamCursors(db, clock=clock).advance(conn, ORG, "c", newest, lease)


def test_counts_are_kept_until_ingest_stores_more(store: Database):
    clock = ManualClock(ANCHOR)
    ingest(store, clock, minute_events(30))
    summary = MirrorSummary(store, clock=clock)
    first = summary.counts(ORG, START, END, EVERYTHING)
    assert first is not None and first.total == 30
    assert summary.counts(ORG, START, END, EVERYTHING) is first, "the next page reuses the count"
    clock.advance(60)
    ingest(store, clock, [make_event(1000, time=ANCHOR - timedelta(minutes=5), processed_at=ANCHOR)])
    again = summary.counts(ORG, START, END, EVERYTHING)
    assert again is not None and again.total == 31


def test_the_busiest_are_ranked_and_labelled_from_their_newest_event(store: Database):
    clock = ManualClock(ANCHOR)
    events = [
        make_event(n, time=ANCHOR - timedelta(minutes=n + 1), email=f"v{n}@example.com" if n < 5 else None)
        for n in range(23)
    ]
    ingest(store, clock, events)
    counted = MirrorSummary(store, clock=clock).counts(ORG, START, END, EVERYTHING, top=2)
    assert counted is not None
    # actors n % 5: 0..2 have 5 events, 3..4 have 4; the newest event of actor k is event k.
    assert [(t.key, t.label, t.count) for t in counted.actors] == [
        ("557058:actor-0", "v0@example.com", 5),
        ("557058:actor-1", "v1@example.com", 5),
    ]
    assert [(t.key, t.count) for t in counted.ips] == [("203.0.113.7", 23)]
