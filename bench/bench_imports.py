"""Import time of the Slack app (``auditbot.slack.app``) against importing ``slack_bolt`` alone.

Each import runs in a fresh interpreter (``python -c``) that times only the import statement, so
interpreter start-up is left out; the two alternate, after one warm-up run each (which also writes
bytecode caches), and the figure is the median. One more run under ``python -X importtime`` lists
the modules whose own import costs most.

Run: python -m bench.bench_imports
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from bench.result import Log, Result, milliseconds, quiet

APP = "auditbot.slack.app"
BOLT = "slack_bolt"
RUNS = 9
QUICK_RUNS = 3
HEAVIEST = 8
ROOT = Path(__file__).resolve().parent.parent

TIMED = "import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"


def import_seconds(module: str) -> float:
    """Seconds to import ``module`` in a fresh interpreter, start-up excluded."""
    done = subprocess.run(
        [sys.executable, "-c", TIMED.format(module=module)], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return float(done.stdout.strip().splitlines()[-1])


def heaviest(module: str, count: int = HEAVIEST) -> list[tuple[int, str]]:
    """The ``count`` modules with the largest own import time (µs) when importing ``module``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    rows: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            rows.append((int(parts[0]), parts[2].strip()))
    return sorted(rows, reverse=True)[:count]


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    runs = QUICK_RUNS if quick else RUNS
    for module in (APP, BOLT):  # warm-up: bytecode caches, file system caches
        import_seconds(module)
    samples: dict[str, list[float]] = {APP: [], BOLT: []}
    for _ in range(runs):
        for module in (BOLT, APP):
            samples[module].append(import_seconds(module))
    app, bolt = statistics.median(samples[APP]), statistics.median(samples[BOLT])
    log(f"import in a fresh interpreter, median of {runs}")
    log(f"import {BOLT:<22} {bolt * 1e3:8.1f} ms")
    log(f"import {APP:<22} {app * 1e3:8.1f} ms   ({app / bolt:.2f}x)")
    if not quick:
        log(f"largest own import times under `import {APP}`:")
        for micros, name in heaviest(APP):
            log(f"  {micros / 1e3:7.1f} ms  {name}")
    return [
        Result(
            f"`imports`: `import {APP}` (the app and all it loads) in a fresh interpreter (median of {runs})",
            milliseconds(app),
            f"`import {BOLT}` alone, {milliseconds(bolt)}",
            app / bolt,
        )
    ]


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
