"""StreamCursors: written in the caller's transaction, only under a valid lease, never backwards in time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auditbot.store import EventMirror, Lease, Leases, StaleLeaseError, StreamCursor, StreamCursors
from tests.store.events import ANCHOR, ORG, minute_events

TTL = 30.0


@pytest.fixture
def leases(store, clock):
    return Leases(store, clock)


@pytest.fixture
def cursors(store, clock):
    return StreamCursors(store, clock=clock)


def test_a_new_org_has_no_cursor_and_the_first_advance_creates_it(store, leases, cursors, clock):
    assert cursors.get(ORG) is None
    lease = leases.acquire(f"ingest:{ORG}", "a", TTL)
    assert lease is not None
    with store.begin() as conn:
        cursors.advance(conn, ORG, "c1", ANCHOR - timedelta(minutes=3), lease)
    assert cursors.get(ORG) == StreamCursor(ORG, "c1", ANCHOR - timedelta(minutes=3), clock.now(), lease.token)


def test_advancing_moves_the_cursor_but_never_the_newest_time_backwards(store, leases, cursors, clock):
    lease = leases.acquire("ingest", "a", TTL)
    assert lease is not None
    with store.begin() as conn:
        cursors.advance(conn, ORG, "c1", ANCHOR, lease)
    for cursor, newest in [("c2", ANCHOR - timedelta(hours=1)), ("c3", None)]:
        clock.advance(5)
        with store.session() as session:
            cursors.advance(session, ORG, cursor, newest, lease)
        assert cursors.get(ORG) == StreamCursor(ORG, cursor, ANCHOR, clock.now(), lease.token)
    with store.begin() as conn:
        cursors.advance(conn, ORG, None, ANCHOR + timedelta(seconds=1), lease)
    stored = cursors.get(ORG)
    assert stored is not None and (stored.cursor, stored.newest_processed_at) == (None, ANCHOR + timedelta(seconds=1))


def test_a_stale_lease_cannot_advance_and_its_events_roll_back(store, leases, cursors, clock):
    mirror = EventMirror(store, clock=clock)
    old = leases.acquire("ingest", "a", TTL)
    assert old is not None
    with store.begin() as conn:
        cursors.advance(conn, ORG, "c1", ANCHOR, old)
    clock.advance(TTL + 1)
    new = leases.acquire("ingest", "b", TTL)
    assert new is not None

    with pytest.raises(StaleLeaseError), store.begin() as conn:
        mirror.upsert(conn, ORG, minute_events(5))
        cursors.advance(conn, ORG, "stale", ANCHOR + timedelta(hours=1), old)
    stored = cursors.get(ORG)
    assert stored is not None and (stored.cursor, stored.fencing_token) == ("c1", old.token)
    assert mirror.count(ORG) == 0

    with store.begin() as conn:
        mirror.upsert(conn, ORG, minute_events(5))
        cursors.advance(conn, ORG, "c2", ANCHOR + timedelta(hours=1), new)
    stored = cursors.get(ORG)
    assert stored is not None and (stored.cursor, stored.fencing_token) == ("c2", new.token)
    assert mirror.count(ORG) == 5


def test_without_any_lease_row_nothing_is_written(store, cursors, clock):
    ghost = Lease(name="never-taken", owner="a", token=1, expires_at=clock.now(), ttl_seconds=TTL)
    with pytest.raises(StaleLeaseError, match="released"), store.begin() as conn:
        cursors.advance(conn, ORG, "c1", ANCHOR, ghost)
    assert cursors.get(ORG) is None
