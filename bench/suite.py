"""Every benchmark of the project in one run, and one markdown table of what they measured.

``python -m bench`` runs them in turn (each module's ``run(quick, log)``) and prints the table of
benchmark, figure, baseline and ratio, each figure and its baseline measured in the same run.
Progress goes to stderr; with ``--verbose`` every benchmark's detailed lines too.

Options: ``--quick`` (small sizes, a smoke test; the load test is left out unless named),
``--only name,name``, ``--markdown PATH`` (also write the table there), ``--list``.
A benchmark that fails becomes a row saying so, and the command exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from bench.result import Log, Result, markdown_table, quiet


class Runner(Protocol):
    def __call__(self, quick: bool = ..., log: Log = ...) -> list[Result]: ...


@dataclass(frozen=True)
class Benchmark:
    name: str
    module: str
    about: str
    in_quick: bool = True
    """Whether ``--quick`` runs it without being named in ``--only``."""

    def runner(self) -> Runner:
        return cast(Runner, importlib.import_module(self.module).run)


BENCHMARKS = (
    Benchmark("ack", "bench.bench_ack", "a signed /audit command to its ack vs a bare Bolt app, in process"),
    Benchmark("load", "bench.bench_load", "200 concurrent signed commands to `auditbot run --http`", in_quick=False),
    Benchmark("imports", "bench.bench_imports", "import time of auditbot.slack.app vs slack_bolt alone"),
    Benchmark("client", "bench.bench_client", "validating a 500-event /events page vs json.loads"),
    Benchmark("search", "bench.bench_search", "one result page vs validating the API page it reads"),
    Benchmark("query", "bench.bench_query", "query parse + format vs shlex.split"),
    Benchmark("match", "bench.bench_match", "the subscription index vs a naive loop"),
    Benchmark("ingest", "bench.bench_ingest", "ingest into the mirror vs raw inserts (SQLite, PostgreSQL)"),
    Benchmark("mirror", "bench.bench_mirror", "searches from the mirror vs the Admin API"),
    Benchmark("handoff", "bench.bench_handoff", "the handoff digest in SQL vs counting rows; vs live API calls"),
    Benchmark("summary", "bench.bench_summary", "a result's total and busiest actors and IPs in SQL vs in Python"),
    Benchmark(
        "quiet-org-day", "bench.bench_quiet_day", "a quiet org's day of searches and handoffs: mirror share, API calls"
    ),
    Benchmark("disk", "bench.bench_disk", "the mirror's bytes per event on SQLite and PostgreSQL, per million"),
    Benchmark("sandbox", "bench.bench_sandbox", "sandbox /events pages over HTTP vs a static body"),
)
NAMES = tuple(benchmark.name for benchmark in BENCHMARKS)


def chosen(only: Sequence[str], quick: bool) -> list[Benchmark]:
    """The benchmarks to run, in the suite's order: those named, or all (all but the slow ones with ``quick``)."""
    if only:
        return [benchmark for benchmark in BENCHMARKS if benchmark.name in only]
    return [benchmark for benchmark in BENCHMARKS if benchmark.in_quick or not quick]


def run_all(
    benchmarks: Sequence[Benchmark],
    *,
    quick: bool = False,
    progress: Log = quiet,
    detail: Log = quiet,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[list[Result], list[str]]:
    """Each benchmark's results in order, and the names of those that failed (a row each, saying how)."""
    results: list[Result] = []
    failed: list[str] = []
    for number, benchmark in enumerate(benchmarks, 1):
        progress(f"[{number}/{len(benchmarks)}] {benchmark.name}: {benchmark.about}")
        started = clock()
        try:
            results.extend(benchmark.runner()(quick=quick, log=detail))
        except Exception as error:
            failed.append(benchmark.name)
            reason = f"{type(error).__name__}: {error}".splitlines()[0][:200]
            results.append(Result(f"`{benchmark.name}`", f"failed: {reason}"))
            progress(f"    failed: {reason}")
        progress(f"    {clock() - started:.1f} s")
    return results, failed


def parse_names(text: str) -> list[str]:
    names = [name.strip().removeprefix("bench_") for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown benchmark {', '.join(unknown)} (choose from {', '.join(NAMES)})")
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run auditbot's benchmarks and print one markdown table: figure, baseline, ratio.",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test (leaves out load)")
    parser.add_argument("--only", type=parse_names, default=[], metavar="NAME,NAME", help="run only these")
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="also write the table to PATH")
    parser.add_argument("-v", "--verbose", action="store_true", help="each benchmark's detailed lines to stderr")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        for benchmark in BENCHMARKS:
            print(f"{benchmark.name:<8} {benchmark.about}")
        return 0
    benchmarks = chosen(args.only, args.quick)

    def to_stderr(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    def indented(line: str) -> None:
        for part in str(line).splitlines() or [""]:
            to_stderr(f"    {part}")

    started = time.perf_counter()
    results, failed = run_all(
        benchmarks, quick=args.quick, progress=to_stderr, detail=indented if args.verbose else quiet
    )
    table = markdown_table(results)
    print(table, end="")
    if args.markdown is not None:
        args.markdown.write_text(table, encoding="utf-8")
    to_stderr(f"{len(benchmarks)} benchmarks in {time.perf_counter() - started:.0f} s")
    if failed:
        to_stderr(f"failed: {', '.join(failed)}")
        return 1
    return 0
