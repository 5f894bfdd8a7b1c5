"""A signed /audit command to its ack: auditbot's app against a bare Bolt app acking a no-op command.

Both apps verify their token at start-up (so no request needs auth.test), run listeners on a
thread pool as in production, and are dispatched the same signed request. Also checks that no
network call (Slack Web API or Admin API) happens between receiving the request and handing
the listener, whose first statement is ack(), to the pool. Target: at most 1.2x the bare app.

Run: python -m bench.bench_ack
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlencode

from slack_bolt import Ack, App, BoltRequest
from slack_sdk import WebClient

from auditbot.playground import Workspace, seed, start_slack_api
from auditbot.sandbox import GeneratedOrg
from auditbot.slack.app import build_app
from bench.result import Log, Result, milliseconds, quiet
from tests.services.world import ANCHOR
from tests.slack.harness import SIGNING_SECRET, SlackWorld, signed

T = TypeVar("T")
ROUNDS = 300
QUICK_ROUNDS = 30


class CountingExecutor(ThreadPoolExecutor):
    """Notes how many network calls had happened when Bolt handed a listener over."""

    def __init__(self, network_calls: Callable[[], int]) -> None:
        super().__init__(max_workers=16)
        self.network_calls = network_calls
        self.at_handoff: list[int] = []

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        self.at_handoff.append(self.network_calls())
        return super().submit(fn, *args, **kwargs)


def command_body(world: Workspace) -> str:
    return urlencode(
        {
            "command": "/audit",
            "text": "help",
            "user_id": seed.JANE,
            "channel_id": seed.SEC_ALERTS,
            "team_id": seed.TEAM.id,
            "response_url": world.new_response_url(seed.SEC_ALERTS, seed.JANE),
            "trigger_id": "t",
        }
    )


def time_acks(app: App, body_for: Callable[[], str], rounds: int = ROUNDS) -> list[float]:
    samples = []
    for _ in range(rounds):
        body = body_for()
        request = BoltRequest(body=body, headers=signed(body))
        started = time.perf_counter()
        response = app.dispatch(request)
        samples.append(time.perf_counter() - started)
        assert response.status == 200
    return samples


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    rounds = QUICK_ROUNDS if quick else ROUNDS
    org = GeneratedOrg(7, anchor=ANCHOR, days=30)
    ours_world = SlackWorld(org)
    network = lambda: len(ours_world.workspace.calls) + ours_world.search_world.client.stats.requests  # noqa: E731
    executor = CountingExecutor(network)
    ours = build_app(ours_world.deps, client=ours_world.client, signing_secret=SIGNING_SECRET, executor=executor)

    bare_space = Workspace()
    with start_slack_api(bare_space) as bare_slack:
        bare = App(
            client=WebClient(token="xoxb-test", base_url=bare_slack.api_url),
            signing_secret=SIGNING_SECRET,
            listener_executor=ThreadPoolExecutor(max_workers=16),
        )

        @bare.command("/audit")
        def noop(ack: Ack) -> None:
            ack()

        bare_samples = time_acks(bare, lambda: command_body(bare_space), rounds)
        before = network()
        our_samples = time_acks(ours, lambda: command_body(ours_world.workspace), rounds)
    executor.shutdown(wait=True)
    ours_world.close()

    # The first request is the clean one: later hand-overs overlap earlier listeners' own calls.
    calls_before_handoff = executor.at_handoff[0] - before
    bare_s, our_s = statistics.median(bare_samples), statistics.median(our_samples)
    log(f"signed /audit to ack, median of {rounds}")
    log(f"bare Bolt app, no-op listener   {bare_s * 1e3:6.2f} ms")
    log(f"auditbot                        {our_s * 1e3:6.2f} ms   ({our_s / bare_s:.2f}x, target <= 1.2x)")
    log(f"network calls before the listener (ack first) was handed over: {calls_before_handoff}")
    calls = "call" if calls_before_handoff == 1 else "calls"
    return [
        Result(
            "`ack`: a signed `/audit` command to its ack, in process (median)",
            f"{milliseconds(our_s)}; {calls_before_handoff} network {calls} before the listener, whose first step "
            "is `ack()`",
            f"a bare Bolt app acking a no-op command, {milliseconds(bare_s)} (Bolt polls for the ack every 10 ms)",
            our_s / bare_s,
            target=1.2,
        )
    ]


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
