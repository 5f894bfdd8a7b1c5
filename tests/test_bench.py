"""``python -m bench``: the one command for every benchmark prints one markdown table of the right shape.

Only the shape is checked (columns, one row per result, a ratio in each row), never a timing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bench.result import COLUMNS, TIMES, Result, markdown_table
from bench.suite import BENCHMARKS, NAMES, chosen

ROOT = Path(__file__).resolve().parent.parent
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
RATIO = re.compile(r"^\*\*\d+(\.\d+)?(e-?\d+)?" + TIMES + r"\*\*")


def cells(row: str) -> list[str]:
    assert row.startswith("| ") and row.endswith(" |"), row
    return [cell.strip() for cell in UNESCAPED_PIPE.split(row)[1:-1]]


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args], capture_output=True, text=True, cwd=ROOT, timeout=110, check=False
    )


def test_quick_run_of_two_prints_one_table_and_writes_it(tmp_path: Path) -> None:
    written = tmp_path / "bench.md"
    done = bench("--quick", "--only", "client,query", "--markdown", str(written))

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert cells(lines[0]) == list(COLUMNS)
    assert lines[1] == "|---|---|---|---|"
    rows = [cells(line) for line in lines[2:]]
    assert [row[0].split(":")[0] for row in rows] == ["`client`", "`query`"]
    for row in rows:
        assert len(row) == len(COLUMNS), row
        assert all(row), row
        assert RATIO.match(row[3]), row[3]
    assert written.read_text(encoding="utf-8") == done.stdout
    assert "[1/2] client" in done.stderr and "[2/2] query" in done.stderr


def test_an_unknown_benchmark_name_is_refused_with_the_known_ones() -> None:
    done = bench("--only", "client,nosuch")

    assert done.returncode == 2
    assert "unknown benchmark nosuch" in done.stderr
    assert "ack" in done.stderr and "load" in done.stderr
    assert done.stdout == ""


def test_quick_leaves_out_the_load_test_unless_it_is_named() -> None:
    assert "load" not in [b.name for b in chosen([], quick=True)]
    assert [b.name for b in chosen([], quick=False)] == list(NAMES)
    assert [b.name for b in chosen(["load", "ack"], quick=True)] == ["ack", "load"]


def test_every_benchmark_module_has_a_run_function_and_a_main() -> None:
    for benchmark in BENCHMARKS:
        module = __import__(benchmark.module, fromlist=["run", "main"])
        assert callable(module.run) and callable(module.main), benchmark.module


def test_table_escapes_pipes_and_shows_skipped_parts_and_targets() -> None:
    table = markdown_table(
        [
            Result("`a`: x | y", "1 ms", "2 ms", 0.5, target=3),
            Result("`b`", "0 calls", "50 calls", 0.0, of="API calls"),
            Result.skip("`c`: PostgreSQL", "no PostgreSQL answering at 127.0.0.1:5432"),
        ]
    )
    rows = [cells(line) for line in table.splitlines()[2:]]

    assert rows[0] == ["`a`: x \\| y", "1 ms", "2 ms", f"**0.50{TIMES}** (target ≤ 3{TIMES})"]
    assert rows[1][3] == f"**0{TIMES}** API calls"
    assert rows[2] == ["`c`: PostgreSQL", "skipped: no PostgreSQL answering at 127.0.0.1:5432", "", ""]
