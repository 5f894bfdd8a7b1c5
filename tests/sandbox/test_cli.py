"""``auditbot sandbox`` / ``python -m auditbot.sandbox``: first line, summary, clean stop, bad arguments."""

from __future__ import annotations

import argparse
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from auditbot.sandbox import cli

FIRST_LINE = re.compile(
    r"ATLASSIAN_API_URL=(?P<url>http://127\.0\.0\.1:(?P<port>\d+)/admin) "
    r"ATLASSIAN_ORG_ID=(?P<org>[0-9a-f-]{36}) ATLASSIAN_API_KEY=(?P<key>\S+)"
)

EVENT_LINE = '{"id": "a", "attributes": {"time": "2020-01-01T00:00:00Z", "action": "x", "actor": {"id": "u"}}}'


class LineSink(io.StringIO):
    """Collects output and signals once the first full line has been written."""

    def __init__(self) -> None:
        super().__init__()
        self.first_line = threading.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if "\n" in self.getvalue():
            self.first_line.set()
        return written


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="auditbot sandbox")
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_run_prints_the_environment_line_first_and_stops_cleanly() -> None:
    sink, stop = LineSink(), threading.Event()
    result: list[int] = []
    args = parse("--port", "0", "--days", "2", "--seed", "5", "--api-key", "k-123")
    worker = threading.Thread(target=lambda: result.append(cli.run(args, stdout=sink, stop=stop)))
    worker.start()
    try:
        assert sink.first_line.wait(30)
        first = sink.getvalue().splitlines()[0]
        match = FIRST_LINE.fullmatch(first)
        assert match, first
        assert match["key"] == "k-123"
        with httpx.Client(base_url=match["url"], headers={"Authorization": "Bearer k-123"}, timeout=5) as client:
            response = client.get(f"/v1/orgs/{match['org']}/events", params={"limit": 1})
        assert response.status_code == 200
    finally:
        stop.set()
        worker.join(10)
    assert result == [0]
    summary = sink.getvalue()
    assert "Incidents woven in:" in summary and "admin_granted_at_night" in summary


def test_python_m_auditbot_sandbox_serves_until_sigterm() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "auditbot.sandbox", "--port", "0", "--days", "1", "--faults", "500=0.0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        match = FIRST_LINE.fullmatch(first)
        assert match, first
        with httpx.Client(base_url=match["url"], headers={"Authorization": f"Bearer {match['key']}"}) as client:
            assert client.get(f"/v1/orgs/{match['org']}/event-actions").status_code == 200
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert "Traceback" not in err and err == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "70000"], "port must be a number from 0 to 65535"),
        (["--days", "0"], "expected a whole number of at least 1"),
        (["--faults", "500=2"], "between 0 and 1"),
        (["--faults", "boom=0.1"], "unknown fault kind 'boom'"),
        (["--seed", "x"], "invalid int value"),
        (["--api-key", ""], "API key must be non-empty"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_bad_events_file_exits_2_naming_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "bad.jsonl"
    file.write_text(
        '{"id": "a", "attributes": {"time": "2026-01-01T00:00:00Z", "action": "x", "actor": {"id": "u"}}}\n{oops\n'
    )
    assert cli.run(parse("--port", "0", "--events", str(file)), stdout=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 2: not valid JSON" in err


def test_events_file_is_served(tmp_path: Path) -> None:
    file = tmp_path / "ok.jsonl"
    file.write_text(
        '{"id": "a", "attributes": {"time": "2020-01-01T00:00:00Z", "action": "x", "actor": {"id": "u"}}}\n'
    )
    sink, stop = LineSink(), threading.Event()
    stop.set()
    assert cli.run(parse("--port", "0", "--events", str(file)), stdout=sink, stop=stop) == 0
    assert "Serving 0 recorded events." in sink.getvalue()
    assert "older than 180 days" in sink.getvalue()


def test_port_in_use_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.run(parse("--port", str(port), "--days", "1"), stdout=io.StringIO()) == 1
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err


def test_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    options = ["--host", "--port", "--seed", "--days", "--events", "--rate-limit", "--stream-rate-limit", "--faults"]
    assert all(option in out for option in [*options, "--api-key"])
