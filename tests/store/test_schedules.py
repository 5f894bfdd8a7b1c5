"""Digest schedules on SQLite and PostgreSQL: stored and listed per workspace, removed with their runs,
each slot claimed by exactly one caller (threads racing included), a stale claim taken over once."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta

import psycopg
import pytest
from sqlalchemy import func, select, text

from auditbot.core.clock import ManualClock
from auditbot.services.schedules import ScheduleExists
from auditbot.store.db import Database
from auditbot.store.schedules import STALE_CLAIM, HandoffSchedules, new_id
from auditbot.store.schema import digest_runs
from tests.store.conftest import PG_CONNINFO
from tests.store.events import ANCHOR

SLOT = ANCHOR.replace(hour=8)


@pytest.fixture
def schedules(store: Database, clock: ManualClock) -> HandoffSchedules:
    return HandoffSchedules(store, clock)


def make(schedules: HandoffSchedules, team_id: str = "T1", **changes: str):
    values = {
        "team_id": team_id,
        "channel_id": "C1",
        "times": "09:00,21:00",
        "tz": "Europe/Berlin",
        "query": "-actor:svc@example.com",
        "created_by": "U1",
    }
    return schedules.create(**{**values, **changes})


def run_count(store: Database) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(digest_runs)).scalar_one())


def test_a_schedule_is_stored_listed_for_its_workspace_and_removed(schedules, clock):
    first = make(schedules)
    clock.advance(60)
    second = make(schedules, channel_id="C2", query="", times="07:00")
    other = make(schedules, team_id="T2")
    assert schedules.get(first.id) == first
    assert (first.times, first.tz, first.query, first.created_at) == (
        "09:00,21:00",
        "Europe/Berlin",
        "-actor:svc@example.com",
        ANCHOR,
    )
    assert (first.last_run_at, first.last_error) == (None, None)
    assert [s.id for s in schedules.of_team("T1")] == [first.id, second.id]
    assert {s.id for s in schedules.all()} == {first.id, second.id, other.id}
    assert schedules.remove(second.id)
    assert not schedules.remove(second.id)
    assert schedules.get(second.id) is None
    assert [s.id for s in schedules.of_team("T1")] == [first.id]


def test_ids_are_short_and_unambiguous():
    ids = {new_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(re.fullmatch(r"dg-[2-9a-hjkmnp-z]{6}", i) for i in ids)


def test_a_slot_is_claimed_once_then_posted(schedules, clock):
    made = make(schedules)
    assert schedules.claim_slot(made.id, SLOT, "replica-a")
    assert not schedules.claim_slot(made.id, SLOT, "replica-b")
    assert not schedules.claim_slot(made.id, SLOT, "replica-a"), "not even by the same owner"
    assert schedules.claim_slot(made.id, SLOT + timedelta(hours=12), "replica-b"), "another slot is another claim"
    run = schedules.run(made.id, SLOT)
    assert run is not None and (run.claimed_by, run.claimed_at, run.posted_at) == ("replica-a", ANCHOR, None)

    clock.advance(30)
    assert schedules.posted(made.id, SLOT, "1700000000.000100")
    run = schedules.run(made.id, SLOT)
    assert run is not None and (run.posted_at, run.message_ts, run.error) == (clock.now(), "1700000000.000100", None)
    after = schedules.get(made.id)
    assert after is not None and (after.last_run_at, after.last_error) == (clock.now(), None)
    clock.advance(STALE_CLAIM.total_seconds() * 10)
    assert not schedules.claim_slot(made.id, SLOT, "replica-b"), "a posted slot is never taken over"
    assert [r.slot_at for r in schedules.runs(made.id)] == [SLOT + timedelta(hours=12), SLOT]


def test_a_failed_slot_records_the_error_and_is_not_claimed_again(schedules, clock):
    made = make(schedules)
    assert schedules.claim_slot(made.id, SLOT, "replica-a")
    assert schedules.failed(made.id, SLOT, "auditbot may not post in #sec-oncall")
    failed = schedules.get(made.id)
    assert failed is not None and (failed.last_run_at, failed.last_error) == (
        ANCHOR,
        "auditbot may not post in #sec-oncall",
    )
    run = schedules.run(made.id, SLOT)
    assert run is not None and (run.posted_at, run.error) == (None, "auditbot may not post in #sec-oncall")
    clock.advance(STALE_CLAIM.total_seconds() * 10)
    assert not schedules.claim_slot(made.id, SLOT, "replica-b")

    later = SLOT + timedelta(hours=12)
    assert schedules.claim_slot(made.id, later, "replica-b")
    assert schedules.posted(made.id, later, "1.2")
    cleared = schedules.get(made.id)
    assert cleared is not None and cleared.last_error is None, "the next posted digest clears the error"
    assert not schedules.failed(made.id, later, "too late"), "a posted slot does not fail afterwards"
    assert not schedules.failed(made.id, SLOT + timedelta(days=3), "never claimed")


def test_a_stale_claim_is_taken_over_once(schedules, clock):
    made = make(schedules)
    assert schedules.claim_slot(made.id, SLOT, "died-mid-post")
    clock.advance(STALE_CLAIM.total_seconds() - 1)
    assert not schedules.claim_slot(made.id, SLOT, "replica-b"), "not stale yet"
    clock.advance(1)
    assert schedules.claim_slot(made.id, SLOT, "replica-b")
    assert not schedules.claim_slot(made.id, SLOT, "replica-c"), "the takeover is a fresh claim"
    run = schedules.run(made.id, SLOT)
    assert run is not None and (run.claimed_by, run.claimed_at) == ("replica-b", clock.now())
    clock.advance(STALE_CLAIM.total_seconds())
    assert schedules.claim_slot(made.id, SLOT, "replica-c"), "and it can go stale in turn"


def test_a_removed_schedule_takes_its_runs_with_it_and_cannot_be_claimed(schedules, store):
    made = make(schedules)
    kept = make(schedules, channel_id="C2")
    for owner, schedule in (("a", made), ("a", kept)):
        assert schedules.claim_slot(schedule.id, SLOT, owner)
    assert run_count(store) == 2
    assert schedules.remove(made.id)
    assert run_count(store) == 1
    assert not schedules.claim_slot(made.id, SLOT + timedelta(hours=12), "a")
    assert run_count(store) == 1


def test_a_stale_claim_needs_a_positive_age(store, clock):
    with pytest.raises(ValueError, match="stale_claim"):
        HandoffSchedules(store, clock, stale_claim=timedelta(0))


# -- racing replicas ------------------------------------------------------------------------------------


def race(target, count: int) -> None:
    threads = [threading.Thread(target=target, name=f"replica-{n}") for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


def test_replicas_racing_for_slots_each_win_a_slot_once(store, clock):
    made = make(HandoffSchedules(store, clock))
    slots = [SLOT + timedelta(hours=12 * n) for n in range(8)]
    start = threading.Barrier(6)
    wins: list[tuple[str, datetime]] = []
    guard = threading.Lock()

    def replica() -> None:
        mine = HandoffSchedules(store, clock)
        start.wait()
        for slot in slots:
            if mine.claim_slot(made.id, slot, threading.current_thread().name):
                with guard:
                    wins.append((threading.current_thread().name, slot))

    race(replica, 6)
    assert sorted(slot for _, slot in wins) == slots
    assert run_count(store) == len(slots)


def test_replicas_racing_for_a_stale_claim_one_takes_it_over(store, clock):
    schedules = HandoffSchedules(store, clock)
    made = make(schedules)
    assert schedules.claim_slot(made.id, SLOT, "died-mid-post")
    clock.advance(STALE_CLAIM.total_seconds() + 1)
    start = threading.Barrier(6)
    winners: list[str] = []

    def replica() -> None:
        start.wait()
        if HandoffSchedules(store, clock).claim_slot(made.id, SLOT, threading.current_thread().name):
            winners.append(threading.current_thread().name)

    race(replica, 6)
    assert len(winners) == 1
    run = schedules.run(made.id, SLOT)
    assert run is not None and run.claimed_by == winners[0]


def wait_until_blocked_by(pid: int) -> None:
    """Return once some session waits on a lock held by ``pid`` (asked again and again, no sleeping)."""
    deadline = time.monotonic() + 30
    with psycopg.connect(PG_CONNINFO, autocommit=True) as observer:
        while time.monotonic() < deadline:
            row = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", (pid,)
            ).fetchone()
            if row is not None and row[0] > 0:
                return
    raise AssertionError(f"nothing waited on session {pid}")


def test_postgres_takeover_waits_for_a_concurrent_claim_and_then_sees_it(postgres_url, clock):
    """A second UPDATE that waited on the row re-checks its condition against the new claim time."""
    with Database(postgres_url) as db:
        db.migrate()
        schedules = HandoffSchedules(db, clock)
        made = make(schedules)
        assert schedules.claim_slot(made.id, SLOT, "died-mid-post")
        clock.advance(STALE_CLAIM.total_seconds() + 1)
        results: list[bool] = []
        with db.begin() as conn:
            conn.execute(
                digest_runs.update()
                .where(digest_runs.c.schedule_id == made.id)
                .values(claimed_by="replica-a", claimed_at=clock.now())
            )
            holder = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
            waiter = threading.Thread(target=lambda: results.append(schedules.claim_slot(made.id, SLOT, "replica-b")))
            waiter.start()
            wait_until_blocked_by(holder)
            assert results == [], "replica-b waits for replica-a's row"
        waiter.join(timeout=30)
        assert results == [False]
        run = schedules.run(made.id, SLOT)
        assert run is not None and run.claimed_by == "replica-a"


def test_the_same_schedule_is_made_once_even_by_two_replicas(store: Database, clock: ManualClock):
    ours, theirs = HandoffSchedules(store, clock), HandoffSchedules(store, clock)
    won = make(theirs)
    with pytest.raises(ScheduleExists) as lost:
        make(ours, created_by="U2")
    assert lost.value.existing == won
    assert ours.existing("T1", "C1", "09:00,21:00", "Europe/Berlin", "-actor:svc@example.com") == won
    assert ours.existing("T1", "C1", "09:00,21:00", "UTC", "-actor:svc@example.com") is None
    assert make(ours, tz="UTC").id != won.id
