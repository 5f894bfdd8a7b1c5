"""auditbot itself behind the playground, over real HTTP: the app cannot tell the page's requests from Slack's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest

from auditbot.playground import Workspace
from auditbot.playground.seed import JANE, JANE_DM, SEC_ALERTS
from auditbot.playground.web import RunningPlayground, start_playground
from auditbot.sandbox import GeneratedOrg
from auditbot.services.events import EventLookup
from auditbot.services.export import Exporter
from auditbot.slack import ids
from auditbot.slack.app import build_app, slack_client
from auditbot.slack.deps import SlackDeps
from auditbot.slack.render.views import RateBudget
from auditbot.slack.serve import wsgi_app
from auditbot.slack.users import UserZones
from tests.services.world import ANCHOR, World
from tests.slack.harness import SIGNING_SECRET, InlineExecutor, signed_gate

pytestmark = pytest.mark.http


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No request lines on stderr."""


class _Threaded(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@pytest.fixture(scope="module")
def org() -> GeneratedOrg:
    return GeneratedOrg(7, anchor=ANCHOR, days=30)


@pytest.fixture
def stack(org: GeneratedOrg) -> Iterator[tuple[RunningPlayground, httpx.Client]]:
    world = World(org, page_size=10)
    workspace = Workspace(world.clock)
    with start_playground(workspace, signing_secret=SIGNING_SECRET) as playground:
        deps = SlackDeps(
            search=world.search,
            catalog=world.catalog,
            events=EventLookup(world.client),
            exporter=Exporter(world.search, world.codec),
            clock=world.clock,
            zones=UserZones(world.clock),
            org_id=world.sandbox.org_id,
            sandbox=True,
            budgets=lambda: (RateBudget("events", 10, 7, 0.0),),
        )
        client = slack_client("xoxb-test", base_url=playground.api_url, clock=world.clock)
        app = build_app(deps, client=client, signing_secret=SIGNING_SECRET, executor=InlineExecutor())
        server = make_server(
            "127.0.0.1", 0, wsgi_app(app, dict, gate=signed_gate()), server_class=_Threaded, handler_class=_Quiet
        )
        thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        playground.connect(f"http://127.0.0.1:{server.server_port}/slack/events")
        try:
            with httpx.Client(base_url=playground.root_url, timeout=30) as page:
                yield playground, page
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


def post(page: httpx.Client, path: str, **body: Any) -> dict[str, Any]:
    answer = page.post(f"/ui/{path}", json=body)
    assert answer.status_code == 200, answer.text
    decoded: dict[str, Any] = answer.json()
    return decoded


def new_events(page: httpx.Client, cursor: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.get(f"/ui/events?cursor={cursor}&timeout=0").json()["events"]
    return found


def button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in message["blocks"]:
        for element in [block.get("accessory"), *block.get("elements", [])]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return {"block_id": block["block_id"], "action_id": action_id}
    raise AssertionError(f"no {action_id} button")


def test_search_page_and_open_details(stack: tuple[RunningPlayground, httpx.Client]):
    playground, page = stack
    workspace = playground.workspace
    start = workspace.events_since().cursor
    post(page, "command", channel=SEC_ALERTS, text="/audit last:2d")
    [shown] = new_events(page, start)
    message = shown["data"]
    assert shown["kind"] == "ephemeral" and message["text"].startswith("Audit log:")
    where = {"channel": SEC_ALERTS, "message_ts": message["ts"]}

    cursor = workspace.events_since().cursor
    post(page, "action", **where, **button(message, ids.PAGE_NEXT))
    [second] = new_events(page, cursor)
    assert (second["kind"], second["data"]["ts"]) == ("message_changed", message["ts"])
    assert "page 2" in str(second["data"]["blocks"])

    cursor = workspace.events_since().cursor
    post(page, "action", **where, **button(second["data"], ids.PAGE_PREV))
    [first] = new_events(page, cursor)
    assert "page 1" in str(first["data"]["blocks"])

    cursor = workspace.events_since().cursor
    post(page, "action", **where, **button(first["data"], ids.EVENT_DETAILS))
    [opened] = new_events(page, cursor)
    assert (opened["kind"], opened["data"]["callback_id"]) == ("view_opened", ids.EVENT_DETAIL)


def test_the_search_form_answers_in_the_dm(stack: tuple[RunningPlayground, httpx.Client]):
    playground, page = stack
    workspace = playground.workspace
    post(page, "global-shortcut", callback_id=ids.SEARCH_SHORTCUT)
    [form] = workspace.views.stack(JANE)
    options = post(
        page, "options", view_id=form.id, block_id=ids.FORM_ACTIONS, action_id=ids.FORM_ACTIONS, value="login"
    )
    [first, *_] = [o for group in options["option_groups"] for o in group["options"]]
    bad = post(page, "view-submit", view_id=form.id, values={ids.FORM_IPS: {ids.FORM_IPS: {"value": "nope"}}})
    assert bad["response_action"] == "errors" and ids.FORM_IPS in bad["errors"]
    picked = {ids.FORM_ACTIONS: {ids.FORM_ACTIONS: {"selected_options": [first]}}}
    assert post(page, "view-submit", view_id=form.id, values=picked)["response_action"] is None
    assert workspace.views.stack(JANE) == []
    [reply] = workspace.messages(JANE_DM)
    assert reply.text.startswith("Audit log:") and first["value"] in reply.text


def test_a_result_summary_button_narrows_the_search_in_a_new_message(stack: tuple[RunningPlayground, httpx.Client]):
    """The summary's buttons are ordinary Block Kit buttons: the page sends the click, auditbot answers anew."""
    playground, page = stack
    workspace = playground.workspace
    start = workspace.events_since().cursor
    post(page, "command", channel=SEC_ALERTS, text="/audit action:user_removed_from_group last:2d")
    [shown] = new_events(page, start)
    message = shown["data"]
    summary = next(b for b in message["blocks"] if b["type"] == "section")["text"]["text"]
    assert summary.startswith("*5 events*"), summary
    narrow = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith(ids.SEARCH_NARROW)
    )
    count = narrow["text"]["text"].rsplit("·", 1)[1].strip()
    cursor = workspace.events_since().cursor
    where = {"channel": SEC_ALERTS, "message_ts": message["ts"]}
    post(page, "action", **where, **button(message, narrow["action_id"]))
    [narrowed] = new_events(page, cursor)
    assert narrowed["kind"] == "ephemeral", "a new message; the wider one stays"
    blocks = narrowed["data"]["blocks"]
    first_line = next(b for b in blocks if b["type"] == "section")["text"]["text"]
    noun = "event" if count == "1" else "events"
    assert first_line.startswith(f"*{count} {noun}*")
    assert "actor:" in blocks[0]["text"]["text"] or "ip:" in blocks[0]["text"]["text"]
