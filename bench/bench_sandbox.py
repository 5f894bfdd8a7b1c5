"""Benchmark: 500-event ``/events`` pages per second served by the sandbox over loopback HTTP.

Baseline, measured in the same run on the same server mount: a handler that returns a
precomputed body of the same size. The ratio (sandbox / baseline) is the figure to watch; the
absolute rates depend on the machine. Run: ``python -m bench.bench_sandbox`` (about 20 s).
"""

from __future__ import annotations

import http.client
import json
import time
from datetime import UTC, datetime
from urllib.parse import quote

from auditbot.core.clock import ManualClock
from auditbot.sandbox import RateLimits, SandboxApi, SandboxRequest, SandboxResponse, start_server
from bench.result import Log, Result, quiet

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ROUND_SECONDS = 2.0
ROUNDS = 4
QUICK_ROUND_SECONDS = 0.25
QUICK_ROUNDS = 1
KEY = "sandbox-key"


class StaticPage:
    """The baseline: always the same precomputed body, no work per request."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.headers = {"Content-Type": "application/json"}

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(200, self.headers, self.body)


class PageWalker:
    """Walks every 500-event page of ``/events`` over one keep-alive connection, round and round."""

    def __init__(self, host: str, port: int, org_id: str) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.first = f"/admin/v1/orgs/{org_id}/events?limit=500"
        self.path = self.first
        self.headers = {"Authorization": f"Bearer {KEY}"}

    def fetch(self) -> int:
        """One page; returns its size in bytes."""
        self.connection.request("GET", self.path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"unexpected {response.status}: {body[:200]!r}")
        cursor = next_cursor(body)
        self.path = f"{self.first.partition('?')[0]}?cursor={quote(cursor, safe='')}" if cursor else self.first
        return len(body)

    def close(self) -> None:
        self.connection.close()


def next_cursor(body: bytes) -> str | None:
    """``meta.next`` read from the page's tail (``meta`` follows ``data``), so the client does not parse 500 events."""
    tail = body[body.rfind(b'],"meta":') + 2 :]
    meta = json.loads(tail[len(b'"meta":') : tail.rfind(b',"links":')])
    cursor: str | None = meta.get("next")
    return cursor


def pages_per_second(walker: PageWalker, seconds: float) -> float:
    pages, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        walker.fetch()
        pages += 1
    return pages / (time.perf_counter() - start)


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    round_seconds, rounds = (QUICK_ROUND_SECONDS, QUICK_ROUNDS) if quick else (ROUND_SECONDS, ROUNDS)
    started = time.perf_counter()
    api = SandboxApi.generated(7, days=30, clock=ManualClock(ANCHOR), limits=RateLimits.of(10**9, 10**9))
    total = len(api.source.index(ANCHOR))
    generated = time.perf_counter() - started
    sample = api.handle(
        SandboxRequest("GET", f"/admin/v1/orgs/{api.org_id}/events", "limit=500", {"Authorization": f"Bearer {KEY}"})
    ).body
    static = StaticPage(sample)
    with start_server(api) as sandbox_server, start_server(static) as static_server:
        sandbox = PageWalker(sandbox_server.host, sandbox_server.port, api.org_id)
        baseline = PageWalker(static_server.host, static_server.port, api.org_id)
        cold_start = time.perf_counter()
        cold_pages = 1
        sandbox.fetch()
        while sandbox.path != sandbox.first:
            sandbox.fetch()
            cold_pages += 1
        cold = time.perf_counter() - cold_start
        rates: dict[str, list[float]] = {"sandbox": [], "static": []}
        for _ in range(rounds):
            rates["sandbox"].append(pages_per_second(sandbox, round_seconds))
            rates["static"].append(pages_per_second(baseline, round_seconds))
        sandbox.close()
        baseline.close()
    best = {name: max(values) for name, values in rates.items()}
    ratio = best["sandbox"] / best["static"]
    log(f"org: {total:,} events over 30 days, generated and indexed in {generated:.2f} s")
    log(f"page size: 500 events, {len(sample) / 1024:.0f} KiB")
    log(f"cold first walk (JSON encoded on first use): {cold_pages} pages in {cold:.2f} s")
    log(f"sandbox /events pages/s   (best of {rounds} x {round_seconds:g} s): {best['sandbox']:8.1f}")
    log(f"static body pages/s       (best of {rounds} x {round_seconds:g} s): {best['static']:8.1f}")
    log(f"ratio sandbox / static: {ratio:.2f}")
    log(f"total run time: {time.perf_counter() - started:.1f} s")
    return [
        Result(
            "`sandbox`: 500-event `/events` pages served over loopback HTTP",
            f"{best['sandbox']:,.0f} pages/s ({1e3 / best['sandbox']:.2f} ms a page)",
            f"the same server returning a precomputed body of the same size: {best['static']:,.0f} pages/s "
            f"({1e3 / best['static']:.2f} ms)",
            best["static"] / best["sandbox"],
        )
    ]


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
