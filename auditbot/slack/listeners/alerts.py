"""Clicks on alert messages: Acknowledge, Acknowledge all, Snooze, and "Open details…" of a burst's thread.

Acknowledging keeps the first person: the outbox records only the first acknowledgement, and the
message is replaced in place to say who it was and when. A single alert is rendered again from its
event; a burst's summary (whose counts need the whole burst) keeps its blocks, loses its
[Acknowledge all] button and gains the "Acknowledged by" line.

Snoozing mutes one actor doing one action on the alert's subscriptions until the chosen time, read
in the clicker's time zone, and says so in the alert's thread for everyone in the channel.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.access import Permission
from auditbot.core.errors import AuditbotError
from auditbot.core.snooze import snooze_until
from auditbot.services.delivery import AlertItem
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.errors import slack_error_code
from auditbot.slack.listeners.common import open_event, record
from auditbot.slack.listeners.permits import require
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import Click, payload_of
from auditbot.slack.render.alerts import (
    EVERY_SUBSCRIPTION,
    acknowledged_blocks,
    actor_name,
    read_ack_value,
    read_snooze_value,
    render_alert,
    render_snoozed,
)
from auditbot.slack.render.safe import as_utc
from auditbot.slack.render.views import Message
from auditbot.slack.replies import Respond, answering, send
from auditbot.store.outbox import Outbox, PostedAlert
from auditbot.store.snoozes import Snoozes
from auditbot.store.subscriptions import Subscriptions

ACK_LOOKBACK = timedelta(days=30)
"""How far before an acknowledgement its alert may have been queued, when looking up who acknowledged first."""


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
            snooze_alert(deps, client, click)

    @app.action(ids.ALERT_PART_DETAILS)
    def details(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "details"):
            open_event(deps, client, click.who, click.trigger_id, click.action.value)


def acknowledge_alert(deps: SlackDeps, client: WebClient, respond: Respond, click: Click) -> None:
    """[Acknowledge]: record it (the first one stays) and show who acknowledged, in place."""
    who = click.who
    require(deps, client, who, Permission.SEARCH, "ack")
    outbox = _outbox(deps)
    event_id, subscription_ids = read_ack_value(click.action.value)
    team_id, user_id, channel_id = who.team_id, who.user_id, who.channel_id or ""
    before = deps.clock.now()
    when = outbox.acknowledge(channel_id, event_id, user_id)
    if when is None:
        raise AuditbotError("auditbot has no record of this alert in this channel.", hint="Nothing was changed.")
    acker = _first_acker(
        outbox, team_id, user_id, when, before, lambda p: p.event_id == event_id and p.channel_id == channel_id
    )
    already = "" if acker == user_id else " (already acknowledged)"
    record(deps, client, who, "ack", detail=f"event {event_id}{already}")
    try:
        event = deps.events.get(event_id)
        name = deps.catalog.snapshot().get(event.action).display_name
    except AuditbotError:
        message = _marked(click, acker, when)  # the event cannot be read now: mark the message as it is
    else:
        shown = subscription_ids if EVERY_SUBSCRIPTION not in subscription_ids else ()
        message = render_alert(AlertItem(event, name, shown), acknowledged=(acker, when))
    replace(respond, click, message)


def acknowledge_burst(deps: SlackDeps, client: WebClient, respond: Respond, click: Click) -> None:
    """[Acknowledge all] on a burst's summary: every alert of the burst, then the summary marked in place."""
    who = click.who
    require(deps, client, who, Permission.SEARCH, "ack")
    outbox = _outbox(deps)
    batch = click.action.value
    if not batch:
        raise AuditbotError("That button could not be read.", hint="Use the buttons of a newer alert.")
    team_id, user_id, channel_id = who.team_id, who.user_id, who.channel_id
    before = deps.clock.now()
    new = outbox.acknowledge_batch(channel_id or "", batch, user_id)
    ts = click.message_ts
    if new:
        acker, when = user_id, before
    else:
        found = _first_ack(
            outbox,
            team_id,
            before - ACK_LOOKBACK,
            lambda p: p.channel_id == channel_id and bool(ts) and ts in (p.message_ts, p.thread_ts),
        )
        if found is None:
            raise AuditbotError("auditbot has no record of these alerts in this channel.", hint="Nothing was changed.")
        acker, when = found
    record(deps, client, who, "ack", detail=f"burst {batch}: {new} alerts")
    replace(respond, click, _marked(click, acker, when))


def snooze_alert(deps: SlackDeps, client: WebClient, click: Click) -> None:
    """Snooze: mute this actor doing this action on the alert's subscriptions, and say so in the thread."""
    who = click.who
    require(deps, client, who, Permission.SEARCH, "snooze")
    snoozes, subscriptions = _snoozes(deps)
    choice, subscription_ids, event_id = read_snooze_value(click.action.value)
    team_id, user_id, channel_id = who.team_id, who.user_id, who.channel_id or ""
    wanted = _subscriptions(subscriptions, team_id, channel_id, subscription_ids)
    event = deps.events.get(event_id)
    tz = deps.zones.zone(client, user_id)
    until = snooze_until(choice, deps.clock.now(), tz)
    ts = click.message_ts
    actor = actor_name(event)
    for subscription_id in wanted:
        snoozes.snooze(
            subscription_id,
            actor_id=event.actor.id,
            action=event.action,
            until=until,
            created_by=user_id,
            message_ts=ts or None,
            actor_label=actor,
        )
    deps.alerts_changed()
    action_name = deps.catalog.snapshot().get(event.action).display_name
    record(
        deps,
        client,
        who,
        "snooze",
        detail=f"{actor} doing {event.action} on {', '.join(wanted)} until {as_utc(until):%Y-%m-%d %H:%M} UTC",
    )
    note = render_snoozed(user_id, actor, action_name, until, tz)
    thread = click.thread_ts or ts
    try:
        client.chat_postMessage(channel=channel_id, thread_ts=thread or None, **note.as_kwargs())
    except SlackApiError as exc:
        error = slack_error_code(exc)
        raise AuditbotError(f"The snooze is set, but the note could not be posted in the thread ({error}).") from None


def _subscriptions(store: Subscriptions, team_id: str, channel_id: str, wanted: tuple[str, ...]) -> list[str]:
    """The ids to snooze: those named that still post in this channel, or every one posting here (``*``)."""
    here = {s.id for s in store.of_team(team_id) if s.channel_id == channel_id}
    found = sorted(here) if EVERY_SUBSCRIPTION in wanted else [s for s in wanted if s in here]
    if not found:
        raise AuditbotError(
            "The subscription behind this alert is gone, so there is nothing to snooze.",
            hint=f"{ids.COMMAND} subscriptions lists the current ones.",
        )
    return found


def _first_acker(
    outbox: Outbox,
    team_id: str,
    user_id: str,
    when: datetime,
    before: datetime,
    match: Callable[[PostedAlert], bool],
) -> str:
    """Who acknowledged first: this person when the acknowledgement is from this click, else the earlier one."""
    if as_utc(when) >= as_utc(before):
        return user_id
    found = _first_ack(outbox, team_id, as_utc(when) - ACK_LOOKBACK, match)
    return found[0] if found else ""


def _first_ack(
    outbox: Outbox, team_id: str, since: datetime, match: Callable[[PostedAlert], bool]
) -> tuple[str, datetime] | None:
    """The earliest acknowledgement (user, when) among the workspace's delivered alerts that ``match``."""
    acked = [
        (as_utc(p.acked_at), p.acked_by)
        for p in outbox.posted(team_id, since=since)
        if match(p) and p.acked_at is not None and p.acked_by
    ]
    if not acked:
        return None
    when, who = min(acked)
    return str(who), when


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


def _outbox(deps: SlackDeps) -> Outbox:
    if deps.outbox is None:
        raise AuditbotError("Alerts need a store, and none is configured.", hint="Nothing was changed.")
    return deps.outbox


def _snoozes(deps: SlackDeps) -> tuple[Snoozes, Subscriptions]:
    if deps.snoozes is None or deps.subscriptions is None:
        raise AuditbotError("Alerts need a store, and none is configured.", hint="Nothing was changed.")
    return deps.snoozes, deps.subscriptions
