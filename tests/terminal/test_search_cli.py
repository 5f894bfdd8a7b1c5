from __future__ import annotations

import json

import pytest

from auditbot.cli import main
from auditbot.core.model import AuditEvent
from auditbot.sandbox import SandboxApi, start_server


def test_without_an_org_the_sandbox_is_searched_and_says_so(capsys):
    assert main(["search", "action:user_login_failed last:3d", "--tz", "Europe/Berlin"]) == 0
    out, err = capsys.readouterr()
    assert "built-in sandbox org" in err
    assert "in all" in err.splitlines()[-1], "the footer says how many events the result holds"
    lines = out.splitlines()
    assert lines[0].startswith("action:user_login_failed since:3d")
    assert "Europe/Berlin" in lines[0]
    assert lines[1].split()[:3] == ["time", "action", "actor"]
    assert len(lines) > 2
    assert all("User login failed" in line for line in lines[2:])


def test_json_prints_one_api_shaped_event_per_line(capsys):
    assert main(["search", "--json", "--page-size", "5", "last:1d"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    assert [AuditEvent.model_validate(json.loads(line)).type for line in lines] == ["events"] * 5


def test_a_configured_org_is_used_instead_of_the_sandbox(capsys, monkeypatch):
    api = SandboxApi.generated(3, days=2, api_key="k-configured")
    with start_server(api) as running:
        monkeypatch.setenv("ATLASSIAN_API_URL", running.base_url)
        monkeypatch.setenv("ATLASSIAN_ORG_ID", running.org_id)
        monkeypatch.setenv("ATLASSIAN_API_KEY", "k-configured")
        assert main(["search", "--all", "--page-size", "500", "last:1d"]) == 0
    out, err = capsys.readouterr()
    assert "sandbox" not in err
    assert len(out.splitlines()) > 2


def test_a_bad_query_exits_2_pointing_at_the_column(capsys):
    assert main(["search", "since:2d acter:bob"]) == 2
    err = capsys.readouterr().err
    assert 'auditbot: Unknown term "acter"\n' in err
    assert "         ^^^^^" in err
    assert "Did you mean: since:2d actor:bob" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "--tz", "Mars/Base", "x"], "is not a time zone"),
        (["search", "--page-size", "0", "x"], "--page-size"),
    ],
)
def test_bad_options_exit_2_with_a_message(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_rejected_key_exits_1_with_the_fix(capsys, monkeypatch):
    api = SandboxApi.generated(3, days=1, api_key="right")
    with start_server(api) as running:
        monkeypatch.setenv("ATLASSIAN_API_URL", running.base_url)
        monkeypatch.setenv("ATLASSIAN_ORG_ID", running.org_id)
        monkeypatch.setenv("ATLASSIAN_API_KEY", "k-bad-7731")
        assert main(["search", "last:1d"]) == 1
    err = capsys.readouterr().err
    assert "rejected the API key" in err
    assert "k-bad-7731" not in err
