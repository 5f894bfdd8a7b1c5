"""When the app is missing, down, slow or refuses the request, the page gets a message it can show."""

from __future__ import annotations

import socket

import httpx
import pytest

from auditbot.playground import Workspace
from auditbot.playground.seed import SEC_ALERTS
from auditbot.playground.web import RunningPlayground, start_playground
from auditbot.playground.web.delivery import AppAnswer
from auditbot.playground.web.ui import local_host

from .tinyapp import TinyApp

pytestmark = pytest.mark.http


def command(page: httpx.Client) -> httpx.Response:
    return page.post("/ui/command", json={"channel": SEC_ALERTS, "text": "/audit help"})


def test_without_an_app_the_page_is_told_so(page: httpx.Client):
    answer = command(page)
    assert answer.status_code == 502
    assert answer.json() == {"ok": False, "error": "No app is connected to the playground yet."}


def test_a_refused_connection_is_reported(playground: RunningPlayground, page: httpx.Client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    playground.connect(f"http://127.0.0.1:{port}/slack/events")
    answer = command(page)
    assert answer.status_code == 502
    assert "Could not reach the app" in answer.json()["error"]


def test_an_app_that_refuses_the_signature_is_reported(workspace: Workspace):
    with start_playground(workspace, signing_secret="not-the-apps-secret") as playground:
        app = TinyApp(playground.api_url)
        try:
            playground.connect(app.url)
            with httpx.Client(base_url=playground.root_url, timeout=10) as page:
                answer = command(page)
        finally:
            app.close()
    assert answer.status_code == 502
    assert answer.json()["error"].startswith("The app answered HTTP 401")
    assert app.seen == []


def test_a_late_ack_is_flagged():
    assert AppAnswer(200, b"", "", 3.5).late and not AppAnswer(200, b"", "", 0.2).late


def test_connect_takes_only_http_urls(playground: RunningPlayground):
    with pytest.raises(ValueError, match="http"):
        playground.connect("file:///etc/passwd")
    with pytest.raises(ValueError, match="signing secret"):
        start_playground(Workspace(), signing_secret="")


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1:3000", True),
        ("localhost:3000", True),
        ("[::1]:3000", True),
        ("192.168.1.20:3000", True),
        ("localhost", True),
        ("evil.example:3000", False),
        ("127.0.0.1.nip.io:3000", False),
        ("", False),
        ("[::1", False),
    ],
)
def test_only_ip_addresses_and_localhost_may_name_the_server(host: str, local: bool):
    assert local_host(host) is local
