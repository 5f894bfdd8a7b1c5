"""Leases: acquire, renew, release and takeover on the manual clock; one holder under contention; fencing."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from auditbot.store import Database, Leases, StaleLeaseError, check_lease
from auditbot.store.schema import bot_audit
from tests.store.events import ANCHOR

TTL = 30.0
SECOND = timedelta(seconds=1)


@pytest.fixture
def leases(store, clock):
    return Leases(store, clock)


def test_a_free_lease_is_taken_and_held_until_it_expires(leases, clock):
    lease = leases.acquire("ingest:org", "a", TTL)
    assert lease is not None
    assert (lease.name, lease.owner, lease.token, lease.expires_at) == ("ingest:org", "a", 1, ANCHOR + TTL * SECOND)
    assert leases.acquire("ingest:org", "b", TTL) is None
    assert leases.acquire("ingest:org", "a", TTL) is None
    assert leases.holder("ingest:org") == replace(lease, ttl_seconds=0.0)
    clock.advance(TTL - 1)
    assert leases.acquire("ingest:org", "b", TTL) is None
    clock.advance(1)
    taken = leases.acquire("ingest:org", "b", TTL)
    assert taken is not None and (taken.owner, taken.token) == ("b", 2)
    assert leases.acquire("other", "a", TTL) is not None


def test_renewing_extends_only_a_lease_still_ours(leases, clock):
    lease = leases.acquire("job", "a", TTL)
    assert lease is not None
    clock.advance(20)
    renewed = leases.renew(lease)
    assert renewed is not None and renewed.expires_at == clock.now() + TTL * SECOND and renewed.token == lease.token
    clock.advance(20)
    assert leases.acquire("job", "b", TTL) is None
    clock.advance(TTL)
    assert leases.renew(renewed, 60) is not None, "expired but not taken over: still ours"
    clock.advance(61)
    stolen = leases.acquire("job", "b", TTL)
    assert stolen is not None and stolen.token == 2
    assert leases.renew(renewed) is None
    assert leases.release(renewed) is False
    assert leases.holder("job") == replace(stolen, ttl_seconds=0.0)


def test_release_frees_the_lease_and_tokens_keep_growing(leases):
    tokens = []
    for owner in "abcab":
        lease = leases.acquire("job", owner, TTL)
        assert lease is not None
        tokens.append(lease.token)
        assert leases.release(lease) is True
        assert leases.holder("job") is None
    assert tokens == [1, 2, 3, 4, 5]


def test_a_lease_needs_a_positive_ttl(leases):
    with pytest.raises(ValueError, match="ttl"):
        leases.acquire("job", "a", 0)


def test_concurrent_acquirers_never_both_hold(store, clock):
    leases = Leases(store, clock)
    start = threading.Barrier(6)
    winners: list[int] = []

    def contend() -> None:
        start.wait()
        lease = leases.acquire("race", threading.current_thread().name, TTL)
        if lease is not None:
            winners.append(lease.token)

    _run_threads(contend, 6)
    assert winners == [1]


def test_workers_taking_turns_are_never_two_at_once(store, clock):
    leases = Leases(store, clock)
    guard = threading.Lock()
    holders: list[str] = []
    most: list[int] = []
    tokens: list[int] = []

    def worker() -> None:
        me = threading.current_thread().name
        for _ in range(10):
            lease = leases.acquire("turns", me, TTL)
            if lease is None:
                continue
            with guard:
                holders.append(me)
                most.append(len(holders))
                tokens.append(lease.token)
            with store.begin() as conn:
                check_lease(conn, lease)
                conn.execute(insert(bot_audit).values(at=ANCHOR, team_id="T", user_id=me, kind="job", outcome="ok"))
            with guard:
                holders.remove(me)
            assert leases.release(lease)

    _run_threads(worker, 4)
    assert tokens and max(most) == 1
    assert sorted(tokens) == list(range(1, len(tokens) + 1))
    with store.read() as conn:
        assert len(conn.execute(select(bot_audit)).all()) == len(tokens)


def test_a_stale_holder_is_fenced_off_inside_its_write(store, leases, clock):
    old = leases.acquire("ingest:org", "a", TTL)
    assert old is not None
    clock.advance(TTL + 1)
    new = leases.acquire("ingest:org", "b", TTL)
    assert new is not None

    with pytest.raises(StaleLeaseError) as caught, store.begin() as conn:
        conn.execute(insert(bot_audit).values(at=ANCHOR, team_id="T", user_id="U", kind="query", outcome="ok"))
        leases.check(conn, old)
    assert (caught.value.token, caught.value.stored) == (1, 2)
    assert "stale" in str(caught.value)
    with store.read() as conn:
        assert conn.execute(select(bot_audit)).all() == [], "the stale write was rolled back"

    with store.begin() as conn:
        check_lease(conn, new)
    leases.release(new)
    with pytest.raises(StaleLeaseError, match="released"), store.begin() as conn:
        check_lease(conn, new)


def test_no_takeover_while_a_fenced_write_is_open(postgres_url, clock):
    with Database(postgres_url) as db:
        db.migrate()
        leases = Leases(db, clock)
        held = leases.acquire("ingest:org", "a", TTL)
        assert held is not None
        clock.advance(TTL + 1)
        with db.begin() as conn:
            check_lease(conn, held)
            assert leases.acquire("ingest:org", "b", TTL) is None, "the row is locked by the write: skipped"
        taken = leases.acquire("ingest:org", "b", TTL)
        assert taken is not None and taken.token == 2


def _run_threads(target, count: int) -> None:
    threads = [threading.Thread(target=target, name=f"worker-{n}") for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
