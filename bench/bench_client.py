"""CPU cost of reading one 500-event /events page: the client's parse-and-validate against json.loads.

Run: python bench/bench_client.py   (target: validation at most 3x json.loads)
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from auditbot.core.clock import ManualClock
from auditbot.core.model import EventPage
from auditbot.sandbox import DEFAULT_API_KEY, RateLimits, SandboxApi

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def page_body() -> bytes:
    sandbox = SandboxApi.generated(7, anchor=ANCHOR, clock=ManualClock(ANCHOR), limits=RateLimits.of(10_000))
    headers = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    with httpx.Client(transport=sandbox.transport(), base_url="http://sandbox.test/admin", headers=headers) as http:
        response = http.get(f"/v1/orgs/{sandbox.org_id}/events", params={"limit": "500"})
    response.raise_for_status()
    return response.content


def median_seconds(fn: Callable[[], object], rounds: int = 60) -> float:
    fn()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    body = page_body()
    assert len(EventPage.model_validate_json(body).data) == 500
    baseline = median_seconds(lambda: json.loads(body))
    validated = median_seconds(lambda: EventPage.model_validate_json(body))
    print(f"500-event page: {len(body) / 1024:.0f} KiB")
    print(f"json.loads                     {baseline * 1000:7.2f} ms")
    print(f"EventPage.model_validate_json  {validated * 1000:7.2f} ms")
    print(f"ratio                          {validated / baseline:7.2f}x  (target <= 3x)")


if __name__ == "__main__":
    main()
