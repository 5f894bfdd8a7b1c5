"""Ingestor over the sandbox: backfill, live following, late events, faults, 429, fencing and retention."""

from __future__ import annotations

import argparse
import threading
from datetime import timedelta

import pytest

from auditbot.core.clock import ManualClock, SystemClock
from auditbot.sandbox.store import EventIndex
from auditbot.services.ingest import NOT_THE_LEADER, Ingestor, IngestReport
from auditbot.store import Database, Leases
from auditbot.store.cursors import StreamCursors
from auditbot.store.ingest_store import SqlIngestStore
from auditbot.terminal import ingest_cli
from tests.ingest.helpers import ANCHOR, make_client, make_sandbox, mirror_ids, visible_ids


def ingestor(api, store: SqlIngestStore, clock: ManualClock, owner: str = "w1", **options) -> Ingestor:
    client = options.pop("client", None) or make_client(api, clock)
    options.setdefault("page_limit", 50)
    return Ingestor(client, store, clock, org_id=api.org_id, owner=owner, **options)


def assert_complete(api, db: Database, store: SqlIngestStore, clock: ManualClock) -> set[str]:
    position = store.position(api.org_id)
    assert position is not None and position.covered_from is not None
    expected = visible_ids(api, position.covered_from, clock.now())
    ids, rows = mirror_ids(db, api.org_id)
    assert ids == expected, f"lost {len(expected - ids)}, extra {len(ids - expected)}"
    assert rows == len(expected)
    return ids


def test_the_first_start_backfills_exactly_the_window(store, clock):
    api = make_sandbox(clock, days=6)
    sql = SqlIngestStore(store, clock)
    report = ingestor(api, sql, clock, backfill=timedelta(days=2)).run_once()
    assert report.leader and report.error is None
    position = sql.position(api.org_id)
    assert position is not None and position.covered_from == ANCHOR - timedelta(days=2)
    ids = assert_complete(api, store, sql, clock)
    older = visible_ids(api, ANCHOR - timedelta(days=6), clock.now()) - ids
    assert older, "the org has events before the backfill window"
    assert report.events_new == report.events_seen == len(ids)
    assert report.pages == len(ids) // 50 + 1 + (1 if len(ids) % 50 else 0)
    assert report.lag_seconds is not None and 0 <= report.lag_seconds < 3600


def test_later_runs_pick_up_new_and_late_processed_events_as_the_clock_moves(store, clock):
    api = make_sandbox(clock, days=2)
    sql = SqlIngestStore(store, clock)
    worker = ingestor(api, sql, clock)
    seen = assert_complete(api, store, sql, clock) if worker.run_once().leader else set()
    late = 0
    for _ in range(24):
        before = clock.now()
        clock.advance(600)
        report = worker.run_once()
        assert report.leader and report.error is None
        ids = assert_complete(api, store, sql, clock)
        index = api.source.index(clock.now())
        late += sum(1 for i in ids - seen if _time_us(index, i) < before.timestamp() * 1e6)
        seen = ids
    assert late > 0, "some events were processed after a run had passed their event time"


def test_a_run_with_nothing_new_keeps_the_cursor_and_polls_from_it(store, clock):
    api = make_sandbox(clock, days=1)
    sql = SqlIngestStore(store, clock)
    worker = ingestor(api, sql, clock)
    worker.run_once()
    first = sql.position(api.org_id)
    report = worker.run_once()
    assert (report.pages, report.events_seen, report.error) == (1, 0, None)
    assert sql.position(api.org_id) == first


@pytest.mark.parametrize("kind", ["500", "drop", "malformed"])
def test_a_failure_mid_stream_keeps_the_last_committed_cursor_and_the_next_run_has_no_gap(store, clock, kind):
    api = make_sandbox(clock, days=2)
    sql = SqlIngestStore(store, clock)
    worker = ingestor(api, sql, clock)
    assert worker.run_once(max_pages=3).events_seen == 150
    before = sql.position(api.org_id)
    api.faults.push(kind, kind)  # the client tries twice, then gives up
    failed = worker.run_once()
    assert failed.leader and failed.error is not None and "API failed" in failed.error
    assert failed.events_seen == 0
    assert sql.position(api.org_id) == before
    report = worker.run_once()
    assert report.error is None
    assert_complete(api, store, sql, clock)


def test_a_single_failure_is_retried_by_the_client_and_the_run_completes(store, clock):
    api = make_sandbox(clock, days=1)
    sql = SqlIngestStore(store, clock)
    api.faults.push("500")
    assert ingestor(api, sql, clock).run_once().error is None
    assert_complete(api, store, sql, clock)


def test_429_waits_for_the_reset_on_the_clock_within_max_wait(store, clock):
    api = make_sandbox(clock, days=1, stream_per_minute=4)
    sql = SqlIngestStore(store, clock)
    report = ingestor(api, sql, clock, max_wait=120.0).run_once()
    assert report.error is None
    assert clock.now() > ANCHOR + timedelta(minutes=1), "it waited for the sandbox's window to reset"
    assert_complete(api, store, sql, clock)


def test_429_beyond_max_wait_stops_the_run_and_the_next_one_resumes(store, clock):
    api = make_sandbox(clock, days=1, stream_per_minute=4)
    sql = SqlIngestStore(store, clock)
    worker = ingestor(api, sql, clock, max_wait=0.0)
    stopped = worker.run_once()
    assert stopped.leader and stopped.error is not None and "rate limited" in stopped.error
    assert stopped.events_seen == 200
    for _ in range(20):
        clock.advance(61)
        if worker.run_once().error is None:
            break
    else:
        pytest.fail("ingest never caught up")
    assert_complete(api, store, sql, clock)


def test_only_one_worker_leads_and_a_stale_holder_cannot_write(store, clock):
    api = make_sandbox(clock, days=1)
    sql = SqlIngestStore(store, clock)
    old = ingestor(api, sql, clock, owner="old", lease_ttl=30.0)
    new = ingestor(api, sql, clock, owner="new", lease_ttl=30.0)
    assert old.run_once(max_pages=2).leader
    assert new.run_once() == IngestReport(leader=False, error=NOT_THE_LEADER)
    stale = old.lease
    assert stale is not None
    clock.advance(31)  # the old worker stalls past its lease
    taken = new.run_once(max_pages=1)
    assert taken.leader and taken.lease_token == stale.token + 1
    position = sql.position(api.org_id)
    ids, _ = mirror_ids(store, api.org_id)
    page = make_client(api, clock).poll_events(start=ANCHOR - timedelta(days=2), limit=500)
    assert sql.commit_page(api.org_id, page.data, "zombie", ANCHOR, stale) is None
    assert sql.cover(api.org_id, ANCHOR, stale) is False
    assert sql.prune(api.org_id, ANCHOR, stale) is None
    assert sql.position(api.org_id) == position
    assert mirror_ids(store, api.org_id)[0] == ids
    assert old.run_once() == IngestReport(leader=False, error=NOT_THE_LEADER)
    assert new.run_once().error is None
    assert_complete(api, store, sql, clock)


def test_retention_prunes_old_events_and_moves_the_coverage_start(store, clock):
    api = make_sandbox(clock, days=4)
    sql = SqlIngestStore(store, clock)
    worker = ingestor(api, sql, clock, backfill=timedelta(days=2), retention=timedelta(days=2))
    assert worker.run_once().pruned == 0
    clock.advance(timedelta(days=1).total_seconds())
    report = worker.run_once()
    assert report.pruned > 0
    cutoff = ANCHOR - timedelta(days=1)
    position = sql.position(api.org_id)
    assert position is not None and position.covered_from == cutoff
    index = api.source.index(clock.now())
    ids, rows = mirror_ids(store, api.org_id)
    assert ids and rows == len(ids)
    assert all(_time_us(index, i) >= cutoff.timestamp() * 1e6 for i in ids)


def test_a_retention_beyond_the_apis_180_days_keeps_what_was_read(store, clock):
    api = make_sandbox(clock, days=3)
    sql = SqlIngestStore(store, clock)
    worker = ingestor(api, sql, clock, backfill=timedelta(days=2), retention=timedelta(days=3650))
    worker.run_once()
    clock.advance(timedelta(days=1).total_seconds())
    assert worker.run_once().pruned == 0
    position = sql.position(api.org_id)
    assert position is not None and position.covered_from == ANCHOR - timedelta(days=2)


def test_each_pass_records_when_it_read_to_the_end_and_a_failure_after_it(store, clock):
    api = make_sandbox(clock, days=2)
    sql = SqlIngestStore(store, clock)
    cursors = StreamCursors(store)
    worker = ingestor(api, sql, clock)
    partial = worker.run_once(max_pages=2)
    assert partial.read_to_end_at is None
    stored = cursors.get(api.org_id)
    assert stored is not None and stored.read_to_end_at is None, "a backfill under way has not read to the end"
    clock.advance(5)
    done = worker.run_once()
    assert done.read_to_end_at is not None and ANCHOR < done.read_to_end_at <= clock.now()
    stored = cursors.get(api.org_id)
    assert stored is not None and stored.read_to_end_at == done.read_to_end_at and stored.failed_at is None
    clock.advance(30)
    api.faults.push("500", "500")
    failed = worker.run_once()
    assert failed.error is not None and failed.read_to_end_at is None
    stored = cursors.get(api.org_id)
    assert stored is not None and stored.read_to_end_at == done.read_to_end_at
    assert stored.failed_at == clock.now() and stored.failure == failed.error
    clock.advance(30)
    again = worker.run_once()
    stored = cursors.get(api.org_id)
    assert stored is not None and stored.read_to_end_at == again.read_to_end_at
    assert (
        stored.read_to_end_at is not None and stored.failed_at is not None and stored.read_to_end_at > stored.failed_at
    )


def test_run_forever_runs_on_the_clock_until_stopped_and_releases_the_lease(store, clock):
    api = make_sandbox(clock, days=1)
    sql = SqlIngestStore(store, clock)
    worker = ingestor(api, sql, clock)
    stop = threading.Event()
    reports: list[IngestReport] = []

    def seen(report: IngestReport) -> None:
        reports.append(report)
        if len(reports) == 3:
            stop.set()

    worker.run_forever(stop, interval=30.0, on_report=seen)
    assert [r.leader for r in reports] == [True, True, True]
    assert clock.now() >= ANCHOR + timedelta(seconds=60)
    assert Leases(store, clock).holder(worker.lease_name) is None
    assert_complete(api, store, sql, clock)


def test_the_settings_are_checked(clock, tmp_path):
    api = make_sandbox(clock, days=1)
    with Database(f"sqlite:///{tmp_path / 'x.db'}") as db:
        sql = SqlIngestStore(db, clock)
        with pytest.raises(ValueError, match="180"):
            ingestor(api, sql, clock, backfill=timedelta(days=181))
        with pytest.raises(ValueError, match="page_limit"):
            ingestor(api, sql, clock, page_limit=501)
        with pytest.raises(ValueError, match="retention must be at least the backfill"):
            ingestor(api, sql, clock, backfill=timedelta(days=30), retention=timedelta(days=7))


def test_the_command_runs_once_against_the_built_in_sandbox(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AUDITBOT_DATA_DIR", str(tmp_path))
    args = argparse.Namespace(once=True, interval=30.0, backfill_days=1.0, page_limit=500, clock=SystemClock())
    assert ingest_cli.run(args) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("ingest: ") and " new of " in out[0]


def _time_us(index: EventIndex, event_id: str) -> int:
    found = index.get(event_id)
    assert found is not None
    return found.time_us
