"""The terminal edge under hostile data and awkward use: escaped output, one error form, no tracebacks, no hangs.

Each test runs ``main(argv)`` in-process against a sandbox org on loopback, on a ``ManualClock``
shared with the sandbox, so rate-limit waits take no real time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from auditbot.cli import build_parser, main
from auditbot.core.clock import ManualClock
from auditbot.core.model import AuditEvent
from auditbot.sandbox import SandboxApi, start_server
from auditbot.sandbox.loader import parse_event_lines
from auditbot.sandbox.ratelimit import RateLimits
from auditbot.sandbox.store import StaticEventSource
from auditbot.services.ingest import IngestReport
from auditbot.terminal import ingest_cli

ORG = "org-terminal"
KEY = "k-terminal"
HOSTILE = "Eve\x1b]0;pwned\x07\x1b[31mRED\x00\x9b2J\u202egnp.exe\u200b\u2066x\u2069\r\nforged line"
_DANGEROUS = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def raw_controls(text: str) -> list[str]:
    """Characters a terminal would act on or hide, other than line ends."""
    return [ch for ch in text if ch != "\n" and unicodedata.category(ch) in _DANGEROUS]


def hostile_event(number: int, **attributes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "time": f"2026-11-25T11:{number:02d}:00Z",
        "action": "user_login",
        "actor": {"id": f"acc-{number}", "name": HOSTILE, "email": "svc@example.com"},
        "location": {"ip": "203.0.113.7", "city": HOSTILE, "countryName": "Australia"},
        "context": [{"id": "g1", "type": "groups", "attributes": {"groupName": HOSTILE}}],
    }
    base.update(attributes)
    return {"id": f"e-{number}", "type": "events", "attributes": base}


@contextmanager
def org(
    monkeypatch: pytest.MonkeyPatch, clock: ManualClock, events: list[dict[str, Any]], **options: Any
) -> Iterator[SandboxApi]:
    source = StaticEventSource(parse_event_lines([json.dumps(e) for e in events], ORG))
    api = SandboxApi(source, org_id=ORG, api_key=KEY, clock=clock, **options)
    with start_server(api) as running:
        monkeypatch.setenv("ATLASSIAN_API_URL", running.base_url)
        monkeypatch.setenv("ATLASSIAN_ORG_ID", ORG)
        monkeypatch.setenv("ATLASSIAN_API_KEY", KEY)
        yield api


# -- escaped output ------------------------------------------------------------------------------------


def test_the_search_table_shows_control_and_bidi_characters_escaped(monkeypatch, capsys):
    clock = ManualClock()
    with org(monkeypatch, clock, [hostile_event(1)]):
        assert main(["search", "last:1d", "--tz", "Europe/Berlin"], clock=clock) == 0
    out, err = capsys.readouterr()
    assert raw_controls(out) == [] and raw_controls(err) == []
    lines = out.splitlines()
    assert len(lines) == 3, "the header, the titles and one row: data cannot start a line"
    row = lines[2]
    assert "Eve\\x1b]0;pwned\\x07\\x1b[31mRED\\x00\\x9b2" in row
    assert "forged line" not in out.replace(row, "")


def test_json_lines_escape_them_too_and_read_back_as_the_original(monkeypatch, capsys):
    clock = ManualClock()
    with org(monkeypatch, clock, [hostile_event(1), hostile_event(2)]):
        assert main(["search", "--json", "last:1d"], clock=clock) == 0
    out = capsys.readouterr().out
    assert raw_controls(out) == []
    lines = out.splitlines()
    assert len(lines) == 2
    assert {AuditEvent.model_validate(json.loads(line)).actor.name for line in lines} == {HOSTILE}


def test_render_previews_escape_them_and_stay_valid_json(tmp_path, capsys):
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(hostile_event(n)) + "\n" for n in (1, 2)))
    for kind in ("results", "detail", "alert", "burst"):
        assert main(["render", "--events", str(events), "--as", kind]) == 0
        out = capsys.readouterr().out
        assert raw_controls(out) == [], kind
        json.loads(out)


# -- one error form, escaped ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["search", "render"])
def test_a_bad_query_prints_the_same_caret_form_in_every_subcommand(command, capsys):
    assert main([command, "since:2d acter:bob"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == 'auditbot: Unknown term "acter"'
    assert err[1:3] == ["  since:2d acter:bob", "           ^^^^^"]
    assert err[3].startswith("  Terms are")
    assert err[4] == "  Did you mean: since:2d actor:bob"


def test_an_error_echoing_hostile_input_is_escaped_and_its_caret_still_points(capsys):
    assert main(["search", "since:2d \u202eacter\x1b[2J:bob"]) == 2
    err = capsys.readouterr().err
    assert raw_controls(err) == []
    line, marker = err.splitlines()[1:3]
    assert line == "  since:2d \\u202eacter\\x1b[2J:bob"
    assert err.startswith("auditbot: Unsupported character U+001B\n")
    assert marker.index("^") == line.index("\\x1b") and marker.count("^") == len("\\x1b")


def test_argparse_errors_echoing_input_are_escaped(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["search", "--bogus\x1b]0;x\x07"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert raw_controls(err) == [] and "--bogus\\x1b]0;x\\x07" in err


# -- --tz: one validator ---------------------------------------------------------------------------------

BAD_ZONES = [
    "",
    "Mars/Base",
    "../../etc/passwd",
    "/etc/localtime",
    "Europe",
    "Europe/",
    "UTC\x00",
    "x" * 300,
    ".",
    "..",
    "Europe/../UTC",
    "+02:00",
    "\u202eUTC",
    "\ud800",
    "Etc/GMT+25",
    "/",
    "Europe\\Berlin",
]


@pytest.mark.parametrize("command", ["search", "render"])
@pytest.mark.parametrize("zone", BAD_ZONES, ids=[repr(z)[:20] for z in BAD_ZONES])
def test_a_bad_time_zone_is_one_line_and_exit_2_in_both_commands(command, zone, capsys):
    assert main([command, "--tz", zone, "last:1d"]) == 2
    err = capsys.readouterr().err
    assert "is not a time zone auditbot knows" in err
    assert "Traceback" not in err and raw_controls(err) == []


def test_a_zone_in_another_case_is_understood(capsys):
    assert main(["render", "--tz", "europe/berlin", "--as", "detail", "x"]) == 2
    assert "--events" in capsys.readouterr().err


# -- queries that start with "-" ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "query"),
    [
        (["search", "-actor:svc@example.com"], "-actor:svc@example.com"),
        (["search", "-actor:svc@example.com", "--json"], "-actor:svc@example.com"),
        (["search", "--json", "-ip:203.0.113.7", "last:1d"], "-ip:203.0.113.7 last:1d"),
        (["search", "-action:user_login", "--tz", "UTC", "-secret"], "-action:user_login -secret"),
        (["search", "--tz=UTC", "--", "-actor:svc@example.com"], "-actor:svc@example.com"),
        (["search", "-x", "--page-size", "5"], "-x"),
        (["render", "-actor:svc@example.com", "--as", "alert"], "-actor:svc@example.com"),
        (["-v", "search", "-actor:a", "-v"], "-actor:a"),
    ],
)
def test_a_query_may_start_with_a_dash(argv, query):
    args = build_parser().parse_args(argv)
    assert " ".join(args.query) == query
    assert args.verbose is ("-v" in argv)


def test_an_ingest_summary_echoing_an_error_is_escaped(capsys):
    ingest_cli._print(IngestReport(leader=True, error="API said \x1b]0;pwned\x07\nforged"))
    out = capsys.readouterr().out
    assert out.endswith("stopped: API said \\x1b]0;pwned\\x07\\nforged\n")
    assert raw_controls(out) == []


def test_a_leading_dash_query_runs_and_excludes(monkeypatch, capsys):
    clock = ManualClock()
    events = [hostile_event(1), hostile_event(2, actor={"id": "acc-2", "name": "Bob", "email": "bob@example.com"})]
    with org(monkeypatch, clock, events):
        assert main(["search", "--json", "-actor:svc@example.com", "last:1d"], clock=clock) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["e-2"]


# -- a permanent 429 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "limit"),
    [(["search", "last:1d"], 60.0), (["search", "--all", "--max-wait", "150", "last:1d"], 150.0)],
)
def test_a_permanent_429_ends_with_a_message_within_max_wait(monkeypatch, capsys, argv, limit):
    clock = ManualClock()
    with org(monkeypatch, clock, [hostile_event(1)], limits=RateLimits.of(0, 0)):
        assert main(argv, clock=clock) == 1
    err = capsys.readouterr().err
    assert "Gave up on the Admin API" in err and f"--max-wait {limit:.0f} s" in err
    assert "auditbot: waiting 60 s for the Admin API" in err, "the wait is announced while it happens"
    assert "Traceback" not in err
    assert 0 < clock.monotonic() <= limit


def test_render_has_the_same_limit(monkeypatch, capsys):
    clock = ManualClock()
    with org(monkeypatch, clock, [hostile_event(1)], limits=RateLimits.of(0, 0)):
        assert main(["render", "--max-wait", "0", "last:1d"], clock=clock) == 1
    assert clock.monotonic() == 0
    assert "the Admin API allows 10 searches a minute" in capsys.readouterr().err


def test_max_wait_out_of_range_is_refused(capsys):
    assert main(["search", "--max-wait", "-1", "x"]) == 2
    assert "--max-wait" in capsys.readouterr().err


# -- a reader that goes away ---------------------------------------------------------------------------------


def test_a_closed_stdout_ends_the_command_quietly(monkeypatch, capsys):
    clock = ManualClock()
    read_end, write_end = os.pipe()
    os.close(read_end)
    closed = os.fdopen(write_end, "w", buffering=1)
    try:
        with org(monkeypatch, clock, [hostile_event(n) for n in range(1, 40)]):
            monkeypatch.setattr(sys, "stdout", closed)
            code = main(["search", "--json", "last:1d"], clock=clock)
            monkeypatch.undo()
    finally:
        closed.close()
    assert code == 1
    assert "Traceback" not in capsys.readouterr().err


def test_piping_into_a_reader_that_stops_after_one_line_prints_no_traceback(tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_text(
        "".join(json.dumps(hostile_event(n % 60, actor={"id": "a", "name": "x" * 2000})) + "\n" for n in range(1, 60))
    )
    command = [sys.executable, "-m", "auditbot", "render", "--events", str(events), "--as", "detail"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.readline().strip() == b"["
        child.stdout.close()
        err = child.stderr.read().decode()
        code = child.wait(timeout=60)
    assert code == 1, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err


def test_an_empty_window_is_an_error_with_the_caret_not_an_empty_table(capsys):
    assert main(["search", "since:today until:yesterday"], clock=ManualClock()) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "since:today starts where until:yesterday ends, so the window is empty\n" in err
    assert "  since:today until:yesterday\n        ^^^^^\n" in err
