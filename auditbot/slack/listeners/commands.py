"""``/audit``: search by default, and the subcommands ``event``, ``actions``, ``help``, ``bot-log`` and the
alert subscriptions (``subscribe``, ``subscriptions``, ``unsubscribe``, ``pause``, ``resume``)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from auditbot.core.errors import AuditbotError
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.listeners import digests, handoff, subscriptions
from auditbot.slack.listeners.common import open_event, show_results
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.render import render_actions, render_help
from auditbot.slack.render.botlog import render_bot_log
from auditbot.slack.replies import Respond, answering, send
from auditbot.slack.text import unslack


def register(app: Listeners, deps: SlackDeps) -> None:
    @app.command(ids.COMMAND)
    def audit(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        raw = str(command.get("text", ""))
        text = unslack(raw).strip()
        word, _, rest = text.partition(" ")
        with answering(respond, "/audit"):
            match word.lower():
                case "help":
                    send(respond, render_help(command=ids.COMMAND))
                case "actions":
                    send(respond, render_actions(deps.catalog.snapshot(), rest.strip() or None))
                case "event":
                    event_id = rest.strip()
                    if not event_id:
                        raise AuditbotError("Which event?", hint="Give its id: /audit event 25e4c3e7-7f0d-…")
                    open_event(deps, client, command, str(command["trigger_id"]), event_id)
                case "bot-log":
                    if deps.trail is None:
                        raise AuditbotError("auditbot keeps no log of its own here: no store is configured.")
                    send(respond, render_bot_log(deps.trail.recent(text=rest.strip()), text=rest.strip() or None))
                case "subscribe":
                    subscriptions.subscribe(deps, client, respond, command, _after_word(raw))
                case "subscriptions":
                    subscriptions.list_subscriptions(deps, respond, command, rest)
                case "digest":
                    digests.handle_digest_command(deps, client, respond, command, _after_word(raw))
                case "handoff":
                    handoff.show_handoff(deps, client, respond, command, rest)
                case "unsubscribe" | "pause" | "resume":
                    subscriptions.change_command(deps, client, respond, command, word.lower(), rest)
                case _:
                    show_results(deps, client, respond, command, text)


def _after_word(raw: str) -> str:
    """The command text after its first word, still as Slack sent it (channel references intact)."""
    parts = raw.strip().split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""
