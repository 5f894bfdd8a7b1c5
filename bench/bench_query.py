"""Query language speed: parse + format of 10,000 varied realistic queries, against shlex.split.

Run ``python -m bench.bench_query``. Every figure is the best of several rounds over the same
strings, in µs per query; ratios are against ``shlex.split`` of the same strings in the same run
(``str.split`` is shown as a floor). Queries are generated from a fixed seed.
"""

from __future__ import annotations

import contextlib
import random
import shlex
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditbot.core.query import Query, QueryError, format_query, parse
from bench.result import Log, Result, quiet

N = 10_000
ROUNDS = 5
QUICK_N = 500
QUICK_ROUNDS = 2
EMAILS = ["jane@example.com", "Bob.Smith@Example.com", "scim@example.com", "ops-bot@corp.example", "a.li@example.org"]
IDS = ["5b10a2844c20165700ede21g", "557058:f1e2d3c4-0000-4000-8000-123456789abc", "atlassian-internal-system"]
ACTIONS = ["user_added_to_group", "added_org_admin", "api_token_created", "user_login", '"user added to group"']
GROUPS = ['"User management"', '"API tokens"', "Security", '"Org admin"']
IPS = ["203.0.113.7", "198.51.100.2", "198.51.100.0/24", "2001:db8::1", "10.0.0.0/8", "192.168.1.20"]
PRODUCTS = ["jira", "confluence", "bitbucket", "guard_detect", "loom", "Jira"]
LOCATIONS = ['"Sydney, Australia"', '"Austin, United States"', "Berlin", '"São Paulo, Brazil"']
TIMES = ["since:24h", "last:7d", "from:15m", "since:2w", "since:yesterday", "since:today", "since:monday", "last:24h"]
TIMES += ["since:2026-11-01 until:2026-11-08", "from:2026-11-20T14:00 to:2026-11-20T18:00:30", "since:1h30m until:15m"]
TIMES += ["since:yesterday until:yesterday", "since:7d until:now", "until:2026-11-08", "since:fri until:today"]
WORDS = ['"api token"', "rotated", "SEC-1234", "https://admin.atlassian.com/o/abc/audit-log", "12:30", "“smart quotes”"]
TERMS = ["actor", "-actor", "action", "-action", "group", "ip", "-ip", "product", "-product", "location"]
BAD = ["acter:jane", "actor:", '"unclosed', "ip:1.2.3.400", "product:jiraa", "since:yesterdy", "since:2d since:1d"]


def make_queries(rng: random.Random, n: int) -> list[str]:
    """n realistic queries: 1 to 6 terms in random order, some free text, some time terms."""
    pools = {"actor": EMAILS + IDS, "action": ACTIONS, "group": GROUPS, "ip": IPS}
    pools |= {"product": PRODUCTS, "location": LOCATIONS}
    out: list[str] = []
    for _ in range(n):
        parts: list[str] = []
        for term in rng.sample(TERMS, rng.randint(0, 4)):
            pool = pools[term.lstrip("-")]
            count = 1 if term.endswith("location") else rng.randint(1, 3)
            parts.append(f"{term}:" + ",".join(rng.sample(pool, min(count, len(pool)))))
        if rng.random() < 0.8:
            parts += rng.choice(TIMES).split()
        parts += rng.sample(WORDS, rng.choice([0, 0, 0, 1, 2]))
        rng.shuffle(parts)
        out.append(" ".join(parts))
    return out


def best(fn: Callable[[], object], rounds: int = ROUNDS) -> float:
    """The fastest of ``rounds`` runs of fn, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    n, rounds = (QUICK_N, QUICK_ROUNDS) if quick else (N, ROUNDS)
    rng = random.Random(20261125)
    queries = make_queries(rng, n)
    valid = [q for q in queries if _valid(q, log)]
    assert len(valid) == len(queries), "every generated query should parse"
    bad = [rng.choice(BAD) + " " + q for q in queries[:1000]]
    parsed = [parse(q) for q in queries]
    now, tz = datetime(2026, 11, 25, 12, tzinfo=UTC), ZoneInfo("Europe/Berlin")
    shlex_ones = [q.replace("“", '"').replace("”", '"') for q in queries]

    def fresh_format() -> None:
        for q in parsed:
            q.__dict__.pop("canonical", None)  # drop the cached canonical text to measure rendering
            format_query(q)

    def parse_errors() -> None:
        for q in bad:
            with contextlib.suppress(QueryError):
                parse(q)

    rows = [
        ("shlex.split (baseline)", n, best(lambda: [shlex.split(q) for q in shlex_ones], rounds)),
        ("str.split (floor)", n, best(lambda: [q.split() for q in queries], rounds)),
        ("parse + format_query", n, best(lambda: [format_query(parse(q)) for q in queries], rounds)),
        ("format_query only (uncached)", n, best(fresh_format, rounds)),
        ("parse of bad queries (QueryError)", len(bad), best(parse_errors, rounds)),
        ("Query.window (Europe/Berlin)", n, best(lambda: [q.window(now, tz) for q in parsed], rounds)),
    ]
    baseline = rows[0][2] / n
    ours = rows[2][2] / n
    chars = sum(map(len, queries)) / n
    log(f"{n:,} queries, {chars:.0f} characters on average, best of {rounds} rounds, Python {sys.version.split()[0]}")
    log(f"{'operation':36} {'µs/query':>10} {'vs shlex':>9}")
    for name, count, seconds in rows:
        per = seconds / count
        log(f"{name:36} {per * 1e6:10.2f} {per / baseline:8.2f}x")
    log("\nsamples:")
    for q in queries[:3]:
        log(f"  {q!r}\n  -> {format_query(parse(q))!r}")
    return [
        Result(
            f"`query`: parse + format of {n:,} realistic queries ({chars:.0f} characters on average)",
            f"{ours * 1e6:.0f} µs per query",
            f"`shlex.split` of the same strings, {baseline * 1e6:.0f} µs",
            ours / baseline,
        )
    ]


def main() -> None:
    run(log=print)


def _valid(text: str, log: Log) -> bool:
    try:
        return isinstance(parse(text), Query)
    except QueryError as error:
        log(f"unexpected error for {text!r}: {error}")
        return False


if __name__ == "__main__":
    main()
