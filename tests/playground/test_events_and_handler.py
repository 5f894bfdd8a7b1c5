"""The event log a UI polls, the HTTP-free handler a WSGI/ASGI mount will reuse, and thread safety."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_sdk import WebClient

from auditbot.playground import SlackApiHandler, Workspace
from auditbot.playground.seed import JANE, MAYA, SEC_ALERTS

from .blocks import home, modal


def kinds(workspace: Workspace, cursor: int) -> list[str]:
    return [event.kind for event in workspace.events_since(cursor).events]


def test_seeded_workspace_has_people_channels_and_messages(workspace: Workspace):
    assert {u.tz for u in workspace.directory.users()} >= {"Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles"}
    channels = workspace.directory.channels()
    assert any(c.is_im for c in channels) and any(c.is_ext_shared for c in channels)
    assert any(c.is_private and workspace.bot.id not in c.members for c in channels)
    assert "203.0.113.7" in workspace.messages(SEC_ALERTS)[0].text
    assert Workspace(workspace.clock, seeded=False).directory.channels() == []


def test_events_come_in_order_with_a_cursor(workspace: Workspace):
    start = workspace.events_since().cursor
    handler = SlackApiHandler(workspace)
    headers = {"Authorization": "Bearer xoxb-test", "Content-Type": "application/json"}

    def call(method: str, **params: object) -> Any:
        answer = handler.handle("POST", f"/api/{method}", headers, json.dumps(params).encode())
        return json.loads(answer.body)

    ts = call("chat.postMessage", channel=SEC_ALERTS, text="one")["ts"]
    call("chat.postEphemeral", channel=SEC_ALERTS, user=JANE, text="psst")
    middle = workspace.events_since(start).cursor
    call("chat.update", channel=SEC_ALERTS, ts=ts, text="one, edited")
    call("views.open", trigger_id=workspace.new_trigger_id(JANE), view=modal())
    call("views.publish", user_id=JANE, view=home())
    call("chat.delete", channel=SEC_ALERTS, ts=ts)

    assert kinds(workspace, start) == [
        "message",
        "ephemeral",
        "message_changed",
        "view_opened",
        "home_published",
        "message_deleted",
    ]
    assert kinds(workspace, middle)[0] == "message_changed"
    ephemeral = workspace.events_since(start).events[1]
    assert (ephemeral.channel, ephemeral.user, ephemeral.data["text"]) == (SEC_ALERTS, JANE, "psst")
    assert workspace.events_since(workspace.events_since().cursor).events == []
    assert workspace.wait_for_events(start, timeout=0), "there is news after start: no waiting"


def test_the_handler_without_a_server(workspace: Workspace):
    handler = SlackApiHandler(workspace)

    by_query = handler.handle("GET", f"/api/users.info?user={MAYA}&token=xoxb-test", {}, b"")
    form = handler.handle(
        "POST",
        "/api/conversations.info",
        {"Content-Type": "application/x-www-form-urlencoded"},
        f"token=xoxb-test&channel={SEC_ALERTS}".encode(),
    )
    missing = handler.handle("GET", "/nowhere", {}, b"")

    assert by_query.status == 200 and json.loads(by_query.body)["user"]["tz"] == "America/Los_Angeles"
    assert json.loads(form.body)["channel"]["name"] == "sec-alerts"
    assert by_query.headers["Content-Type"].startswith("application/json")
    assert missing.status == 404


@pytest.mark.http
def test_concurrent_posts_get_unique_increasing_timestamps(client: WebClient, workspace: Workspace):
    def post(n: int) -> str:
        return str(client.chat_postMessage(channel=SEC_ALERTS, text=f"burst {n}")["ts"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        stamps = list(pool.map(post, range(40)))

    assert len(set(stamps)) == 40
    stored = [m.ts for m in workspace.messages(SEC_ALERTS)]
    assert stored == sorted(stored, key=float)


def test_waiting_for_events_wakes_on_a_new_one(workspace: Workspace):
    cursor = workspace.events_since().cursor
    poster = threading.Timer(0.01, lambda: workspace.post_as_user(SEC_ALERTS, JANE, "hello"))
    poster.start()
    try:
        assert workspace.wait_for_events(cursor, timeout=5)
    finally:
        poster.join()
    assert workspace.events_since(cursor).events[0].data["text"] == "hello"
