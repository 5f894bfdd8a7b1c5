"""``auditbot demo``: start the sandbox org, the Slack app and the playground page, and say where to look."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from auditbot.config import load_settings
from auditbot.demo import DEMO_RATE_PER_MINUTE, start_demo
from auditbot.sandbox import Incident

TRY_THESE = (
    "/audit help",
    "/audit action:added_org_admin last:30d",
    "/audit action:user_login_failed last:30d",
    '/audit group:"API tokens" last:30d',
    "/audit action:user_logged_in_as_user,auth_policy_deleted last:30d",
)
"""General examples for the composer; each answers in the demo (tests/test_examples.py runs them)."""


def banner(url: str, org_id: str, sandbox_url: str, incidents: Sequence[Incident]) -> list[str]:
    """What ``auditbot demo`` prints: where to look, what to type, and the org's incidents with the
    search that finds each (App Home's "Try these" has a button for each)."""
    lines = [
        f"auditbot demo: open {url} in your browser",
        f"  the sandbox org {org_id} answers at {sandbox_url}",
        "  type these in the composer:",
        *(f"    {line}" for line in TRY_THESE),
        '  the incidents woven into the org (one click each under App Home\'s "Try these"):',
        *(f"    /audit {incident.query}  ({incident.label})" for incident in incidents),
        '  "Skip 30 min" under the composer lets half an hour of the org pass at once',
        "  press Ctrl-C to stop",
    ]
    return lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=3000, help="port of the playground page (default 3000)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the sandbox org (default 7)")
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=DEMO_RATE_PER_MINUTE,
        metavar="PER_MIN",
        help=f"searches a minute the sandbox allows (default {DEMO_RATE_PER_MINUTE}; a real org allows 10)",
    )
    parser.add_argument(
        "--activity",
        type=_activity,
        default=1.0,
        metavar="FACTOR",
        help="how busy the sandbox org is (default 1: about 400 events a weekday; 0.3: a quiet org)",
    )


def _activity(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; try 1 or 0.3") from None
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError("the activity factor must be between 0 and 10")
    return value


def run(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    settings = load_settings()
    stop = stop or _stop_on_signals()
    with start_demo(
        settings=settings,
        host=args.host,
        port=args.port,
        seed=args.seed,
        rate_per_minute=args.rate_limit,
        activity=args.activity,
    ) as demo:
        print("\n".join(banner(demo.url, demo.sandbox.org_id, demo.sandbox.base_url, demo.org.incidents)), flush=True)
        stop.wait()
    return 0


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handle)
    return stop
