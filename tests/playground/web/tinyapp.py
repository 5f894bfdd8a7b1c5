"""A small real Bolt app served over HTTP (wsgiref, threaded): what the playground drives in these tests.

It records every request body it accepted and answers the way auditbot's listeners do: replies
through ``respond``, modals through ``views.open``, field errors, options loads, a Home tab. With
``process_before_response`` its work is done before it answers, so a test sees the effects as
soon as the playground's endpoint returns.
"""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from auditbot.playground.seed import BOT_ID, BOT_USER_ID, TEAM

SECRET = "tiny-app-signing-secret"
TOKEN = "xoxb-test"


def text_input(block_id: str, label: str, **element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {"type": "plain_text_input", "action_id": block_id, **element},
    }


FORM = {
    "type": "modal",
    "callback_id": "form",
    "title": {"type": "plain_text", "text": "Search audit log"},
    "submit": {"type": "plain_text", "text": "Search"},
    "blocks": [
        text_input("name", "Name", initial_value="jane"),
        {
            "type": "input",
            "block_id": "form_actions",
            "optional": True,
            "label": {"type": "plain_text", "text": "Actions"},
            "element": {"type": "multi_external_select", "action_id": "form_actions", "min_query_length": 0},
        },
        {
            "type": "input",
            "block_id": "since",
            "optional": True,
            "label": {"type": "plain_text", "text": "Since"},
            "element": {"type": "datetimepicker", "action_id": "since", "initial_date_time": 1764072000},
        },
    ],
}
RESULTS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*page 1*"}},
    {
        "type": "actions",
        "elements": [
            {"type": "button", "action_id": "page_next", "text": {"type": "plain_text", "text": "Next"}, "value": "p2"},
            {
                "type": "static_select",
                "action_id": "pick",
                "placeholder": {"type": "plain_text", "text": "Pick"},
                "options": [
                    {"text": {"type": "plain_text", "text": "One"}, "value": "1"},
                    {"text": {"type": "plain_text", "text": "Two"}, "value": "2"},
                ],
            },
            {"type": "datepicker", "action_id": "day"},
        ],
    },
]

ACK_ANSWERS: dict[str, str | dict[str, Any]] = {
    "ack text": "Slow down: ready in 3 s.",
    "ack blocks": {"response_type": "ephemeral", "text": "refused", "blocks": [RESULTS[0]]},
    "ack in channel": {"response_type": "in_channel", "text": "for everyone"},
    "ack bad blocks": {"text": "broken", "blocks": [{"type": "no_such_block"}]},
    "ack nothing to show": {"response_type": "ephemeral"},
}
"""Commands the app answers in its ack (the body Slack shows), as auditbot's search limit does."""

UPDATED = {**FORM, "title": {"type": "plain_text", "text": "Updated"}}
SUBMISSION_ANSWERS: dict[str, dict[str, Any]] = {
    "bad": {"response_action": "errors", "errors": {"name": "Not that name"}},
    "elsewhere": {"response_action": "errors", "errors": {"not_an_input": "Try again in a minute"}},
    "update": {"response_action": "update", "view": UPDATED},
    "push": {"response_action": "push", "view": UPDATED},
    "clear": {"response_action": "clear"},
}
"""The form's answer by the name typed in it; any other name closes it (an empty ack)."""


def answer_command(body: dict[str, Any], ack: Ack, respond: Respond) -> None:
    """In the ack for the commands in ``ACK_ANSWERS``; else an empty ack, then results through the response URL."""
    answer = ACK_ANSWERS.get(body["text"])
    ack(answer or "")
    if answer is None:
        respond(text=f"results for {body['text']}", blocks=RESULTS, response_type="ephemeral")


def build(client: WebClient) -> tuple[App, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    def authorize(**_: Any) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=None, team_id=TEAM.id, bot_token=TOKEN, bot_id=BOT_ID, bot_user_id=BOT_USER_ID
        )

    app = App(signing_secret=SECRET, authorize=authorize, client=client, process_before_response=True)

    @app.command("/audit")
    def command(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        seen.append(body)
        answer_command(body, ack, respond)

    @app.action("page_next")
    def page_next(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        seen.append(body)
        ack()
        respond(
            text="page 2", blocks=[RESULTS[0] | {"text": {"type": "mrkdwn", "text": "*page 2*"}}], replace_original=True
        )

    @app.action("pick")
    @app.action("day")
    @app.action("home_button")
    def recorded(ack: Ack, body: dict[str, Any]) -> None:
        seen.append(body)
        ack()

    @app.shortcut("investigate_message")
    def investigate(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        seen.append(body)
        ack()
        respond(text="investigating", response_type="ephemeral")

    @app.shortcut("search_audit_log")
    def open_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        seen.append(body)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=FORM)

    @app.view("form")
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        seen.append(body)
        ack(**SUBMISSION_ANSWERS.get(view["state"]["values"]["name"]["name"]["value"], {}))

    @app.options("form_actions")
    def options(ack: Ack, body: dict[str, Any]) -> None:
        seen.append(body)
        typed = str(body.get("value", ""))
        names = [n for n in ("added_org_admin", "user_login_failed") if typed in n]
        ack(options=[{"text": {"type": "plain_text", "text": n}, "value": n} for n in names])

    @app.event("app_home_opened")
    def home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        seen.append(body)
        button = {"type": "button", "action_id": "home_button", "text": {"type": "plain_text", "text": "Go"}}
        client.views_publish(
            user_id=event["user"], view={"type": "home", "blocks": [{"type": "actions", "elements": [button]}]}
        )

    return app, seen


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No request lines on stderr."""


class _Threaded(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class TinyApp:
    def __init__(self, api_url: str) -> None:
        self.app, self.seen = build(WebClient(token=TOKEN, base_url=api_url, timeout=5))
        self._server = make_server(
            "127.0.0.1", 0, SlackRequestHandler(self.app), server_class=_Threaded, handler_class=_Quiet
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}/slack/events"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()

    def last(self, kind: str) -> dict[str, Any]:
        found = [body for body in self.seen if body.get("type", "command") == kind or body.get("command") == kind]
        assert found, f"the app received no {kind}"
        return found[-1]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
