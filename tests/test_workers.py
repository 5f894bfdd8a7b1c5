"""The background workers beside the app: ingest in a thread per process, and the line App Home shows about it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from auditbot.config import load_settings
from auditbot.core.clock import SystemClock
from auditbot.runtime import build_runtime
from auditbot.runtime.workers import describe
from auditbot.services.ingest import IngestReport
from auditbot.services.mirror_source import Freshness, mirror_freshness
from auditbot.store.cursors import StreamCursors


def test_the_app_home_line_says_how_the_mirror_is_doing():
    up_to_date = Freshness(True, timedelta(seconds=20))
    assert describe(up_to_date, None) == "The local copy of the audit log is up to date."
    assert describe(up_to_date, IngestReport(leader=False, error="not the leader")) == (
        "The local copy of the audit log is up to date."
    ), "another replica follows the log: the copy is what counts"
    assert describe(Freshness(False, timedelta(minutes=16)), IngestReport(leader=True, error="boom")) == (
        "The local copy of the audit log is 16 min behind. Its last update stopped: boom"
    )
    never = mirror_freshness(None, datetime.now(UTC), timedelta(minutes=2))
    assert "has not read the audit log to its end yet" in describe(never, None)


def test_the_workers_fill_the_mirror_in_the_background_and_stop_cleanly(tmp_path):
    settings = load_settings({"AUDITBOT_DATA_DIR": str(tmp_path), "AUDITBOT_BACKFILL_DAYS": "2"})
    with build_runtime(settings, SystemClock()) as runtime:
        with runtime.workers(interval=60):
            status = runtime.deps.mirror_status
            assert status is not None
            done = threading.Event()
            for _ in range(1800):  # the first run's end, however busy the machine (the test's timeout bounds it)
                if "up to date" in (status() or ""):
                    done.set()
                    break
                done.wait(0.05)
            assert done.is_set(), status()
        assert runtime.store is not None
        cursor = StreamCursors(runtime.store).get(runtime.connection.org_id)
        assert cursor is not None and cursor.covered_from is not None
