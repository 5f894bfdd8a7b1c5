"""``auditbot sandbox``: serve the fake Admin API on loopback until Ctrl-C or SIGTERM.

``add_arguments`` fills the sub-command's parser and ``run`` executes it. The first line of
stdout is exactly ``ATLASSIAN_API_URL=… ATLASSIAN_ORG_ID=… ATLASSIAN_API_KEY=…`` (ready to paste
into a shell), then a short summary. Bad arguments print one line and exit 2.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import NoReturn, TextIO

from auditbot.core.clock import Clock, SystemClock
from auditbot.sandbox.api import DEFAULT_API_KEY, SandboxApi
from auditbot.sandbox.builders import to_us
from auditbot.sandbox.directory import org_id_for_seed
from auditbot.sandbox.faults import FaultKind, FaultPlan, FaultSpecError, parse_rates
from auditbot.sandbox.generate import GeneratedOrg
from auditbot.sandbox.loader import EventsFileError, load_events_file
from auditbot.sandbox.ratelimit import RateLimits
from auditbot.sandbox.server import RunningSandbox, start_server

PROG = "auditbot sandbox"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8081, help="port to listen on; 0 picks a free one (default 8081)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated org and of fault rolls (default 1)")
    parser.add_argument("--days", type=_positive, default=30, help="days of history to generate (default 30)")
    parser.add_argument("--events", type=Path, metavar="FILE.jsonl", help="serve these events instead of an org")
    parser.add_argument("--rate-limit", type=_positive, metavar="PER_MIN", help="quota of the query paths (10)")
    parser.add_argument("--stream-rate-limit", type=_positive, metavar="PER_MIN", help="quota of events-stream (60)")
    parser.add_argument(
        "--api-key", type=_key, default=DEFAULT_API_KEY, help=f"accepted key (default {DEFAULT_API_KEY})"
    )
    parser.add_argument("--faults", type=_faults, metavar="SPEC", help="fault rates, e.g. 500=0.05,slow=0.02,drop=0.02")
    parser.add_argument("--slow-seconds", type=_seconds, default=2.0, help="delay of a slow fault (default 2)")


def run(args: argparse.Namespace, *, stdout: TextIO | None = None, stop: threading.Event | None = None) -> int:
    """Serve until ``stop`` is set, Ctrl-C or SIGTERM; 0 on a clean stop, 2 on bad input, 1 if it cannot listen."""
    out = stdout or sys.stdout
    clock: Clock = SystemClock()
    try:
        api = build_api(args, clock)
    except (EventsFileError, FaultSpecError, ValueError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    try:
        running = start_server(api, host=args.host, port=args.port)
    except OSError as error:
        print(f"{PROG}: error: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    with running:
        env = f"ATLASSIAN_API_URL={running.base_url} ATLASSIAN_ORG_ID={api.org_id} ATLASSIAN_API_KEY={api.api_key}"
        print(env, file=out)
        out.flush()
        for line in summary(api, running):
            print(line, file=out)
        out.flush()
        stop = stop or threading.Event()
        with _stop_on_signals(stop):
            while not stop.wait(0.5):
                pass
    return 0


def build_api(args: argparse.Namespace, clock: Clock) -> SandboxApi:
    faults = FaultPlan(rates=args.faults or {}, seed=args.seed, slow_seconds=args.slow_seconds)
    limits = RateLimits.of(args.rate_limit, args.stream_rate_limit)
    options = {"api_key": args.api_key, "limits": limits, "faults": faults, "clock": clock}
    if args.events is not None:
        org_id = org_id_for_seed(args.seed)
        return SandboxApi(load_events_file(args.events, org_id), org_id=org_id, **options)
    return SandboxApi.generated(args.seed, days=args.days, **options)


def summary(api: SandboxApi, running: RunningSandbox) -> Iterator[str]:
    now = api.clock.now()
    index = api.source.index(now)
    visible = [e for e in index.by_time if e.visible(to_us(now))]
    org = api.source
    if isinstance(org, GeneratedOrg):
        name = org.directory.org_name
        yield f'Sandbox org "{name}" (seed {org.seed}): {len(visible):,} events since {_utc(org.window_start)}, live.'
        yield "Incidents woven in:"
        for incident in org.incidents:
            first = index.get(incident.event_ids[0])
            when = first.raw["attributes"]["time"][:16].replace("T", " ") if first else "?"
            yield f"  {incident.name:<24} {when} UTC  {incident.summary}"
    else:
        span = (
            f" ({visible[0].raw['attributes']['time']} .. {visible[-1].raw['attributes']['time']})" if visible else ""
        )
        yield f"Serving {len(visible):,} recorded events{span}."
        hidden = len(index) - len(visible)
        if hidden:
            yield f"{hidden:,} more are older than 180 days or not processed yet (by the clock), so not served."
    limits = api.limiter.limits
    query_paths = "/events, /events/{id}, /event-actions"
    yield f"Quotas per minute: {limits.events} on {query_paths}; {limits.events_stream} on /events-stream."
    yield f"Faults: {api.faults.to_json()['rates'] or 'none'} (change with POST {running.root_url}/_sandbox/faults)."
    yield "Press Ctrl-C to stop."


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m auditbot.sandbox``."""
    parser = _OneLineErrors(prog="python -m auditbot.sandbox", description="Serve a fake Atlassian Admin API.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


class _OneLineErrors(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda _signum, _frame: stop.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _utc(when: datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M} UTC"


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"port must be a number from 0 to 65535, got {text!r}")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 600:
        raise argparse.ArgumentTypeError(f"expected seconds from 0 to 600, got {text!r}")
    return value


def _key(text: str) -> str:
    if not text or any(c.isspace() for c in text):
        raise argparse.ArgumentTypeError("the API key must be non-empty and contain no spaces")
    return text


def _faults(text: str) -> dict[FaultKind, float]:
    try:
        return parse_rates(text)
    except FaultSpecError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
