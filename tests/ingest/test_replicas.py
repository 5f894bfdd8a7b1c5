"""Three ingest workers on one PostgreSQL store, the leader killed again and again.

Never two holders at once, stale holders fenced off, and the mirror complete.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar

from auditbot.core.clock import ManualClock
from auditbot.core.model import AuditEvent
from auditbot.services.ingest import IngestLease, Ingestor, IngestReport
from auditbot.store import Database, Leases
from auditbot.store.ingest_store import SqlIngestStore
from tests.ingest.helpers import ANCHOR, make_client, make_sandbox, mirror_ids, visible_ids

TTL = 30.0
ROUNDS = 36
KILL_EVERY = 3


class RecordingStore(SqlIngestStore):
    """Records, in commit order, the token of every page that was committed."""

    commits: ClassVar[list[tuple[int, str]]] = []
    lock: ClassVar[threading.Lock] = threading.Lock()

    def commit_page(
        self,
        org_id: str,
        batch: Sequence[AuditEvent],
        cursor: str | None,
        newest_processed_at: datetime | None,
        lease: IngestLease,
    ) -> int | None:
        with self.lock:  # so the recorded order is the commit order
            new = super().commit_page(org_id, batch, cursor, newest_processed_at, lease)
            if new is not None:
                self.commits.append((lease.token, lease.owner))
        return new


def test_three_workers_one_killed_again_and_again(postgres_store: Database, clock: ManualClock):
    url = postgres_store.engine.url.render_as_string(hide_password=False)
    api = make_sandbox(clock, days=3)
    RecordingStore.commits = []
    databases = [Database(url) for _ in range(3)]
    births = iter(range(1000))

    def start(slot: int) -> Ingestor:
        store = RecordingStore(databases[slot], clock)
        owner = f"worker-{slot}-life-{next(births)}"
        return Ingestor(
            make_client(api, clock), store, clock, org_id=api.org_id, owner=owner, page_limit=25, lease_ttl=TTL
        )

    workers = [start(slot) for slot in range(3)]
    owners_of: dict[int, set[str]] = {}
    zombies_rejected = 0
    page = make_client(api, clock).poll_events(start=ANCHOR - timedelta(days=1), limit=50).data
    try:
        for round_no in range(ROUNDS):
            reports: list[IngestReport | None] = [None] * 3
            barrier = threading.Barrier(3)

            def run(
                slot: int, reports: list[IngestReport | None] = reports, barrier: threading.Barrier = barrier
            ) -> None:
                barrier.wait()
                reports[slot] = workers[slot].run_once(max_pages=4)

            threads = [threading.Thread(target=run, args=(slot,)) for slot in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            leaders = [slot for slot, report in enumerate(reports) if report is not None and report.leader]
            assert len(leaders) <= 1, f"round {round_no}: two lease holders at once: {leaders}"
            for slot in leaders:
                report = reports[slot]
                assert report is not None and report.lease_token is not None
                owners_of.setdefault(report.lease_token, set()).add(workers[slot].owner)
                holder = Leases(postgres_store, clock).holder(workers[slot].lease_name)
                assert holder is not None and (holder.owner, holder.token) == (workers[slot].owner, report.lease_token)
            if leaders and round_no % KILL_EVERY == KILL_EVERY - 1:
                slot = leaders[0]
                zombie, workers[slot] = workers[slot], start(slot)  # dies holding its lease; a new life starts
                clock.advance(TTL + 1)  # nobody renews it: it expires
                taken = next(w for w in workers if w is not workers[slot]).run_once(max_pages=1)
                assert taken.leader and taken.lease_token is not None
                stale = zombie.lease
                assert stale is not None and taken.lease_token > stale.token
                owners_of.setdefault(taken.lease_token, set()).add(taken_owner(workers, taken))
                before = (
                    mirror_ids(postgres_store, api.org_id),
                    SqlIngestStore(postgres_store, clock).position(api.org_id),
                )
                zombie_store = SqlIngestStore(postgres_store, clock)
                assert zombie_store.commit_page(api.org_id, page, "zombie-cursor", ANCHOR, stale) is None
                assert zombie_store.prune(api.org_id, ANCHOR, stale) is None
                assert zombie.run_once().leader is False
                after = (
                    mirror_ids(postgres_store, api.org_id),
                    SqlIngestStore(postgres_store, clock).position(api.org_id),
                )
                assert after == before, "a stale holder changed the mirror or the cursor"
                zombies_rejected += 1
            clock.advance(10)
        clock.advance(TTL + 1)
        final = next(r for r in (w.run_once() for w in workers) if r.leader)
        assert final.error is None
    finally:
        for db in databases:
            db.close()
    assert zombies_rejected >= ROUNDS // KILL_EVERY - 1
    assert all(len(owners) == 1 for owners in owners_of.values()), owners_of
    tokens = [token for token, _ in RecordingStore.commits]
    assert tokens == sorted(tokens), "a page was committed under an older token after a newer one"
    position = SqlIngestStore(postgres_store, clock).position(api.org_id)
    assert position is not None and position.covered_from is not None
    expected = visible_ids(api, position.covered_from, clock.now())
    ids, rows = mirror_ids(postgres_store, api.org_id)
    assert ids == expected, f"lost {len(expected - ids)}, extra {len(ids - expected)}"
    assert rows == len(expected)


def taken_owner(workers: list[Ingestor], report: IngestReport) -> str:
    return next(w.owner for w in workers if w.lease is not None and w.lease.token == report.lease_token)
