"""HTTP mode: the WSGI app serving /slack/events and the operator endpoints, and `auditbot run`'s refusals.

``tests/test_ops.py`` covers /readyz, /metrics, request ids and the graceful stop in depth."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest

from auditbot.cli import main
from auditbot.playground import seed
from auditbot.slack.serve import wsgi_app
from tests.slack.harness import SlackWorld, signed, signed_gate


def call(app: Any, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None):
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path, "wsgi.input": io.BytesIO(body)}
    environ["CONTENT_LENGTH"] = str(len(body))
    for key, value in (headers or {}).items():
        name = key.upper().replace("-", "_")
        environ[name if name == "CONTENT_TYPE" else f"HTTP_{name}"] = value
    setup_testing_defaults(environ)
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    content = b"".join(app(environ, start_response))
    return seen["status"], content


def test_health_and_signed_events_over_wsgi(slack: SlackWorld):
    app = wsgi_app(slack.app, lambda: {"org": "o"}, gate=signed_gate())
    status, content = call(app, "GET", "/healthz")
    assert status == "200 OK"
    assert json.loads(content) == {"ok": True, "org": "o"}
    url = slack.workspace.new_response_url(seed.SEC_ALERTS, seed.JANE)
    body = urlencode(
        {
            "command": "/audit",
            "text": "help",
            "user_id": seed.JANE,
            "team_id": seed.TEAM.id,
            "channel_id": seed.SEC_ALERTS,
            "response_url": url,
            "trigger_id": "t",
        }
    )
    headers = {k: v if isinstance(v, str) else v[0] for k, v in signed(body).items()}
    status, _ = call(app, "POST", "/slack/events", body.encode(), headers)
    assert status.startswith("200")
    assert "since:" in json.dumps(slack.last_reply()), "the help reached the person"
    status, _ = call(app, "POST", "/slack/events", body.encode(), {**headers, "x-slack-signature": "v0=bad"})
    assert status.startswith("401")
    status, _ = call(app, "GET", "/elsewhere")
    assert status.startswith("404")


def test_the_operator_endpoints_answer_without_any_wiring(slack: SlackWorld):
    app = wsgi_app(slack.app, dict, gate=signed_gate())
    status, content = call(app, "GET", "/readyz")
    assert status == "200 OK"
    assert json.loads(content)["checks"]["ingest"]["counted"] is False
    status, content = call(app, "GET", "/metrics")
    assert status == "200 OK"
    assert b"# TYPE auditbot_http_requests_total counter" in content
    assert b'auditbot_http_requests_total{path="/readyz",status="200"} 1.0' in content
    for path in ("/healthz", "/readyz", "/metrics"):
        assert call(app, "POST", path)[0].startswith("405")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-1"}, "starting with xoxb-"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "starting with xapp-"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "AUDITBOT_LOG_FORMAT": "yaml"}, "AUDITBOT_LOG_FORMAT: Input should be"),
    ],
)
def test_run_refuses_to_start_without_what_it_needs(monkeypatch, capsys, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "xoxb-1" not in err and "xoxp-1" not in err
