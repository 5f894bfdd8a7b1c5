"""[Search] beside "Did you mean …?" under a query error: runs the corrected query in the error's place."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.listeners.common import record, search_for
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import Click, payload_of
from auditbot.slack.render import render_results
from auditbot.slack.replies import Respond, answering, send


def register(app: Listeners, deps: SlackDeps) -> None:
    @app.action(ids.SEARCH_SUGGESTION_PATTERN)
    def run_suggestion(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "suggested search"):
            page = search_for(deps, client, click.who.user_id, click.action.value)
            record(deps, client, click.who, "query", query=page.query, detail="a suggested correction")
            send(respond, render_results(page), replace=True)
