"""The page's endpoints, over HTTP, driving a real Bolt app: every gesture reaches the app as Slack sends it,
and the app's answers come back to the page as events."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from auditbot.playground import Workspace
from auditbot.playground.seed import HR_PRIVATE, JANE, JANE_DM, RAVI, SEC_ALERTS
from auditbot.playground.web import RunningPlayground

from .tinyapp import TinyApp

pytestmark = pytest.mark.http


def post(page: httpx.Client, path: str, **body: Any) -> dict[str, Any]:
    answer = page.post(f"/ui/{path}", json=body)
    decoded: dict[str, Any] = answer.json()
    assert answer.status_code == 200, decoded
    return decoded


def events(page: httpx.Client, cursor: int, timeout: float = 0) -> dict[str, Any]:
    answer: dict[str, Any] = page.get(f"/ui/events?cursor={cursor}&timeout={timeout}").json()
    return answer


def results(page: httpx.Client, app: TinyApp, workspace: Workspace) -> dict[str, Any]:
    """Run /audit and return the ephemeral results message as the page sees it."""
    start = workspace.events_since().cursor
    post(page, "command", channel=SEC_ALERTS, text="/audit last:2d")
    [event] = events(page, start)["events"]
    assert event["kind"] == "ephemeral"
    message: dict[str, Any] = event["data"]
    return message


def test_state_describes_the_person_the_team_and_the_app(page: httpx.Client, workspace: Workspace):
    state = page.get("/ui/state").json()
    assert state["user"] == JANE
    assert {u["id"]: u["tz"] for u in state["users"]}[JANE] == "Europe/Berlin"
    assert "sec-alerts" in [c["name"] for c in state["channels"]]
    assert [dm["id"] for dm in state["dms"]] == [JANE_DM] == [state["app"]["dm"]]
    assert state["app"]["command"] == "/audit"
    assert {s["callback_id"]: s["type"] for s in state["app"]["shortcuts"]} == {
        "investigate_message": "message",
        "search_audit_log": "global",
    }
    post(page, "user", user=RAVI)
    ravi = page.get("/ui/state").json()
    assert ravi["user"] == RAVI
    assert HR_PRIVATE not in [c["id"] for c in ravi["channels"]], "Ravi is not in #hr-private"


def test_each_tab_may_act_as_its_own_person(page: httpx.Client, app: TinyApp, workspace: Workspace):
    results(page, app, workspace)
    as_ravi = {"X-Playground-User": RAVI}
    assert page.get("/ui/state", headers=as_ravi).json()["user"] == RAVI
    assert page.get("/ui/state").json()["user"] == JANE, "the page's default is unchanged"
    seen_by_ravi = page.get("/ui/events?cursor=0&timeout=0", headers=as_ravi).json()["events"]
    assert all(e["kind"] != "ephemeral" for e in seen_by_ravi)
    page.post("/ui/command", json={"channel": SEC_ALERTS, "text": "/audit mine"}, headers=as_ravi)
    assert app.last("command")["user_id"] == RAVI
    assert page.get("/ui/state", headers={"X-Playground-User": "U0AUDITBOT"}).status_code == 400
    assert page.get("/ui/state", headers={"X-Playground-User": "U0NOBODY"}).status_code == 404


def test_the_first_poll_replays_the_workspace(page: httpx.Client):
    batch = events(page, 0)
    assert [e["kind"] for e in batch["events"]][:2] == ["message", "message"]
    assert batch["cursor"] >= 4 and batch["reset"] is False
    assert events(page, batch["cursor"]) == {"ok": True, "events": [], "cursor": batch["cursor"], "reset": False}
    assert events(page, batch["cursor"] + 50)["reset"] is True, "a cursor from another run starts the page over"


def test_a_command_reaches_the_app_and_its_reply_is_only_for_the_person(
    page: httpx.Client, app: TinyApp, workspace: Workspace
):
    message = results(page, app, workspace)
    command = app.last("command")
    assert (command["command"], command["text"], command["channel_id"]) == ("/audit", "last:2d", SEC_ALERTS)
    assert message["ephemeral"] is True and message["text"] == "results for last:2d"
    assert all(block["block_id"] for block in message["blocks"])
    post(page, "user", user=RAVI)
    assert all(e["kind"] != "ephemeral" for e in events(page, 0)["events"]), "Ravi does not see Jane's reply"


def test_next_replaces_the_ephemeral_message_in_place(page: httpx.Client, app: TinyApp, workspace: Workspace):
    message = results(page, app, workspace)
    start = workspace.events_since().cursor
    actions = message["blocks"][1]
    post(
        page,
        "action",
        channel=SEC_ALERTS,
        message_ts=message["ts"],
        block_id=actions["block_id"],
        action_id="page_next",
    )
    click = app.last("block_actions")
    assert click["container"] == {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": SEC_ALERTS,
        "is_ephemeral": True,
    }
    assert click["actions"][0]["value"] == "p2"
    [changed] = events(page, start)["events"]
    assert changed["kind"] == "message_changed"
    assert (changed["data"]["ts"], changed["data"]["text"], changed["data"]["ephemeral"]) == (
        message["ts"],
        "page 2",
        True,
    )


def test_selects_and_pickers_report_their_choice(page: httpx.Client, app: TinyApp, workspace: Workspace):
    message = results(page, app, workspace)
    where = {"channel": SEC_ALERTS, "message_ts": message["ts"], "block_id": message["blocks"][1]["block_id"]}
    post(page, "action", **where, action_id="pick", selected_option={"value": "2"})
    assert app.last("block_actions")["actions"][0]["selected_option"]["text"]["text"] == "Two"
    post(page, "action", **where, action_id="day", selected_date="2026-11-20")
    assert app.last("block_actions")["actions"][0]["selected_date"] == "2026-11-20"
    refused = page.post("/ui/action", json={**where, "action_id": "pick", "selected_option": {"value": "9"}})
    assert refused.status_code == 400
    gone = page.post("/ui/action", json={**where, "action_id": "vanished"})
    assert (gone.status_code, gone.json()["ok"]) == (404, False)


def test_the_message_shortcut_sends_the_message(page: httpx.Client, app: TinyApp, workspace: Workspace):
    seeded = workspace.messages(SEC_ALERTS)[0]
    start = workspace.events_since().cursor
    post(page, "message-shortcut", channel=SEC_ALERTS, message_ts=seeded.ts)
    shortcut = app.last("message_action")
    assert (shortcut["callback_id"], shortcut["message"]["text"]) == ("investigate_message", seeded.text)
    [reply] = events(page, start)["events"]
    assert (reply["kind"], reply["data"]["text"]) == ("ephemeral", "investigating")


def test_the_search_form_round_trip(page: httpx.Client, app: TinyApp, workspace: Workspace):
    start = workspace.events_since().cursor
    post(page, "global-shortcut")
    assert app.last("shortcut")["callback_id"] == "search_audit_log"
    [opened] = events(page, start)["events"]
    assert opened["kind"] == "view_opened"
    view_id = opened["data"]["id"]
    options = post(page, "options", view_id=view_id, block_id="form_actions", action_id="form_actions", value="admin")
    assert [o["value"] for o in options["options"]] == ["added_org_admin"]
    assert app.last("block_suggestion")["view"]["id"] == view_id
    refused = post(page, "view-submit", view_id=view_id, values={"name": {"name": {"value": "bad"}}})
    assert refused["response_action"] == "errors" and refused["errors"] == {"name": "Not that name"}
    assert [v.closed for v in workspace.views_for(JANE)] == [False]
    chosen = {"selected_options": [{"value": "added_org_admin", "text": {"type": "plain_text", "text": "Added"}}]}
    done = post(
        page,
        "view-submit",
        view_id=view_id,
        values={"name": {"name": {"value": "ok"}}, "form_actions": {"form_actions": chosen}},
    )
    assert done["response_action"] is None
    state = app.last("view_submission")["view"]["state"]["values"]
    assert state["form_actions"]["form_actions"]["selected_options"][0]["value"] == "added_org_admin"
    assert state["since"]["since"] == {"type": "datetimepicker", "selected_date_time": 1764072000}
    assert events(page, start)["events"][-1] == {
        "seq": workspace.events_since().cursor,
        "kind": "view_closed",
        "channel": "",
        "data": {"view_id": view_id},
    }


@pytest.mark.parametrize(
    ("name", "titles", "open_count"),
    [("update", ["Updated"], 1), ("push", ["Search audit log", "Updated"], 2), ("clear", [], 0)],
)
def test_a_submission_can_update_push_or_clear(page, app, workspace, name, titles, open_count):
    post(page, "global-shortcut")
    view_id = workspace.views.stack(JANE)[0].id
    answer = post(page, "view-submit", view_id=view_id, values={"name": {"name": {"value": name}}})
    assert answer["response_action"] == name
    assert [v.view["title"]["text"] for v in workspace.views.stack(JANE)] == titles
    assert len(workspace.views.stack(JANE)) == open_count


def test_closing_a_modal_and_opening_the_home_tab(page: httpx.Client, app: TinyApp, workspace: Workspace):
    post(page, "global-shortcut")
    post(page, "view-close", view_id=workspace.views.stack(JANE)[0].id)
    assert workspace.views.stack(JANE) == []
    start = workspace.events_since().cursor
    post(page, "home-opened", tab="home")
    opened = app.last("event_callback")["event"]
    assert (opened["type"], opened["tab"], opened["channel"]) == ("app_home_opened", "home", JANE_DM)
    [published] = events(page, start)["events"]
    assert published["kind"] == "home_published"
    home = published["data"]
    post(page, "action", view_id=home["id"], block_id=home["blocks"][0]["block_id"], action_id="home_button")
    click = app.last("block_actions")
    assert click["container"] == {"type": "view", "view_id": home["id"]} and "response_url" not in click


def test_a_typed_message_is_escaped_like_slack_clients_do(page: httpx.Client, workspace: Workspace):
    post(page, "message", channel=SEC_ALERTS, text="ping <!channel> & <@U02RAVIKMR>")
    assert workspace.messages(SEC_ALERTS)[-1].text == "ping &lt;!channel&gt; &amp; &lt;@U02RAVIKMR&gt;"
    post(page, "user", user=RAVI)
    refused = page.post("/ui/message", json={"channel": HR_PRIVATE, "text": "hi"})
    assert refused.status_code == 404, "Ravi cannot see #hr-private"


def test_long_poll_returns_when_something_happens_and_ends_when_the_server_closes(
    playground: RunningPlayground, workspace: Workspace
):
    cursor = workspace.events_since().cursor
    with httpx.Client(base_url=playground.root_url, timeout=30) as page:
        # A background post: the poll returns with it, whether it arrives before or during the wait.
        poster = threading.Thread(target=lambda: workspace.post_as_user(SEC_ALERTS, RAVI, "news"))
        poster.start()
        batch = events(page, cursor, timeout=20)
        poster.join()
        assert [e["data"]["text"] for e in batch["events"]] == ["news"]
        ended: list[str] = []

        def wait() -> None:
            try:
                events(page, batch["cursor"], timeout=20)
                ended.append("answered")
            except httpx.HTTPError:
                ended.append("hung up")

        poll = threading.Thread(target=wait)
        poll.start()
        playground.close()
        poll.join(timeout=5)
        assert not poll.is_alive() and ended, "closing the playground ends a waiting long poll"


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"content": b"channel=x", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 415),
        ({"content": b"[1]", "headers": {"Content-Type": "application/json"}}, 400),
        ({"content": b"{", "headers": {"Content-Type": "application/json"}}, 400),
        ({"json": {"channel": SEC_ALERTS, "text": "hi"}, "headers": {"Host": "evil.example:80"}}, 403),
    ],
)
def test_requests_another_site_could_forge_are_refused(page: httpx.Client, request_kwargs, status):
    assert page.post("/ui/message", **request_kwargs).status_code == status


def test_unknown_endpoints_and_bad_cursors(page: httpx.Client):
    assert page.post("/ui/nothing", json={}).status_code == 404
    assert page.get("/ui/events?cursor=soon").status_code == 400
    assert (
        page.post("/ui/command", json={"channel": SEC_ALERTS, "text": "/other x"})
        .json()["error"]
        .startswith("/other is not a valid command")
    )
