"""The front door against a real ``auditbot -v run --http`` on loopback: connections that are held
open, idle or trickling do not shut signed commands out and are dropped within seconds; bodies over
the limit are refused before they are read, and memory stays flat; a flood of malformed requests
gets 400 or 401, a handful of warning lines, no traceback, and never an unsigned body in the log.

The server runs with short timeouts (idle 2 s, a request within 3 s) so the test is quick; nobody
is a viewer, so a signed command is answered in its ack with the polite refusal, after the gate,
Bolt's own signature check and the access guard. Its stderr (JSON lines) is kept for failure
messages. Waiting is on sockets with timeouts and on the log reader, never a bare sleep.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from auditbot.playground import Workspace, seed, start_slack_api
from tests.slack.harness import SIGNING_SECRET

pytestmark = pytest.mark.http

IDLE_SECONDS = 2
DEADLINE_SECONDS = 3
HELD = 500
MIB = 1_048_576
MARKER = "unsigned-body-marker-41c9"
HALF_OPEN = (
    b"POST /slack/events HTTP/1.1\r\nHost: auditbot\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
)


class Served:
    """The running ``auditbot run`` and what it has written to stderr so far."""

    def __init__(self, process: subprocess.Popen[str], workspace: Workspace) -> None:
        self.workspace = workspace
        """The Slack stand-in the server talks to, and where its replies land."""
        self.process = process
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, done: Callable[[list[str]], bool], seconds: float = 30) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: done(self.lines), timeout=seconds):
                raise AssertionError(f"not seen in the log within {seconds} s:\n" + self.tail())

    def tail(self, count: int = 40) -> str:
        return "\n".join(self.lines[-count:])

    def records(self, start: int = 0) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.lines[start:] if line.startswith("{")]

    @property
    def port(self) -> int:
        for line in self.lines:
            if found := re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line):
                return int(found.group(1))
        raise AssertionError("not listening:\n" + self.tail())

    def rss_bytes(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]

    def open_files(self) -> int:
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    if soft != resource.RLIM_INFINITY and soft < wanted:  # room for the held sockets, here and in the child
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    workspace = Workspace()
    slack_api = start_slack_api(workspace)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ATLASSIAN_", "AUDITBOT_", "SLACK_"))},
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.api_url,
        "AUDITBOT_RESPONSE_URL_PREFIXES": f"{workspace.root_url}/",
        "AUDITBOT_DATA_DIR": str(tmp_path_factory.mktemp("front-door")),
        "AUDITBOT_INGEST": "false",
        "AUDITBOT_LOG_FORMAT": "json",
        "AUDITBOT_HTTP_IDLE_TIMEOUT_SECONDS": str(IDLE_SECONDS),
        "AUDITBOT_HTTP_REQUEST_DEADLINE_SECONDS": str(DEADLINE_SECONDS),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "auditbot", "-v", "run", "--http", "--host", "127.0.0.1", "--port", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Served(process, workspace)
    try:
        server.wait_for(lambda lines: any("listening on http://" in line for line in lines), 60)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        assert process.stderr is not None
        process.stderr.close()
        slack_api.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def signed_command(workspace: Workspace, text: str = "help") -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "command": "/audit",
            "text": text,
            "user_id": seed.JANE,
            "channel_id": seed.SEC_ALERTS,
            "team_id": seed.TEAM.id,
            "trigger_id": f"t.{time.time_ns()}",
            "response_url": workspace.new_response_url(seed.SEC_ALERTS, seed.JANE),
        }
    ).encode()
    return body, sign(body)


def sign(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest,
    }


def closed_by_server(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes ``sock`` within ``seconds`` (it sends nothing before closing)."""
    sock.settimeout(max(seconds, 0.01))
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def wait_until(done: Callable[[], bool], seconds: float) -> None:
    """Check ``done`` every 50 ms for up to ``seconds`` (each wait is on an event that never fires)."""
    pause = threading.Event()
    ends = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < ends, "timed out"
        pause.wait(0.05)


# -- connections ----------------------------------------------------------------------------


def test_a_signed_command_is_acked_within_3_s_while_500_connections_are_held(served: Served):
    base_files = served.open_files()
    held = [socket.create_connection(("127.0.0.1", served.port), timeout=10) for _ in range(HELD)]
    try:
        for sock in held:
            sock.sendall(HALF_OPEN)
        wait_until(lambda: served.open_files() >= base_files + HELD, 20)  # all accepted, all held
        body, headers = signed_command(served.workspace)
        started = time.perf_counter()
        answer = httpx.post(f"http://127.0.0.1:{served.port}/slack/events", content=body, headers=headers, timeout=3)
        took = time.perf_counter() - started
        assert answer.status_code == 200, served.tail()
        assert "don't have access" in answer.text, "the command went through the gate, Bolt and the guard"
        print(f"\nacked in {took * 1000:.0f} ms with {HELD} half-open connections held")

        started = time.monotonic()
        dropped = sum(closed_by_server(sock, IDLE_SECONDS + 5 - (time.monotonic() - started)) for sock in held)
        assert dropped == HELD, f"{HELD - dropped} held connections still open after {IDLE_SECONDS + 5} s"
        print(f"all {HELD} dropped {time.monotonic() - started:.1f} s after the ack")
    finally:
        for sock in held:
            sock.close()


def test_a_client_trickling_bytes_is_dropped_at_the_request_deadline(served: Served):
    request = HALF_OPEN + b"x" * 100
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        for sent in range(len(request)):  # a byte every 0.25 s: never idle for the 2 s idle timeout
            try:
                sock.sendall(request[sent : sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                break
            if closed_by_server(sock, 0.25):
                break
        took = time.monotonic() - started
    assert sent < len(request) - 1, "the whole request trickled in before the server gave up"
    assert DEADLINE_SECONDS <= took < DEADLINE_SECONDS + 4, f"dropped after {took:.1f} s, {sent} bytes"


def test_a_head_over_the_limit_is_refused_431(served: Served):
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: a\r\nX-Padding: " + b"p" * 40_000 + b"\r\n\r\n")
        assert sock.recv(100).split(b" ")[1] == b"431"


# -- bodies ---------------------------------------------------------------------------------


def test_bodies_over_the_limit_are_refused_before_they_are_read_and_memory_stays_flat(served: Served):
    before = served.rss_bytes()
    statuses: list[bytes] = []
    pushed: list[int] = []
    for attempt in range(20):
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
            if attempt % 2 == 0:  # declared: refused on the head alone, before a byte of the body is sent
                sock.sendall(
                    b"POST /slack/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 104857600\r\n\r\n"
                )
                statuses.append(sock.recv(100).split(b"\r\n")[0])
            else:  # chunked: counted as it comes, cut off past the limit
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
                pushed.append(_push_chunks(sock, 100))
    grown = served.rss_bytes() - before
    print(f"\nRSS {before / MIB:.0f} MB before, grew {grown / MIB:.1f} MB after 20 attempts at 100 MB bodies")
    assert statuses == [b"HTTP/1.1 413 Request Entity Too Large"] * 10
    assert all(mib <= 8 for mib in pushed), f"MiB pushed into each chunked attempt before it was cut off: {pushed}"
    assert grown < 50 * MIB


def _push_chunks(sock: socket.socket, count: int) -> int:
    """Send up to ``count`` chunks of 1 MiB until the server answers or hangs up; the MiB it took."""
    chunk = b"100000\r\n" + b"x" * MIB + b"\r\n"
    for sent in range(count):
        try:
            sock.sendall(chunk)
        except OSError:  # it hung up mid-chunk
            return sent
        sock.settimeout(0.01)
        try:
            sock.recv(100)  # an answer (413) or b"" (hung up): either way it is over
            return sent + 1
        except TimeoutError:
            sock.settimeout(10)
        except OSError:
            return sent + 1
    return count


# -- malformed requests and the log -----------------------------------------------------------


KINDS = 10
DEEP = KINDS
"""Sent once: parsing 300 kB of percent-escapes takes the server a tenth of a second (signed requests only)."""


def _malformed(kind: int) -> tuple[bytes, dict[str, str]]:
    """Request number ``kind``: 0-5 unsigned or badly signed, 6-9 and DEEP signed but malformed."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    body = f"command=/audit&text={MARKER}".encode()
    bad_stamps = ["abc", "", "1.5", "1e9"]
    if kind < 4:
        return body, {**form, "X-Slack-Request-Timestamp": bad_stamps[kind], "X-Slack-Signature": "v0=" + "0" * 64}
    if kind == 4:
        return b"\xff\xfe" + MARKER.encode(), form
    if kind == 5:
        return body, {**sign(body), "X-Slack-Signature": "v0=" + "1" * 64}
    signed_bodies = [
        b"\xff" + MARKER.encode(),
        urlencode({"payload": json.dumps([MARKER])}).encode(),
        urlencode({"payload": json.dumps(MARKER)}).encode(),
        b"<xml>" + MARKER.encode(),
    ]
    if kind == DEEP:
        signed_bodies = [urlencode({"payload": "[" * 50_000 + "]" * 50_000}).encode()]
    signed_body = signed_bodies[(kind - 6) % len(signed_bodies)]
    return signed_body, sign(signed_body)


def test_a_flood_of_malformed_requests_gets_400_or_401_a_few_warnings_and_no_traceback(served: Served):
    count = 400
    start = len(served.lines)
    answered_before = sum(1 for line in served.lines if "slack request answered" in line)
    started = time.monotonic()
    statuses: dict[int, int] = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{served.port}", timeout=10) as client:
        for n in range(count):
            body, headers = _malformed(DEEP if n == 0 else n % KINDS)
            status = client.post("/slack/events", content=body, headers=headers).status_code
            statuses[status] = statuses.get(status, 0) + 1
    took = time.monotonic() - started
    served.wait_for(lambda lines: sum("slack request answered" in line for line in lines) >= answered_before + count)
    records = served.records(start)
    warnings = [r for r in records if r["level"] == "WARNING"]
    reasons = {str(r.get("reason")) for r in warnings}
    print(f"\n{count} malformed requests in {took:.1f} s: {statuses}; {len(warnings)} warning lines: {sorted(reasons)}")
    assert set(statuses) <= {400, 401} and statuses.get(400) and statuses.get(401), statuses
    assert all(r["logger"] == "auditbot.slack.refused" for r in warnings), warnings
    allowed_windows = int(took // 10) + 1
    assert len(warnings) <= len(reasons) * allowed_windows, [r["message"] for r in warnings]
    assert not [r for r in records if r["level"] in ("ERROR", "CRITICAL") or "exception" in r], served.tail()
    text = "\n".join(served.lines)
    assert "Traceback" not in text
    assert MARKER not in text, "no request body reaches the log, even at -v"
