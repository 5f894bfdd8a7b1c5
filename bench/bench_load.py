"""Load test: 200 concurrent signed ``/audit`` commands against ``auditbot run --http``, each timed to its ack.

``auditbot run --http`` runs as a subprocess on a free loopback port, with a temporary data
directory (so a SQLite store), the built-in sandbox org (no ``ATLASSIAN_*`` settings), everyone
allowed everywhere, and its Slack Web API pointed at a stand-in served from this process
(``playground.Workspace``). The load starts once ``/healthz`` answers (and ``/readyz``, where the
server has it), ingest has mirrored enough for the command's query to be answered from the mirror
(as on a replica that has been running a while), and the server has gone idle.

All commands are sent at once from one asyncio loop, each on its own connection:
``/audit action:user_login last:1d`` from the workspace's people in turn, each with its own trigger
id and timestamp, so neither replay protection nor deduplication refuses one, under a per-person
limit high enough not to. A request's time runs from opening its connection to the end of the HTTP
response, which is the ack Slack waits for (3 s at most). Each command carries a ``response_url`` on
the Slack stand-in (``AUDITBOT_RESPONSE_URL_PREFIXES`` admits it), so each listener's search runs
and its answer is posted there, as to Slack. Also measured on Linux: the server's CPU time per
command, the listener's work after the ack included.

The baseline is the same load on a bare Bolt app whose listener only acks, served the same way
(``bench.bare_bolt``: waitress, same thread counts), measured in the same run. Both servers are
stopped with SIGTERM (SIGKILL only if one has not exited 30 s later).

Run: python -m bench.bench_load
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from slack_sdk.signature import SignatureVerifier

from auditbot.core.query import parse
from auditbot.playground import Workspace, seed, start_slack_api
from auditbot.services.mirror_source import mirror_usable
from auditbot.store.cursors import StreamCursors
from auditbot.store.db import Database
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource
from auditbot.store.urls import default_url
from bench.result import Log, Result, milliseconds, quiet

REQUESTS = 200
QUICK_REQUESTS = 20
DEADLINE_SECONDS = 3.0
COMMAND_TEXT = "action:user_login last:1d"
THREADS = 16
"""auditbot's default ``AUDITBOT_LISTENER_THREADS``, also given to the baseline."""
TOKEN = "xoxb-bench-load"
HOST = "127.0.0.1"
EVENTS_PATH = "/slack/events"
START_TIMEOUT_SECONDS = 120.0
READY_TIMEOUT_SECONDS = 120.0
MIRROR_TIMEOUT_SECONDS = 180.0
REQUEST_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 30.0
ROOT = Path(__file__).resolve().parent.parent
OUR_PREFIXES = ("ATLASSIAN_", "AUDITBOT_", "SLACK_")
FRESHNESS_SECONDS = 120
"""auditbot's default ``AUDITBOT_MIRROR_FRESHNESS_SECONDS``: the mirror is current when ingest read the
stream to its end that recently, however quiet the sandbox org is."""


@dataclass(frozen=True)
class Acks:
    """The times to ack of one load, in seconds, and how the run went."""

    seconds: list[float]
    statuses: list[int]
    total: float

    @property
    def ok(self) -> int:
        return sum(1 for status in self.statuses if status == 200)

    def within(self, deadline: float) -> int:
        return sum(
            1 for status, took in zip(self.statuses, self.seconds, strict=True) if status == 200 and took <= deadline
        )

    def percentile(self, p: int) -> float:
        if len(self.seconds) == 1:
            return self.seconds[0]
        return statistics.quantiles(self.seconds, n=100, method="inclusive")[p - 1]

    def summary(self) -> str:
        return (
            f"p50 {milliseconds(self.percentile(50))}, p95 {milliseconds(self.percentile(95))}, "
            f"p99 {milliseconds(self.percentile(99))}, max {milliseconds(max(self.seconds))}"
        )


@dataclass(frozen=True)
class Served:
    """A server process on loopback and where its output goes."""

    process: subprocess.Popen[bytes]
    port: int
    output: Path

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.output.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def clean_environment(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any auditbot, Atlassian or Slack setting, plus ``settings``."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith(OUR_PREFIXES)}
    return {**kept, **settings}


@contextmanager
def serving(command: Sequence[str], env: Mapping[str, str], port: int, folder: Path, name: str) -> Iterator[Served]:
    """Start ``command``; yield once ``/healthz`` answers (and ``/readyz`` where it exists); stop with SIGTERM."""
    output = folder / f"{name}.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(command, env=dict(env), cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
    served = Served(process, port, output)
    try:
        wait_for(served, "/healthz", START_TIMEOUT_SECONDS)
        wait_for(served, "/readyz", READY_TIMEOUT_SECONDS, missing_ok=True)
        yield served
    finally:
        stop(served)


def wait_for(served: Served, path: str, timeout: float, *, missing_ok: bool = False) -> None:
    """Poll ``path`` until it answers 200; with ``missing_ok`` a 404 (no such endpoint) ends the wait too."""
    deadline = time.monotonic() + timeout
    while True:
        if served.process.poll() is not None:
            raise RuntimeError(f"the server exited with {served.process.returncode}:\n{served.tail()}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{served.port}{path}", timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as error:
            if error.code == 404 and missing_ok:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} did not answer 200 within {timeout:.0f} s:\n{served.tail()}")
        time.sleep(0.1)


def health(served: Served) -> dict[str, object]:
    with urllib.request.urlopen(f"http://{HOST}:{served.port}/healthz", timeout=5) as response:
        answer: dict[str, object] = json.loads(response.read())
        return answer


def wait_for_mirror(served: Served, data_dir: Path, timeout: float = MIRROR_TIMEOUT_SECONDS) -> None:
    """Wait until the server's ingest has mirrored enough that the load's query is answered from the mirror,
    as by a replica that has been running a while (not from the Admin API, at 10 searches a minute)."""
    org_id = str(health(served)["org"])
    freshness = timedelta(seconds=FRESHNESS_SECONDS)
    deadline = time.monotonic() + timeout
    with Database(default_url(data_dir)) as db:
        source = MirrorSearchSource(db, EventMirror(db), StreamCursors(db))
        while True:
            now = datetime.now(UTC)
            window = parse(COMMAND_TEXT).window(now, ZoneInfo("UTC"))
            if mirror_usable(source.status(org_id), window, now, freshness):
                return
            if served.process.poll() is not None:
                raise RuntimeError(f"the server exited with {served.process.returncode}:\n{served.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the mirror did not cover {COMMAND_TEXT!r} within {timeout:.0f} s:\n{served.tail()}"
                )
            time.sleep(0.2)


def stop(served: Served) -> None:
    """SIGTERM, then wait; SIGKILL only if the process has not ended after ``STOP_TIMEOUT_SECONDS``."""
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGTERM)
        try:
            served.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait()


def requests(count: int, secret: str, port: int, workspace: Workspace) -> list[bytes]:
    """``count`` signed slash commands as raw HTTP/1.1 requests, each with its own trigger id, timestamp and
    response URL (on the Slack stand-in, where the reply lands)."""
    people = [person.id for person in seed.PEOPLE]
    now = int(time.time())
    verifier = SignatureVerifier(secret)
    made = []
    for n in range(count):
        body = urlencode(
            {
                "command": "/audit",
                "text": COMMAND_TEXT,
                "user_id": people[n % len(people)],
                "user_name": "bench",
                "channel_id": seed.SEC_ALERTS,
                "team_id": seed.TEAM.id,
                "trigger_id": f"bench.{n}.{secrets.token_hex(8)}",
                "response_url": workspace.new_response_url(seed.SEC_ALERTS, people[n % len(people)]),
                "api_app_id": seed.APP_ID,
            }
        )
        stamp = str(now - n % 60)
        signature = verifier.generate_signature(timestamp=stamp, body=body)
        head = (
            f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Slack-Request-Timestamp: {stamp}\r\nX-Slack-Signature: {signature}\r\n"
            f"Content-Length: {len(body.encode())}\r\nConnection: close\r\n\r\n"
        )
        made.append(head.encode() + body.encode())
    return made


async def one(port: int, request: bytes) -> tuple[float, int]:
    """Send one request on a new connection; (seconds to the end of the response, status; 0 on failure)."""
    started = time.perf_counter()
    writer = None
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(request)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        await reader.readexactly(length)
        return time.perf_counter() - started, status
    except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
        return time.perf_counter() - started, 0
    finally:
        if writer is not None:
            writer.close()


async def fire(port: int, made: list[bytes]) -> Acks:
    started = time.perf_counter()
    sent = [asyncio.wait_for(one(port, request), REQUEST_TIMEOUT_SECONDS) for request in made]
    done = await asyncio.gather(*sent, return_exceptions=True)
    total = time.perf_counter() - started
    timings = [(REQUEST_TIMEOUT_SECONDS, 0) if isinstance(item, BaseException) else item for item in done]
    return Acks([took for took, _ in timings], [status for _, status in timings], total)


def load(port: int, secret: str, count: int, workspace: Workspace) -> Acks:
    return asyncio.run(fire(port, requests(count, secret, port, workspace)))


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process has used so far; ``None`` where ``/proc`` is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settled_cpu_seconds(pid: int, *, quiet_for: float = 0.5, timeout: float = 30.0) -> float | None:
    """CPU time once the process has gone ``quiet_for`` seconds without using any (its listeners done)."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(pid)
    while before is not None and time.monotonic() < deadline:
        time.sleep(quiet_for)
        now = cpu_seconds(pid)
        if now is None or now - before < 0.02:
            return now
        before = now
    return before


def cpu_per_request(served: Served, count: int, fire_load: Callable[[], Acks]) -> tuple[Acks, float | None]:
    """Run ``fire_load``; also the server's CPU time per request, the listeners' work after the ack included."""
    before = settled_cpu_seconds(served.process.pid)
    acks = fire_load()
    after = settled_cpu_seconds(served.process.pid)
    return acks, None if before is None or after is None else (after - before) / count


def auditbot_command(port: int) -> list[str]:
    return [sys.executable, "-m", "auditbot", "run", "--http", "--host", HOST, "--port", str(port)]


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    count = QUICK_REQUESTS if quick else REQUESTS
    secret = secrets.token_hex(32)
    workspace = Workspace(tokens=(TOKEN,))
    with tempfile.TemporaryDirectory(prefix="auditbot-bench-load-") as scratch, start_slack_api(workspace) as slack:
        folder = Path(scratch)
        port = free_port()
        env = clean_environment(
            {
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": secret,
                "SLACK_API_URL": slack.api_url,
                "AUDITBOT_RESPONSE_URL_PREFIXES": f"{workspace.root_url}/",
                "AUDITBOT_VIEWERS": "*",
                "AUDITBOT_CHANNELS": "*",
                "AUDITBOT_USER_QUERIES_PER_MINUTE": "1000",
                "AUDITBOT_LISTENER_THREADS": str(THREADS),
                "AUDITBOT_DATA_DIR": str(folder / "data"),
            }
        )
        started = time.perf_counter()
        with serving(auditbot_command(port), env, port, folder, "auditbot") as ours_server:
            up = time.perf_counter() - started
            wait_for_mirror(ours_server, folder / "data")
            mirrored = time.perf_counter() - started
            ours, ours_cpu = cpu_per_request(ours_server, count, lambda: load(port, secret, count, workspace))
        ours_exit = ours_server.process.returncode
        errors = ours_server.output.read_text(errors="replace").count("Traceback")
        killed = ""
        if ours_exit == -signal.SIGKILL:
            killed = f" (killed: it had not exited {STOP_TIMEOUT_SECONDS:.0f} s after SIGTERM)"
        log(
            f"auditbot run --http: up in {up:.1f} s, mirror caught up at {mirrored:.1f} s; "
            f"exit code after SIGTERM {ours_exit}{killed}"
        )
        log(f"  server log: {errors} tracebacks")

        bare_port = free_port()
        bare_env = clean_environment({"BENCH_SIGNING_SECRET": secret, "BENCH_BOT_TOKEN": TOKEN})
        bare_command = [sys.executable, "-m", "bench.bare_bolt", str(bare_port), slack.api_url, str(THREADS)]
        with serving(bare_command, bare_env, bare_port, folder, "bare") as bare_server:
            bare, bare_cpu = cpu_per_request(bare_server, count, lambda: load(bare_port, secret, count, workspace))

    for name, acks, cpu in (("auditbot", ours, ours_cpu), ("bare Bolt", bare, bare_cpu)):
        log(
            f"{name:>9}: {acks.ok}/{count} answered 200, {acks.within(DEADLINE_SECONDS)} within "
            f"{DEADLINE_SECONDS:.0f} s; {acks.summary()}; all in {milliseconds(acks.total)}"
        )
        if cpu is not None:
            log(f"{'':>9}  server CPU per command, work after the ack included: {milliseconds(cpu)}")
    return [
        Result(
            f"`load`: {count} concurrent signed `/audit {COMMAND_TEXT}` to `auditbot run --http` "
            "(sandbox org, SQLite), each timed to its ack",
            f"**{ours.within(DEADLINE_SECONDS)}/{count} acked within {DEADLINE_SECONDS:.0f} s**; {ours.summary()}; "
            f"all in {milliseconds(ours.total)}",
            f"a bare Bolt app acking a no-op command, served the same way: {bare.within(DEADLINE_SECONDS)}/{count} "
            f"within {DEADLINE_SECONDS:.0f} s; {bare.summary()}",
            ours.percentile(99) / bare.percentile(99),
            of="(p99)",
        )
    ]


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
