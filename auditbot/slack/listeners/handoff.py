"""``/audit handoff``: the shift's digest for the person asking, its count buttons, and Share."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.errors import AuditbotError
from auditbot.services.handoff import HandoffService
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.errors import slack_error_code
from auditbot.slack.listeners.common import record, show_results
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import Click, Who, payload_of
from auditbot.slack.render.handoff import render_handoff, search_for
from auditbot.slack.render.notice import render_notice
from auditbot.slack.replies import Respond, answering, send


def register(app: Listeners, deps: SlackDeps) -> None:
    @app.action(ids.HANDOFF_SEARCH_PATTERN)
    def count(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "handoff search"):
            show_results(deps, client, respond, click.who, click.action.value, intro="From the handoff digest")

    @app.action(ids.HANDOFF_SHARE)
    def share(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "handoff share"):
            share_handoff(deps, client, respond, click.who, click.action.value)


def show_handoff(deps: SlackDeps, client: WebClient, respond: Respond, who: Who, text: str) -> None:
    """The digest of ``text`` (``12h``, ``since:… until:…``, filters), visible to the person asking."""
    service = _service(deps)
    tz = deps.zones.zone(client, who.user_id)
    handoff = service.handoff(text, tz=tz, team_id=who.team_id)
    record(deps, client, who, "handoff", query=search_for(handoff))
    send(respond, render_handoff(handoff, state=search_for(handoff)))


def share_handoff(deps: SlackDeps, client: WebClient, respond: Respond, who: Who, value: str) -> None:
    """The same digest (same window and filters, counted again) posted in the channel, saying who shared it."""
    service = _service(deps)
    team_id, user_id, channel_id = who.team_id, who.user_id, who.channel_id
    if not channel_id:
        raise AuditbotError("There is no channel to share this in.", hint="Run /audit handoff in the channel.")
    tz = deps.zones.zone(client, user_id)
    query = service.parse(value)
    handoff = service.handoff_window(query, query.window(deps.clock.now(), tz), team_id=team_id)
    try:
        client.chat_postMessage(channel=channel_id, **render_handoff(handoff, shared_by=user_id).as_kwargs())
    except SlackApiError as exc:
        raise AuditbotError(
            f"Slack did not take the digest ({slack_error_code(exc)}).",
            hint="Invite auditbot to the channel, then share again.",
        ) from None
    record(deps, client, who, "share", query=value, detail="handoff")
    send(respond, render_notice("Shared the handoff digest in this channel."))


def _service(deps: SlackDeps) -> HandoffService:
    if deps.handoff is None:
        raise AuditbotError("The handoff digest is not set up here.", hint="It needs auditbot's store.")
    return deps.handoff
