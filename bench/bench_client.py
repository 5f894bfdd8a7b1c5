"""CPU cost of reading one 500-event /events page: the client's parse-and-validate against json.loads.

Run: python -m bench.bench_client   (target: validation at most 3x json.loads)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from auditbot.core.clock import ManualClock
from auditbot.core.model import EventPage
from auditbot.sandbox import DEFAULT_API_KEY, RateLimits, SandboxApi
from bench.result import Log, Result, milliseconds, quiet
from bench.timing import median_seconds

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ROUNDS = 60
QUICK_ROUNDS = 10


def page_body() -> bytes:
    sandbox = SandboxApi.generated(7, anchor=ANCHOR, clock=ManualClock(ANCHOR), limits=RateLimits.of(10_000))
    headers = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    with httpx.Client(transport=sandbox.transport(), base_url="http://sandbox.test/admin", headers=headers) as http:
        response = http.get(f"/v1/orgs/{sandbox.org_id}/events", params={"limit": "500"})
    response.raise_for_status()
    return response.content


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    rounds = QUICK_ROUNDS if quick else ROUNDS
    body = page_body()
    assert len(EventPage.model_validate_json(body).data) == 500
    baseline = median_seconds(lambda: json.loads(body), rounds=rounds)
    validated = median_seconds(lambda: EventPage.model_validate_json(body), rounds=rounds)
    kib = len(body) / 1024
    log(f"500-event page: {kib:.0f} KiB")
    log(f"json.loads                     {baseline * 1000:7.2f} ms")
    log(f"EventPage.model_validate_json  {validated * 1000:7.2f} ms")
    log(f"ratio                          {validated / baseline:7.2f}x  (target <= 3x)")
    return [
        Result(
            f"`client`: parse and validate one 500-event `/events` page ({kib:.0f} KiB)",
            milliseconds(validated),
            f"`json.loads` of the same body, {milliseconds(baseline)}",
            validated / baseline,
            target=3,
        )
    ]


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
