"""Worker processes for the crash tests, and where their SIGKILLs land.

A crash test's kills are placed by the servers a worker talks to, not by the wall clock: the
sandbox and the Slack stand-in ask a ``Killer`` before carrying out each request (and the stand-in
again after it stored a post), so where a kill lands depends on the worker's progress alone, and a
round ends on an event (the kill, or the worker's own exit) instead of after a sleep. Each worker
says who it is in the ``X-Worker-Pid`` header of every request.

Every spawn keeps its stdout and stderr in files of its own, so a failing test can show them, and
a worker never blocks on a full pipe nobody reads.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

import httpx

from auditbot.sandbox import SandboxApi
from auditbot.sandbox.messages import SandboxRequest, SandboxResponse

ROOT = Path(__file__).resolve().parents[2]
PID_HEADER = "X-Worker-Pid"
ROUND_WAIT = 60.0
"""Seconds a worker may go without reaching its armed kill or exiting before the test calls it a stall."""
TAIL = 3000


class Worker:
    """``python -m <module> <args>`` with its output in ``<folder>/worker-NNN.out`` and ``.err``."""

    def __init__(self, module: str, args: list[str], folder: Path, number: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.number = number
        self.out_path = folder / f"worker-{number:03}.out"
        self.err_path = folder / f"worker-{number:03}.err"
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                cwd=ROOT,
                stdout=out,
                stderr=err,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
        self.exited = threading.Event()
        threading.Thread(target=self._reap, name=f"reap-worker-{number}", daemon=True).start()

    def _reap(self) -> None:
        self.process.wait()
        self.exited.set()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.returncode if self.exited.is_set() else None

    def wait(self, timeout: float = ROUND_WAIT) -> int:
        """The exit code once the worker exits; fails the test, showing its output, after ``timeout`` seconds."""
        if not self.exited.wait(timeout):
            self.process.kill()
            self.exited.wait(10)
            raise AssertionError(f"worker {self.number} neither reached its kill nor exited in {timeout:.0f} s\n{self}")
        code = self.process.returncode
        assert code in (0, -signal.SIGKILL), f"worker {self.number} failed\n{self}"
        return code

    def lines(self) -> list[str]:
        return self.out_path.read_text().split()

    def finished(self) -> bool:
        """Exited by itself after saying ``done``: nothing was left for it to do."""
        return self.returncode == 0 and self.out_path.read_text().split()[-1:] == ["done"]

    def __str__(self) -> str:
        out = self.out_path.read_text()[-TAIL:]
        err = self.err_path.read_text()[-TAIL:]
        return f"--- worker {self.number} (exit {self.returncode}) stdout tail:\n{out}\n--- stderr tail:\n{err}"


class Killer:
    """SIGKILLs a worker at a chosen request; armed for one round at a time.

    ``at_request(n)``: when the ``n``-th request of the round arrives, before it is carried out.
    ``after_post(channel)``: right after the Slack stand-in stored a post (in ``channel``, or
    anywhere), before the worker hears the answer: the post is in Slack, not yet committed as sent.
    Either counts only ``victim``'s requests when given, else any worker's; arm it before spawning a
    lone worker, so nothing the worker does can come first.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._victim: int | None = None
        self._countdown = 0
        self._post_in: str | None = None
        self._after_post = False
        self.landed: str | None = None
        """What the round's kill landed on (``before GET /admin/…``, ``after a post in C0…``), if it fired."""
        self.landed_in: str | None = None
        """The channel of the post a post kill landed after."""
        self.pid: int | None = None
        """Whom it killed."""
        self.fired = threading.Event()

    def at_request(self, n: int, victim: Worker | None = None) -> None:
        with self._lock:
            self._reset(victim)
            self._countdown = n

    def after_post(self, channel: str | None = None, victim: Worker | None = None) -> None:
        with self._lock:
            self._reset(victim)
            self._after_post, self._post_in = True, channel

    def disarm(self) -> None:
        with self._lock:
            self._reset(None)
            self._countdown = 0

    def _reset(self, victim: Worker | None) -> None:
        self._victim = victim.pid if victim is not None else None
        self._countdown, self._after_post, self._post_in = 0, False, None
        self.landed = self.landed_in = self.pid = None
        self.fired.clear()

    def arrived(self, pid: int | None, what: str) -> bool:
        """A request is about to be carried out; ``True`` when its sender was killed (do not carry it out)."""
        with self._lock:
            if self._countdown <= 0 or pid is None or self._victim not in (None, pid):
                return False
            self._countdown -= 1
            if self._countdown:
                return False
            self._kill(pid, f"before {what}")
            return True

    def posted(self, pid: int | None, channel: str) -> bool:
        """The stand-in stored a post; ``True`` when its sender was killed before hearing so."""
        with self._lock:
            if not self._after_post or pid is None or self._victim not in (None, pid):
                return False
            if self._post_in is not None and channel != self._post_in:
                return False
            self._kill(pid, f"after a post in {channel}")
            self.landed_in = channel
            return True

    def _kill(self, pid: int, where: str) -> None:
        os.kill(pid, signal.SIGKILL)  # alive: it is waiting for this very answer
        self._countdown, self._after_post = 0, False
        self.landed, self.pid = where, pid
        self.fired.set()


def sender(headers: Mapping[str, str]) -> int | None:
    """The worker pid a request names in ``X-Worker-Pid``."""
    wanted = PID_HEADER.lower()
    value = next((v for k, v in headers.items() if k.lower() == wanted), "")
    return int(value) if value.isdigit() else None


class KillingSandbox:
    """The sandbox behind ``start_server``, asking ``killer`` before each request."""

    def __init__(self, api: SandboxApi, killer: Killer) -> None:
        self._api = api
        self._killer = killer
        self.clock = api.clock
        self.org_id = api.org_id
        self.api_key = api.api_key

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if self._killer.arrived(sender(request.headers), f"{request.method} {request.path}"):
            return SandboxResponse(503, {}, b"", drop=True)
        return self._api.handle(request)


class NamedTransport(httpx.HTTPTransport):
    """An httpx transport that adds ``X-Worker-Pid: <this process>`` to every request."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers[PID_HEADER] = str(os.getpid())
        return super().handle_request(request)
