"""Clicks on alert messages: Acknowledge, Acknowledge all, Snooze, Investigate, and "Open details…" of a
burst's thread.

Each click is read from its typed payload, handed to one ``AlertStateService`` method and answered
from what it returns. Acknowledging keeps the first person (the service has the database decide),
and the message is replaced in place to say who it was and when, drawn with the alert's stored triage
state (its assignee stays on the card), and one line goes to the alert's thread. Assign, Resolve and
Reopen are in ``listeners.triage``, registered from here. A single alert is rendered again from its
event; a burst's summary (whose counts need the whole burst) keeps its blocks, loses its
[Acknowledge all] button and gains the "Acknowledged by" line.

Snoozing mutes one actor doing one action on the alert's subscriptions until the chosen time, read
in the clicker's time zone; the alert is marked in place ("Snoozed by … until …") and the thread
says so for everyone in the channel, the end as a date token each reader sees in their own zone.

Investigate searches, for the clicker alone, the events of the alert's actor from its address in
the day either side of it (as the "Investigate in audit log" shortcut searches what a message names).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import datetime, timedelta
from ipaddress import ip_address

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.access import Permission
from auditbot.core.errors import AuditbotError
from auditbot.core.model import AuditEvent
from auditbot.core.query import Query
from auditbot.core.timespec import DateTimeSpec
from auditbot.core.triage import OPEN, AlertKey, TransitionRefused
from auditbot.services.alert_state import AlertStateService
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.errors import slack_error_code
from auditbot.slack.listeners import triage as triage_listeners
from auditbot.slack.listeners.common import open_event, record, show_results
from auditbot.slack.listeners.permits import require
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.listeners.triage import note_in_thread
from auditbot.slack.payloads import Click, payload_of
from auditbot.slack.render.alerts import (
    EVERY_SUBSCRIPTION,
    acknowledged_blocks,
    actor_name,
    read_ack_value,
    read_snooze_value,
    render_alert,
    render_snoozed,
    snoozed_blocks,
    triaged_blocks,
)
from auditbot.slack.render.safe import utc_text
from auditbot.slack.render.views import Message
from auditbot.slack.replies import Respond, answering, send

INVESTIGATION_SPAN = timedelta(days=1)
"""How far before and after an alert's event Investigate looks."""


def register(app: Listeners, deps: SlackDeps) -> None:
    @app.action(ids.ALERT_ACK)
    def acknowledge(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "acknowledge"):
            acknowledge_alert(deps, client, respond, click)

    @app.action(ids.ALERT_ACK_BATCH)
    def acknowledge_all(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "acknowledge all"):
            acknowledge_burst(deps, client, respond, click)

    @app.action(ids.ALERT_SNOOZE)
    def snooze(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "snooze"):
            snooze_alert(deps, client, respond, click)

    @app.action(ids.ALERT_INVESTIGATE)
    def investigate(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "investigate"):
            investigate_alert(deps, client, respond, click)

    @app.action(ids.ALERT_OPEN_ADMIN)
    def opened_admin(ack: Ack) -> None:
        ack()  # a link: Slack opens it and tells us; there is nothing to do

    @app.action(ids.ALERT_PART_DETAILS)
    def details(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "details"):
            open_event(deps, client, click.who, click.trigger_id, click.action.value)

    triage_listeners.register(app, deps)


def acknowledge_alert(deps: SlackDeps, client: WebClient, respond: Respond, click: Click) -> None:
    """[Acknowledge]: record it (the first one stays) and show who acknowledged, in place."""
    who = click.who
    require(deps, client, who, Permission.SEARCH, "ack")
    alert_state = _alert_state(deps)
    event_id, named = read_ack_value(click.action.value)
    key = AlertKey.event(who.channel_id or "", event_id)
    try:
        done = alert_state.acknowledge(key.channel_id, event_id, who.user_id, subscription_ids=_named(named))
    except TransitionRefused:
        _redraw_stored(alert_state, respond, click, key)  # the card shows what is stored, then the refusal
        raise
    already = "" if done.by == who.user_id else " (already acknowledged)"
    record(deps, client, who, "ack", detail=f"event {event_id}{already}")
    triage = alert_state.triage.state_of(key) if alert_state.triage is not None else OPEN
    if done.alert is None:
        message = _marked(click, done.by, done.at)  # the event cannot be read now: mark the message as it is
    else:
        titles = _titles(deps, done.alert.subscription_ids)
        message = render_alert(
            done.alert, acknowledged=(done.by, done.at), snoozed=done.snoozed, titles=titles, triage=triage
        )
    replace(respond, click, message)
    if done.change is not None:
        note_in_thread(client, key.channel_id, click.thread_ts or click.message_ts, done.change)


def _redraw_stored(alert_state: AlertStateService, respond: Respond, click: Click, key: AlertKey) -> None:
    """The clicked card redrawn from the alert's stored triage state (after a refusal)."""
    blocks = (click.message or {}).get("blocks")
    if alert_state.triage is None or not isinstance(blocks, list) or not blocks:
        return
    text = str((click.message or {}).get("text") or "Audit alert")
    stored = alert_state.triage.state_of(key)
    replace(respond, click, Message(text=text, blocks=triaged_blocks(blocks, stored, click.action.value)))


def acknowledge_burst(deps: SlackDeps, client: WebClient, respond: Respond, click: Click) -> None:
    """[Acknowledge all] on a burst's summary: every alert of the burst, then the summary marked in place."""
    who = click.who
    require(deps, client, who, Permission.SEARCH, "ack")
    alert_state = _alert_state(deps)
    batch = click.action.value
    if not batch:
        raise AuditbotError("That button could not be read.", hint="Use the buttons of a newer alert.")
    done = alert_state.acknowledge_burst(who.channel_id or "", batch, who.user_id, message_ts=click.message_ts)
    record(deps, client, who, "ack", detail=f"burst {batch}: {done.new} alerts")
    replace(respond, click, _marked(click, done.by, done.at))


def snooze_alert(deps: SlackDeps, client: WebClient, respond: Respond, click: Click) -> None:
    """Snooze: mute this actor doing this action on the alert's subscriptions, mark the alert, and say
    so in the thread."""
    who = click.who
    require(deps, client, who, Permission.SEARCH, "snooze")
    alert_state = _alert_state(deps)
    choice, subscription_ids, event_id = read_snooze_value(click.action.value)
    channel_id = who.channel_id or ""
    tz = deps.zones.zone(client, who.user_id)
    snoozed = alert_state.snooze(
        who.team_id,
        channel_id,
        who.user_id,
        event_id=event_id,
        choice=choice,
        tz=tz,
        subscription_ids=_named(subscription_ids),
        message_ts=click.message_ts or None,
    )
    on = ", ".join(snoozed.subscription_ids)
    until = utc_text(snoozed.until)
    record(deps, client, who, "snooze", detail=f"{snoozed.actor} doing {snoozed.action} on {on} until {until}")
    _mark_snoozed(respond, click, who.user_id, snoozed.until)
    note = render_snoozed(who.user_id, snoozed.actor, snoozed.action_name, snoozed.until)
    thread = click.thread_ts or click.message_ts
    try:
        client.chat_postMessage(channel=channel_id, thread_ts=thread or None, **note.as_kwargs())
    except SlackApiError as exc:
        error = slack_error_code(exc)
        raise AuditbotError(f"The snooze is set, but the note could not be posted in the thread ({error}).") from None


def _mark_snoozed(respond: Respond, click: Click, user_id: str, until: datetime) -> None:
    """The clicked alert, as it is, with the "Snoozed by" line (a message without blocks is left)."""
    message = click.message or {}
    blocks = message.get("blocks")
    if isinstance(blocks, list) and blocks:
        text = str(message.get("text") or "Audit alert")
        replace(respond, click, Message(text=text, blocks=snoozed_blocks(blocks, user_id, until)))


def investigate_alert(deps: SlackDeps, client: WebClient, respond: Respond, click: Click) -> None:
    """[Investigate]: the alert's actor from its address around the event, for the clicker alone."""
    who = click.who
    require(deps, client, who, Permission.SEARCH, "investigate")
    event = deps.events.get(click.action.value)
    query = investigation(event, deps.clock.now())
    parts = [f"by {actor_name(event)}" if query.actors else "", f"from {event.ip}" if query.ips else ""]
    intro = f"Investigating the alert: events {' '.join(p for p in parts if p)} in the day before and after it."
    show_results(deps, client, respond, who, query, intro=intro)


def investigation(event: AuditEvent, now: datetime) -> Query:
    """The actor's events from the event's address (either alone when the other is unknown) in the day
    either side of the event (up to ``now``)."""
    actor = event.actor
    end = event.time + INVESTIGATION_SPAN
    query = Query(since=DateTimeSpec(event.time - INVESTIGATION_SPAN), until=DateTimeSpec(end) if end < now else None)
    if not actor.is_system:
        query = _with(query, actors=(actor.email if actor.email and "@" in actor.email else actor.id,))
    with suppress(ValueError):  # no address, or one the log wrote oddly: the actor alone
        query = _with(query, ips=(ip_address(event.ip or ""),))
    return query


def _with(query: Query, **terms: object) -> Query:
    """``query`` with ``terms``, or as it was when a value cannot be a query's."""
    try:
        return query.replace(**terms)
    except (ValueError, TypeError, AuditbotError):
        return query


def _titles(deps: SlackDeps, subscription_ids: Sequence[str]) -> Mapping[str, str] | None:
    return deps.subscriptions.titles(subscription_ids) if deps.subscriptions is not None else None


def _named(subscription_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The subscriptions a button names; none when it stands for every one posting in the channel."""
    return () if EVERY_SUBSCRIPTION in subscription_ids else subscription_ids


def replace(respond: Respond, click: Click, message: Message) -> None:
    """Replace the clicked alert in place, keeping the message metadata delivery stamped on it."""
    metadata = (click.message or {}).get("metadata")
    if not isinstance(metadata, dict) or not metadata.get("event_type"):
        send(respond, message, replace=True)
        return
    respond(
        text=message.text,
        blocks=message.blocks,
        response_type="ephemeral",
        replace_original=True,
        delete_original=False,
        metadata=metadata,
    )


def _marked(click: Click, user_id: str, when: datetime) -> Message:
    """The clicked message as it is, marked acknowledged."""
    message = click.message or {}
    blocks = message.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        raise AuditbotError("Acknowledged; the message could not be updated here.", hint="Reload the channel.")
    text = str(message.get("text") or "Audit alert")
    return Message(text=text, blocks=acknowledged_blocks(blocks, user_id, when))


def _alert_state(deps: SlackDeps) -> AlertStateService:
    if deps.alert_state is None:
        raise AuditbotError("Alerts need a store, and none is configured.", hint="Nothing was changed.")
    return deps.alert_state
