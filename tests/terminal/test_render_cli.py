from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditbot.cli import main
from tests.conftest import SPEC_DIR

SAMPLE_LOGS = sorted((SPEC_DIR / "samples" / "elastic-atlassian_cloud").glob("*.log"))


def events_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(p.read_text() for p in SAMPLE_LOGS))
    return path


def test_render_events_as_a_results_message(tmp_path, capsys):
    assert main(["render", "--events", str(events_file(tmp_path))]) == 0
    rendered = json.loads(capsys.readouterr().out)
    assert set(rendered) == {"text", "blocks"}
    assert len(rendered["blocks"]) <= 50
    assert "User login" in json.dumps(rendered)
    events = sum(len(p.read_text().splitlines()) for p in SAMPLE_LOGS)
    summary = next(b for b in rendered["blocks"] if b["type"] == "section")["text"]["text"]
    assert summary.startswith(f"*{events} events*"), "a file is a whole result: its total is exact"
    narrow = [e for b in rendered["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert any(e["action_id"].startswith("search_narrow:") for e in narrow)


def test_render_events_as_detail_modals(tmp_path, capsys):
    assert main(["render", "--events", str(events_file(tmp_path)), "--as", "detail"]) == 0
    views = json.loads(capsys.readouterr().out)
    assert len(views) == len(SAMPLE_LOGS)
    assert all(v["type"] == "modal" for v in views)


def test_render_a_query_against_the_sandbox(capsys):
    assert main(["render", "action:user_login_failed last:3d"]) == 0
    out = capsys.readouterr().out
    assert "sandbox" not in out
    assert "action:user_login_failed since:3d" in out


def test_a_malformed_events_file_names_the_line(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text(SAMPLE_LOGS[0].read_text() + "{not json}\n")
    assert main(["render", "--events", str(path)]) == 2
    assert "line 2" in capsys.readouterr().err


def test_detail_without_events_is_refused(capsys):
    assert main(["render", "--as", "detail", "x"]) == 2
    assert "--events" in capsys.readouterr().err


def test_render_events_as_alerts(tmp_path, capsys):
    assert main(["render", "--events", str(events_file(tmp_path)), "--as", "alert"]) == 0
    alerts = json.loads(capsys.readouterr().out)
    assert len(alerts) == len(SAMPLE_LOGS)
    for alert in alerts:
        assert set(alert) == {"text", "blocks"} and len(alert["blocks"]) <= 50
        actions = [e["action_id"] for b in alert["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert (
            actions[:8]
            == [
                "alert_ack",
                "alert_resolve",
                "alert_assign_me",
                "alert_assign",
                "alert_snooze",
                "alert_investigate",
                "event_details",
            ][: len(actions[:8])]
        )
        assert actions[7:] in ([], ["alert_open_admin"]), "the link, for an event that names its org"
        assert "sub-example" in json.dumps(alert)


def test_render_events_as_a_burst(tmp_path, capsys):
    assert main(["render", "--events", str(events_file(tmp_path)), "--as", "burst"]) == 0
    burst = json.loads(capsys.readouterr().out)
    assert set(burst) == {"summary", "part"}
    assert f"{len(SAMPLE_LOGS)} audit events matched" in json.dumps(burst["summary"])
    assert "alert_ack_batch" in json.dumps(burst["summary"])
    assert "alert_part_details" in json.dumps(burst["part"])


@pytest.mark.parametrize(
    ("state", "shown", "buttons"),
    [
        ("open", None, "alert_ack"),
        ("acknowledged", "Acknowledged by", "alert_resolve"),
        ("assigned", "Assigned to <@U0EXAMPLE1>", "alert_assign_me"),
        ("resolved", "*Resolved* by <@U0EXAMPLE1> · False positive · Expected: a planned change.", "alert_reopen"),
        ("reopened", "last changed by <@U0EXAMPLE1>", "alert_ack"),
    ],
)
def test_render_an_alert_in_each_triage_state(tmp_path, capsys, state, shown, buttons):
    assert main(["render", "--events", str(events_file(tmp_path)), "--as", "alert", "--state", state]) == 0
    alert = json.loads(capsys.readouterr().out)[0]
    text = json.dumps(alert, ensure_ascii=False)
    assert shown is None or shown in text
    assert buttons in text
    assert ("alert_reopen" in text) == (state == "resolved")


def test_render_a_query_against_the_sandbox_as_alerts_and_a_burst(capsys):
    assert main(["render", "action:user_login_failed last:3d", "--as", "alert"]) == 0
    alerts = json.loads(capsys.readouterr().out)
    assert 0 < len(alerts) <= 10
    assert all("User login failed" in json.dumps(a) for a in alerts)
    assert main(["render", "action:user_login last:3d", "--as", "burst"]) == 0
    burst = json.loads(capsys.readouterr().out)
    options = [o for b in burst["part"]["blocks"] if b["type"] == "actions" for o in b["elements"][0]["options"]]
    assert len(options) == 50
