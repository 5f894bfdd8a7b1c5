"""``/audit``: search by default, and the subcommands ``event``, ``actions``, ``help``, ``bot-log``, ``alerts``
(posted alerts by triage state) and the alert subscriptions (``subscribe``, ``subscriptions``,
``unsubscribe``, ``pause``, ``resume``).

The subcommand is the one the request's typed value names (``payloads.Command``), the same one the
access guard checked."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from auditbot.core.errors import AuditbotError
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.listeners import alert_list, handoff, schedules, subscriptions
from auditbot.slack.listeners.botlog import bot_log
from auditbot.slack.listeners.common import open_event, show_results
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import Command, payload_of
from auditbot.slack.render import render_actions, render_help
from auditbot.slack.replies import Respond, answering, send


def register(app: Listeners, deps: SlackDeps) -> None:
    @app.command(ids.COMMAND)
    def audit(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        command = payload_of(context, Command)
        sub = command.subcommand
        with answering(respond, "/audit"):
            match sub.verb:
                case "help":
                    send(respond, render_help(command=ids.COMMAND))
                case "actions":
                    send(respond, render_actions(deps.catalog.snapshot(), sub.args or None))
                case "event":
                    if not sub.args:
                        raise AuditbotError("Which event?", hint="Give its id: /audit event 25e4c3e7-7f0d-…")
                    open_event(deps, client, command.who, command.trigger_id, sub.args)
                case "bot-log":
                    bot_log(deps, client, respond, command)
                case "alerts":
                    alert_list.list_alerts(deps, respond, command)
                case "subscribe":
                    subscriptions.subscribe(deps, client, respond, command)
                case "subscriptions":
                    subscriptions.list_subscriptions(deps, respond, command.who, sub.args)
                case "digest":
                    schedules.handle_digest_command(deps, client, respond, command)
                case "handoff":
                    handoff.show_handoff(deps, client, respond, command.who, sub.args)
                case "unsubscribe" | "pause" | "resume":
                    subscriptions.change_command(deps, client, respond, command.who, sub.verb, sub.args)
                case _:
                    show_results(deps, client, respond, command.who, command.typed_text)
