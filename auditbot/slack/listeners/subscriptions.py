"""Alert subscriptions from Slack: ``/audit subscribe`` (a dry run, then [Subscribe]), ``subscriptions``,
``unsubscribe``, ``pause`` and ``resume``, and the buttons of the list and of App Home.

The use cases are ``services.subscriptions``'; here the commands and buttons are read, the channel a
subscription posts in is checked (``slack.channels``: before one is made, and when one is resumed),
and the answers are rendered. Every change (subscribe, pause, resume, remove), from a command or a
button, is also told in the subscription's channel, so alerts are never muted there unseen.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.access import Permission
from auditbot.core.errors import AuditbotError
from auditbot.services.subscriptions import Change, Subscription, SubscriptionService
from auditbot.slack import ids
from auditbot.slack.app_home import publish_home
from auditbot.slack.channels import check_target, named_channel
from auditbot.slack.deps import SlackDeps
from auditbot.slack.errors import slack_error_code
from auditbot.slack.listeners.common import record
from auditbot.slack.listeners.permits import require
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.listeners.stored import ids_worded, needs_store
from auditbot.slack.payloads import Click, Command, Who, payload_of
from auditbot.slack.render import render_error
from auditbot.slack.render.alerts import is_channel_id
from auditbot.slack.render.notice import render_notice
from auditbot.slack.render.subscriptions import (
    changed_notice,
    read_subscribe_value,
    render_dry_run,
    render_subscribed,
    render_subscription_changed,
    render_subscription_changed_note,
    render_subscription_note,
    render_subscriptions,
)
from auditbot.slack.render.views import Message
from auditbot.slack.replies import Respond, answering, send
from auditbot.slack.text import unslack

EXAMPLE = f'{ids.COMMAND} subscribe #sec-alerts name:"Admin grants" action:added_org_admin'
LIST_HINT = f"{ids.COMMAND} subscriptions lists every subscription of this workspace with its id (sub-…) and name."
VERBS: dict[Change, str] = {"pause": "Paused", "resume": "Resumed", "unsubscribe": "Removed"}
"""Subcommand → what the answer says was done."""
BUTTON_VERBS: dict[str, Change] = {
    ids.SUBSCRIPTION_PAUSE: "pause",
    ids.SUBSCRIPTION_RESUME: "resume",
    ids.SUBSCRIPTION_REMOVE: "unsubscribe",
}


def register(app: Listeners, deps: SlackDeps) -> None:
    @app.action(ids.SUBSCRIBE_CONFIRM)
    def confirm(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "subscribe"):
            subscribe_confirmed(deps, client, respond, click.who, click.action.value)

    @app.action(ids.SUBSCRIBE_CANCEL)
    def cancel(ack: Ack, respond: Respond) -> None:
        ack()
        send(respond, render_notice("Cancelled: nothing was subscribed."), replace=True)

    for action_id, verb in BUTTON_VERBS.items():
        register_button(app, deps, action_id, verb)


def register_button(app: Listeners, deps: SlackDeps, action_id: str, verb: Change) -> None:
    @app.action(action_id)
    def clicked(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        if click.in_view:
            _changed_from_home(deps, client, click.who, verb, click.action.value)
            return
        with answering(respond, verb):
            changed = change(deps, client, click.who, verb, click.action.value)
            notice = changed_notice(VERBS[verb], changed.subscription)
            if changed.problem:
                notice += f" {changed.problem}"
            send(respond, render_subscriptions(_service(deps).of_team(click.who.team_id), notice=notice), replace=True)


# -- commands ----------------------------------------------------------------------------------------


def subscribe(deps: SlackDeps, client: WebClient, respond: Respond, command: Command) -> None:
    """``/audit subscribe [#channel] [name:"…"] <query>``: check the name, the query and the channel,
    and show the dry run.

    The text after ``subscribe`` is read as Slack sent it (a channel reference is ``<#C…|name>``).
    """
    who = command.who
    require(deps, client, who, Permission.ADMIN, "subscribe")
    service = _service(deps)
    named = named_channel(command.subcommand.raw_args, who, example=EXAMPLE)
    query_text = unslack(named.rest).strip()
    if not query_text:
        raise AuditbotError("Subscribe to which events?", hint=f"Give a query after the channel: {EXAMPLE}")
    name, query = service.check_named(query_text)
    target = check_target(deps, client, who, named.channel_id, named.name, join=False)
    dry = service.dry_run(query, tz=deps.zones.zone(client, who.user_id))
    deps.events.remember(found.event for found in dry.examples)
    record(deps, client, who, "query", query=dry.query, detail=f"subscription dry run for {named.channel_id}")
    described = service.describe(query)
    send(respond, render_dry_run(dry, named.channel_id, target.name, name=name, description=described))


def subscribe_confirmed(deps: SlackDeps, client: WebClient, respond: Respond, who: Who, value: str) -> Subscription:
    """[Subscribe]: create the subscription, make sure auditbot can post there, and say so in both places."""
    require(deps, client, who, Permission.ADMIN, "subscribe")
    service = _service(deps)
    chosen = read_subscribe_value(value)
    channel_id, channel_name = chosen.channel_id, chosen.channel_name
    if not is_channel_id(channel_id) or not chosen.query:
        raise AuditbotError("That Subscribe button could not be read.", hint=f"Subscribe again: {EXAMPLE}")
    subscribed = service.subscribe(
        team_id=who.team_id,
        channel_id=channel_id,
        query=chosen.query,
        created_by=who.user_id,
        name=chosen.name,
        check_channel=lambda channel: check_target(deps, client, who, channel, channel_name, join=True),
    )
    subscription = subscribed.subscription
    if not subscribed.created:
        already = (
            "It already existed; it now has the name you gave it."
            if subscribed.renamed
            else "It already existed: nothing new was made."
        )
        send(respond, render_subscribed(subscription, problem=already), replace=True)
        return subscription
    record(deps, client, who, "subscribe", query=subscription.query, detail=f"{subscription.id} in {channel_id}")
    problem = _post_note(client, channel_id, render_subscription_note(who.user_id, subscription))
    if problem:
        problem += " Alerts will still be tried."
    send(respond, render_subscribed(subscription, problem=problem), replace=True)
    return subscription


def list_subscriptions(deps: SlackDeps, respond: Respond, who: Who, text: str) -> None:
    """``/audit subscriptions [text]``: every subscription of the workspace (those mentioning ``text``)."""
    subscriptions = _service(deps).of_team(who.team_id, text=text)
    send(respond, render_subscriptions(subscriptions, text=text.strip() or None))


def change_command(deps: SlackDeps, client: WebClient, respond: Respond, who: Who, verb: Change, text: str) -> None:
    """``/audit pause|resume|unsubscribe <id or name>``."""
    changed = change(deps, client, who, verb, text)
    send(respond, render_subscription_changed(VERBS[verb], changed.subscription, problem=changed.problem))


@dataclass(frozen=True, slots=True)
class Changed:
    subscription: Subscription
    problem: str | None = None
    """Why the note in its channel could not be posted, if it could not."""


def change(deps: SlackDeps, client: WebClient, who: Who, verb: Change, raw_id: str) -> Changed:
    """Pause, resume or remove (``unsubscribe``) one of the workspace's subscriptions (by id or name),
    and say so in its channel; the one it was."""
    require(deps, client, who, Permission.ADMIN, verb)
    service = _service(deps)
    with ids_worded("subscription", LIST_HINT):
        subscription = service.change(
            who.team_id,
            raw_id,
            verb,
            check_channel=lambda channel: check_target(deps, client, who, channel, None, join=True, what=verb),
        )
    record(deps, client, who, verb, query=subscription.query, detail=f"{subscription.id} in {subscription.channel_id}")
    note = render_subscription_changed_note(who.user_id, verb, subscription)
    return Changed(subscription, _post_note(client, subscription.channel_id, note))


def _post_note(client: WebClient, channel_id: str, note: Message) -> str | None:
    """Post ``note`` in the channel; None, or why Slack would not take it."""
    try:
        client.chat_postMessage(channel=channel_id, **note.as_kwargs())
    except SlackApiError as exc:
        return f"The note in the channel could not be posted ({slack_error_code(exc)})."
    return None


def _changed_from_home(deps: SlackDeps, client: WebClient, who: Who, verb: Change, value: str) -> None:
    """A button in App Home: do it, then publish Home again; a refusal goes to the person's messages."""
    try:
        change(deps, client, who, verb, value)
    except AuditbotError as exc:
        client.chat_postMessage(channel=who.user_id, **render_error(exc).as_kwargs())
    publish_home(deps, client, who.user_id, who.team_id)


def _service(deps: SlackDeps) -> SubscriptionService:
    return needs_store(
        deps.subscriptions,
        "Alerts need a store: auditbot keeps subscriptions in its database, and none is configured.",
    )
