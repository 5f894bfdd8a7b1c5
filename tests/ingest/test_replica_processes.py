"""Three ingest processes on one PostgreSQL, one SIGKILLed again and again: one reader at a time, nothing lost."""

from __future__ import annotations

import os
import random
import re
import signal
import time

from auditbot.core.clock import ManualClock
from auditbot.sandbox import start_server
from auditbot.store import Database
from auditbot.store.ingest_store import SqlIngestStore
from tests.ingest.helpers import ANCHOR, make_sandbox, mirror_ids, visible_ids
from tests.ingest.test_crash import spawn
from tests.store.conftest import postgres_schema

WORKERS = 3
KILLS = 15
DAYS = 20
PAGE_LIMIT = 20
LEADER = re.compile(r"^leader token=(\d+) pid=(\d+)$")


def test_three_processes_share_the_stream_and_one_killed_again_and_again_loses_nothing():
    clock = ManualClock(ANCHOR)
    api = make_sandbox(clock, days=DAYS)
    rng = random.Random(7)
    outputs: list[str] = []
    with postgres_schema() as url, start_server(api) as running:
        with Database(url) as db:
            db.migrate()
        args = [url, running.base_url, api.org_id, api.api_key, ANCHOR.isoformat(), str(time.time()), str(DAYS)]
        args.append(str(PAGE_LIMIT))
        workers = [spawn(args) for _ in range(WORKERS)]
        for kill in range(KILLS):
            victim = workers[kill % WORKERS]
            time.sleep(rng.uniform(0.0, 0.1))
            if victim.poll() is None:
                os.kill(victim.pid, signal.SIGKILL)
            out, _ = victim.communicate(timeout=10)
            outputs.append(out)
            workers[kill % WORKERS] = spawn(args)
        for worker in workers:
            out, _ = worker.communicate(timeout=60)
            outputs.append(out)
            assert worker.returncode == 0, out
        with Database(url) as db:
            position = SqlIngestStore(db, clock).position(api.org_id)
            assert position is not None and position.covered_from is not None
            expected = visible_ids(api, position.covered_from, ANCHOR)
            ids, rows = mirror_ids(db, api.org_id)
    holders: dict[int, set[int]] = {}
    for line in "\n".join(outputs).splitlines():
        match = LEADER.match(line.strip())
        if match:
            holders.setdefault(int(match.group(1)), set()).add(int(match.group(2)))
    assert holders, "some worker led"
    assert all(len(pids) == 1 for pids in holders.values()), f"a lease token held by two processes: {holders}"
    assert len(holders) > 1, "leadership moved between processes"
    assert ids == expected, f"lost {len(expected - ids)}, extra {len(ids - expected)}"
    assert rows == len(expected), f"{rows - len(expected)} duplicated rows"
