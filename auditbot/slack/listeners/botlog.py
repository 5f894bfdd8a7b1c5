"""``/audit bot-log [filter]`` and its Next and Previous buttons: auditbot's own trail, for admins."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from auditbot.core.access import Permission
from auditbot.core.errors import AuditbotError
from auditbot.services.bot_trail import TrailPage
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.listeners.permits import require
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import Click, Command, Who, payload_of
from auditbot.slack.render.botlog import render_bot_log
from auditbot.slack.render.views import Message
from auditbot.slack.replies import Respond, answering, send
from auditbot.slack.trail import BotTrail

NO_STORE = AuditbotError("auditbot keeps no log of its own here: no store is configured.")


def register(app: Listeners, deps: SlackDeps) -> None:
    for action_id in (ids.BOT_LOG_NEXT, ids.BOT_LOG_PREV):

        @app.action(action_id)
        def turn(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
            ack()
            click = payload_of(context, Click)
            with answering(respond, "bot-log paging"):
                trail = _trail(deps, client, click.who)
                send(respond, _render(trail, client, trail.open_page(click.action.value)), replace=True)


def bot_log(deps: SlackDeps, client: WebClient, respond: Respond, command: Command) -> None:
    """``/audit bot-log [text]``: the first page of the bot's own trail, narrowed to entries whose kind,
    outcome, query or detail holds ``text``."""
    trail = _trail(deps, client, command.who)
    send(respond, _render(trail, client, trail.first_page(command.subcommand.args)))


def _trail(deps: SlackDeps, client: WebClient, who: Who) -> BotTrail:
    require(deps, client, who, Permission.ADMIN, "bot-log")
    if deps.trail is None:
        raise NO_STORE
    return deps.trail


def _render(trail: BotTrail, client: WebClient, page: TrailPage) -> Message:
    return render_bot_log(
        page.entries,
        text=page.text or None,
        channels=trail.names.labels(client, (e.channel_id for e in page.entries)),
        page=page.number,
        next_state=page.next,
        previous_state=page.previous,
    )
