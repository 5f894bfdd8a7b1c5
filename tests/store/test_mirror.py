"""EventMirror: idempotent upserts, exact round trips, keyset paging without gaps or repeats, and pruning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from auditbot.store import EventMirror
from auditbot.store.schema import events
from tests.store.events import ANCHOR, ORG, make_event, minute_events, sandbox_events

START, END = ANCHOR - timedelta(days=1), ANCHOR


@pytest.fixture
def mirror(store, clock):
    return EventMirror(store, clock=clock)


def add(store, mirror, batch, org=ORG):
    with store.begin() as conn:
        return mirror.upsert(conn, org, batch)


def test_the_same_events_twice_are_stored_once(store, mirror):
    batch = minute_events(50)
    assert add(store, mirror, batch) == 50
    assert add(store, mirror, batch) == 0
    assert add(store, mirror, [*batch[40:], *minute_events(60)[50:], batch[0]]) == 10
    assert mirror.count(ORG) == 60
    assert add(store, mirror, []) == 0


def test_a_batch_repeating_an_event_stores_it_once(store, mirror):
    event = make_event(1, time=ANCHOR - timedelta(hours=1))
    assert add(store, mirror, [event, event, event]) == 1
    assert mirror.count(ORG) == 1


def test_orgs_are_kept_apart(store, mirror):
    batch = minute_events(5)
    add(store, mirror, batch)
    assert add(store, mirror, batch, org="other-org") == 5
    assert mirror.count("other-org") == 5
    assert mirror.get("third-org", batch[0].id) is None


def test_upsert_joins_the_callers_transaction(store, mirror):
    with pytest.raises(RuntimeError), store.begin() as conn:
        mirror.upsert(conn, ORG, minute_events(5))
        raise RuntimeError("crash before the cursor is written")
    assert mirror.count(ORG) == 0
    with store.session() as session:
        assert mirror.upsert(session, ORG, minute_events(5)) == 5
    assert mirror.count(ORG) == 5


def test_sandbox_events_come_back_identical(store, mirror):
    batch = sandbox_events()
    assert len(batch) > 40
    assert add(store, mirror, batch) == len(batch)
    for event in batch:
        back = mirror.get(ORG, event.id)
        assert back == event
        assert back is not None and back.to_api_json() == event.to_api_json()


def test_columns_hold_the_copies_used_for_filtering(store, mirror, clock):
    event = make_event(1, time=ANCHOR - timedelta(minutes=5), processed_at=ANCHOR - timedelta(minutes=2))
    bare = make_event(2, time=ANCHOR - timedelta(minutes=4), email=None, ip=None, action="x\x00y")
    add(store, mirror, [event, bare])
    with store.read() as conn:
        rows = conn.execute(select(events).order_by(events.c.id)).all()
    assert [(r.time, r.processed_at, r.actor_email, r.ip, r.action, r.ingested_at) for r in rows] == [
        (event.time, event.processed_at, "jane.doe@example.com", "203.0.113.7", "user_logged_in", clock.now()),
        (bare.time, bare.time, None, None, "xy", clock.now()),
    ]
    assert mirror.get(ORG, bare.id) == bare


def test_extra_keys_and_unicode_survive(store, mirror):
    event = make_event(
        9,
        time=ANCHOR - timedelta(minutes=1),
        message={"content": "Zoë changed <b>ünïcode</b> \u2603", "format": "simple"},
        future={"field": [1, 2.5, None, True]},
    )
    add(store, mirror, [event])
    back = mirror.get(ORG, event.id)
    assert back == event
    assert back is not None and back.to_api_json()["future"] == {"field": [1, 2.5, None, True]}


def test_window_pages_newest_first_without_gaps_or_repeats(store, mirror):
    batch = minute_events(157, per_time=4)
    add(store, mirror, batch)
    expected = sorted(batch, key=lambda e: (e.time, e.id), reverse=True)
    seen = []
    before = None
    while page := mirror.window(ORG, START, END, limit=7, before=before):
        seen.extend(page)
        before = (page[-1].time, page[-1].id)
    assert [e.id for e in seen] == [e.id for e in expected]


def test_new_events_between_pages_shift_nothing(store, mirror):
    batch = minute_events(20)
    add(store, mirror, batch)
    first = mirror.window(ORG, START, END, limit=10)
    add(store, mirror, [make_event(500, time=ANCHOR - timedelta(minutes=1))])
    second = mirror.window(ORG, START, END, limit=10, before=(first[-1].time, first[-1].id))
    assert [*first, *second] == batch[::-1]


def test_window_bounds_include_the_start_and_exclude_the_end(store, mirror):
    batch = minute_events(10, start=ANCHOR)
    add(store, mirror, batch)
    found = mirror.window(ORG, batch[2].time, batch[6].time, limit=100)
    assert found == batch[2:6][::-1]
    with pytest.raises(ValueError, match="limit"):
        mirror.window(ORG, START, END, limit=0)


def test_prune_drops_only_the_orgs_older_events(store, mirror):
    batch = minute_events(30)
    add(store, mirror, batch)
    add(store, mirror, batch[:5], org="other-org")
    assert mirror.prune(ORG, batch[10].time) == 10
    assert mirror.count(ORG) == 20
    assert mirror.get(ORG, batch[9].id) is None
    assert mirror.get(ORG, batch[10].id) == batch[10]
    assert mirror.count("other-org") == 5
    assert mirror.prune(ORG, batch[10].time) == 0
