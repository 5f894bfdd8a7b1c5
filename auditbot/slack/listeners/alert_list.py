"""``/audit alerts [open|mine|resolved] [#channel] [filters]`` and its Next and Previous buttons."""

from __future__ import annotations

import re

from slack_bolt import Ack, BoltContext

from auditbot.core.errors import AuditbotError
from auditbot.services.alert_list import AlertListService, read_view
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import Click, Command, payload_of
from auditbot.slack.render.alert_list import render_alert_list
from auditbot.slack.replies import Respond, answering, send
from auditbot.slack.text import unslack

NO_STORE = AuditbotError("auditbot keeps no alerts here: no store is configured.")
_CHANNEL_REF = re.compile(r"<#([CG][A-Z0-9]{2,})(?:\|[^<>|]*)?>")


def register(app: Listeners, deps: SlackDeps) -> None:
    for action_id in (ids.ALERT_LIST_NEXT, ids.ALERT_LIST_PREV):

        @app.action(action_id)
        def turn(ack: Ack, context: BoltContext, respond: Respond) -> None:
            ack()
            click = payload_of(context, Click)
            with answering(respond, "alerts paging"):
                page = _service(deps).open_page(click.who.team_id, click.who.user_id, click.action.value)
                send(respond, render_alert_list(page), replace=True)


def list_alerts(deps: SlackDeps, respond: Respond, command: Command) -> None:
    """``/audit alerts [open|mine|resolved] [filters]``: the first page of the view (``open`` by default),
    narrowed to a channel (``#channel``, as Slack sends it) and filters in the query language."""
    service = _service(deps)
    view, rest = read_view(command.subcommand.raw_args)
    channels = _CHANNEL_REF.findall(rest)
    if len(set(channels)) > 1:
        raise AuditbotError("Name one channel at most.", hint="/audit alerts open #sec-alerts")
    text = " ".join(unslack(_CHANNEL_REF.sub(" ", rest)).split())
    if text.startswith("#"):
        raise AuditbotError(
            "Which channel is that? auditbot needs the channel as Slack links it.",
            hint="Pick the channel from the list Slack shows as you type #, for example /audit alerts open #sec-alerts",
        )
    who = command.who
    page = service.first_page(who.team_id, who.user_id, view, channel_id=channels[0] if channels else "", text=text)
    send(respond, render_alert_list(page))


def _service(deps: SlackDeps) -> AlertListService:
    if deps.alert_list is None:
        raise NO_STORE
    return deps.alert_list
