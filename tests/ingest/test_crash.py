"""The crash test: ingest in a subprocess, SIGKILLed at random moments 50 times, loses and duplicates nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from auditbot.core.clock import ManualClock
from auditbot.sandbox import start_server
from auditbot.store import Database
from auditbot.store.ingest_store import SqlIngestStore
from tests.ingest.helpers import ANCHOR, make_sandbox, mirror_ids, visible_ids

KILLS = 50
DAYS = 60
PAGE_LIMIT = 10
ROOT = Path(__file__).resolve().parents[2]


def spawn(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.ingest.crash_runner", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_ingest_killed_50_times_at_random_moments_ends_with_the_exact_mirror(tmp_path):
    clock = ManualClock(ANCHOR)  # the sandbox's time stands still: a fixed set of visible events
    api = make_sandbox(clock, days=DAYS)
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    with Database(url) as db:
        db.migrate()
    rng = random.Random(20261125)
    interrupted = 0
    with start_server(api) as running:
        args = [
            url,
            running.base_url,
            api.org_id,
            api.api_key,
            ANCHOR.isoformat(),
            str(time.time()),
            str(DAYS),
            str(PAGE_LIMIT),
        ]
        kills = 0
        while kills < KILLS:
            child = spawn(args)
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.15))
            os.kill(child.pid, signal.SIGKILL)
            rest, _ = child.communicate(timeout=10)
            assert child.returncode in (0, -signal.SIGKILL)
            kills += child.returncode == -signal.SIGKILL  # a worker that finished first is simply started again
            interrupted += child.returncode == -signal.SIGKILL and "done" not in rest.split()
        final = spawn(args)
        out, _ = final.communicate(timeout=60)
        assert final.returncode == 0, out
        assert out.split()[-1] == "done"
    assert interrupted >= KILLS * 4 // 5, f"only {interrupted} of {KILLS} kills landed before a run finished"
    with Database(url) as db:
        position = SqlIngestStore(db, clock).position(api.org_id)
        assert position is not None and position.covered_from is not None
        expected = visible_ids(api, position.covered_from, ANCHOR)
        ids, rows = mirror_ids(db, api.org_id)
    assert len(expected) > 1000
    assert ids == expected, f"lost {len(expected - ids)}, extra {len(ids - expected)}"
    assert rows == len(expected), f"{rows - len(expected)} duplicated rows"
