"""The crash test: ingest in a subprocess, SIGKILLed 50 times mid-run, loses and duplicates nothing.

Each kill lands when the worker's n-th request reaches the sandbox (n drawn from a seeded rng), so
every one interrupts a run that had more to read, whatever the machine's speed.
"""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import pytest

from auditbot.core.clock import ManualClock
from auditbot.sandbox import start_server
from auditbot.store import Database
from auditbot.store.ingest_store import SqlIngestStore
from tests.ingest.helpers import ANCHOR, make_sandbox, mirror_ids, visible_ids
from tests.ingest.workers import Killer, KillingSandbox, Worker

KILLS = 50
DAYS = 60
PAGE_LIMIT = 10
MAX_REQUEST = 6
"""A worker is killed when its n-th request arrives, n in 1..MAX_REQUEST (a few pages a run)."""


@pytest.mark.timeout(600)  # 51 process starts: minutes on a busy machine
def test_ingest_killed_50_times_mid_run_ends_with_the_exact_mirror(tmp_path: Path) -> None:
    clock = ManualClock(ANCHOR)  # the sandbox's time stands still: a fixed set of visible events
    api = make_sandbox(clock, days=DAYS)
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    with Database(url) as db:
        db.migrate()
    rng = random.Random(20261125)
    killer = Killer()
    kills = interrupted = spawned = 0
    with start_server(KillingSandbox(api, killer)) as running:
        args = [url, running.base_url, api.org_id, api.api_key, ANCHOR.isoformat(), str(time.time()), str(DAYS)]
        args.append(str(PAGE_LIMIT))
        while kills < KILLS:
            killer.at_request(rng.randint(1, MAX_REQUEST))
            spawned += 1
            worker = Worker("tests.ingest.crash_runner", args, tmp_path / "workers", spawned)
            if worker.wait() == -signal.SIGKILL:
                assert killer.landed is not None, f"worker {spawned} was killed by something else\n{worker}"
                kills += 1
                interrupted += "done" not in worker.lines()
            else:  # the stream was read to its end before the kill: started again, as a restart would be
                assert worker.finished(), f"a worker exited without saying done\n{worker}"
            killer.disarm()
        final = Worker("tests.ingest.crash_runner", args, tmp_path / "workers", spawned + 1)
        assert final.wait(timeout=120) == 0 and final.finished(), f"the last worker did not finish\n{final}"
    assert interrupted == KILLS, f"only {interrupted} of {KILLS} kills landed before a run finished"
    with Database(url) as db:
        position = SqlIngestStore(db, clock).position(api.org_id)
        assert position is not None and position.covered_from is not None
        expected = visible_ids(api, position.covered_from, ANCHOR)
        ids, rows = mirror_ids(db, api.org_id)
    assert len(expected) > 1000
    assert ids == expected, f"lost {len(expected - ids)}, extra {len(ids - expected)}"
    assert rows == len(expected), f"{rows - len(expected)} duplicated rows"
