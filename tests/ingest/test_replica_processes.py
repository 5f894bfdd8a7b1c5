"""Three ingest processes on one PostgreSQL, the leader SIGKILLed again and again: one reader at a time, nothing lost.

Each kill lands on whichever process reads the stream (the leader) when the sandbox receives the
n-th request since the last kill (n drawn from a seeded rng); a replacement process starts at once.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

from auditbot.core.clock import ManualClock
from auditbot.sandbox import start_server
from auditbot.store import Database
from auditbot.store.ingest_store import SqlIngestStore
from tests.ingest.helpers import ANCHOR, make_sandbox, mirror_ids, visible_ids
from tests.ingest.workers import ROUND_WAIT, Killer, KillingSandbox, Worker
from tests.store.conftest import postgres_schema

WORKERS = 3
KILLS = 15
DAYS = 20
PAGE_LIMIT = 20
MAX_REQUEST = 4
LEADER = re.compile(r"^leader token=(\d+) pid=(\d+)$")


def test_three_processes_share_the_stream_and_the_leader_killed_again_and_again_loses_nothing(tmp_path: Path) -> None:
    clock = ManualClock(ANCHOR)
    api = make_sandbox(clock, days=DAYS)
    rng = random.Random(7)
    killer = Killer()
    folder = tmp_path / "workers"
    done: list[Worker] = []
    with postgres_schema() as url, start_server(KillingSandbox(api, killer)) as running:
        with Database(url) as db:
            db.migrate()
        args = [url, running.base_url, api.org_id, api.api_key, ANCHOR.isoformat(), str(time.time()), str(DAYS)]
        args.append(str(PAGE_LIMIT))
        spawned = WORKERS
        workers = {w.pid: w for w in (Worker("tests.ingest.crash_runner", args, folder, n) for n in range(WORKERS))}
        for _ in range(KILLS):
            killer.at_request(rng.randint(1, MAX_REQUEST))
            if not killer.fired.wait(ROUND_WAIT):
                shown = "\n".join(str(w) for w in workers.values())
                raise AssertionError(f"no worker read the stream in {ROUND_WAIT:.0f} s\n{shown}")
            assert killer.pid is not None
            victim = workers.pop(killer.pid)
            victim.wait()
            done.append(victim)
            killer.disarm()
            spawned += 1
            replacement = Worker("tests.ingest.crash_runner", args, folder, spawned)
            workers[replacement.pid] = replacement
        for worker in workers.values():
            assert worker.wait(timeout=120) == 0, f"a worker did not finish\n{worker}"
            done.append(worker)
        with Database(url) as db:
            position = SqlIngestStore(db, clock).position(api.org_id)
            assert position is not None and position.covered_from is not None
            expected = visible_ids(api, position.covered_from, ANCHOR)
            ids, rows = mirror_ids(db, api.org_id)
    holders: dict[int, set[int]] = {}
    for worker in done:
        for line in worker.out_path.read_text().splitlines():
            match = LEADER.match(line.strip())
            if match:
                holders.setdefault(int(match.group(1)), set()).add(int(match.group(2)))
    assert holders, "some worker led"
    assert all(len(pids) == 1 for pids in holders.values()), f"a lease token held by two processes: {holders}"
    assert len(holders) > 1, "leadership moved between processes"
    assert ids == expected, f"lost {len(expected - ids)}, extra {len(ids - expected)}"
    assert rows == len(expected), f"{rows - len(expected)} duplicated rows"
