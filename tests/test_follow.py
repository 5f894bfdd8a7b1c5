"""Ingest beside the app: a background thread per process, and the line App Home shows about it."""

from __future__ import annotations

import threading

from auditbot.config import load_settings
from auditbot.core.clock import SystemClock
from auditbot.follow import describe, following
from auditbot.services.ingest import IngestReport
from auditbot.store.cursors import StreamCursors
from auditbot.wiring import connect, open_store, slack_deps


def test_the_app_home_line_says_how_the_mirror_is_doing():
    assert "starting" in describe(None)
    assert "Another auditbot replica" in describe(IngestReport(leader=False, error="not the leader"))
    assert "could not update: boom" in describe(IngestReport(leader=True, error="boom"))
    assert describe(IngestReport(leader=True, lag_seconds=41.6, events_new=3)) == (
        "The local copy of the audit log is 42 s behind (3 new events last run)."
    )


def test_following_fills_the_mirror_in_the_background_and_stops_cleanly(tmp_path):
    settings = load_settings({"AUDITBOT_DATA_DIR": str(tmp_path), "AUDITBOT_BACKFILL_DAYS": "2"})
    clock = SystemClock()
    with open_store(settings) as store, connect(settings, clock) as connection:
        deps = slack_deps(connection, settings, clock, secret=b"s" * 32, store=store)
        with following(connection, store, settings, clock, deps, interval=60):
            status = deps.mirror_status
            assert status is not None
            done = threading.Event()
            for _ in range(1800):  # the first run's end, however busy the machine (the test's timeout bounds it)
                if "behind" in (status() or ""):
                    done.set()
                    break
                done.wait(0.05)
            assert done.is_set(), status()
        cursor = StreamCursors(store).get(connection.org_id)
        assert cursor is not None and cursor.covered_from is not None
