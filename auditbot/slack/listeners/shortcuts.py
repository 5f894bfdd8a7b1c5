"""The message shortcut "Investigate in audit log", the global search form, and its options load."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from auditbot.core.errors import AuditbotError
from auditbot.core.extract import extract
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.forms import FormErrors, query_from_form
from auditbot.slack.listeners.common import open_event, open_view_or_log, record, search_for, show_results
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import MessageShortcut, OptionsLoad, Shortcut, ViewSubmission, payload_of
from auditbot.slack.render import render_action_options, render_error, render_notice, render_results, render_search_form
from auditbot.slack.replies import Respond, answering, send
from auditbot.slack.text import unslack

INVESTIGATION_WINDOW = "since:30d"


def register(app: Listeners, deps: SlackDeps) -> None:
    @app.shortcut(ids.INVESTIGATE_MESSAGE)
    def investigate(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        shortcut = payload_of(context, MessageShortcut)
        with answering(respond, "investigate"):
            findings = extract(unslack(_message_text(shortcut.message)))
            if findings.empty:
                send(respond, render_notice("Nothing to investigate: no emails, IPs, account ids or event ids here."))
            elif findings.event_ids and not (findings.emails or findings.account_ids or findings.ips):
                open_event(deps, client, shortcut.who, shortcut.trigger_id, findings.event_ids[0])
            else:
                opened = _open_found_event(deps, client, shortcut, findings.event_ids)
                query = f"{findings.query().canonical} {INVESTIGATION_WINDOW}"
                intro = f"From the message: {findings.summary()}.{opened}"
                show_results(deps, client, respond, shortcut.who, query, intro=intro)

    @app.shortcut(ids.SEARCH_SHORTCUT)
    def search_form(ack: Ack, context: BoltContext, client: WebClient) -> None:
        ack()
        shortcut = payload_of(context, Shortcut)
        tz = deps.zones.zone(client, shortcut.who.user_id)
        open_view_or_log(client, shortcut.trigger_id, render_search_form(tz=tz))

    def validate_form(ack: Ack, context: BoltContext) -> None:
        try:
            query_from_form(payload_of(context, ViewSubmission).values)
        except FormErrors as exc:
            ack(response_action="errors", errors=exc.errors)
            return
        ack()

    def answer_form(context: BoltContext, client: WebClient) -> None:
        submission = payload_of(context, ViewSubmission)
        try:
            query = query_from_form(submission.values)
        except FormErrors:
            return  # refused in the ack with the fields' errors
        user_id = submission.who.user_id
        try:
            page = search_for(deps, client, user_id, query)
            record(deps, client, submission.who, "query", query=page.query, detail="search form")
            message = render_results(page)
        except AuditbotError as exc:
            message = render_error(exc)
            record(deps, client, submission.who, "error", outcome="error", detail=f"search form: {exc.message}")
        client.chat_postMessage(channel=user_id, **message.as_kwargs())

    app.view_submission(ids.SEARCH_FORM, ack=validate_form, work=answer_form)

    @app.options(ids.FORM_ACTIONS)
    def action_options(ack: Ack, context: BoltContext) -> None:
        ack(**render_action_options(deps.catalog.snapshot(), payload_of(context, OptionsLoad).value))


def _open_found_event(deps: SlackDeps, client: WebClient, shortcut: MessageShortcut, event_ids: Sequence[str]) -> str:
    """Open the first event id the message names in a window (the trigger is good for one window), and
    say so in the results' intro; "" when it names none."""
    if not event_ids:
        return ""
    event_id = event_ids[0]
    try:
        open_event(deps, client, shortcut.who, shortcut.trigger_id, event_id)
    except AuditbotError as exc:
        return f" Event {event_id} could not be opened: {exc.message}"
    return f" Event {event_id} opened in a window."


def _message_text(message: Mapping[str, Any]) -> str:
    """The message's text plus the text of its blocks and attachments, where ids often hide."""
    parts = [str(message.get("text") or "")]
    for attachment in message.get("attachments") or []:
        parts.extend(str(attachment.get(key) or "") for key in ("title", "text", "fallback"))
    parts.extend(_block_texts(message.get("blocks") or []))
    return "\n".join(p for p in parts if p)


def _block_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [str(node["text"])] if isinstance(node.get("text"), str) else []
        return found + [t for value in node.values() if isinstance(value, dict | list) for t in _block_texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in _block_texts(item)]
    return []
