"""Alert subscriptions from Slack: ``/audit subscribe`` (a dry run, then [Subscribe]), ``subscriptions``,
``unsubscribe``, ``pause`` and ``resume``, and the buttons of the list and of App Home.

A subscription posts in a channel, so before one is made (and when one is resumed) auditbot checks
that channel: the access policy must allow it (the same ``AccessPolicy.decide`` the access guard
asks, for the target channel), and auditbot must be able to post there: it joins a public channel
itself and must have been invited to a private one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.access import UNAVAILABLE_MESSAGE, AccessPolicy, Decision, Permission, Place, PlaceKind
from auditbot.core.errors import AuditbotError
from auditbot.core.timespec import shorten
from auditbot.services.subscribe import SubscribeService
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.directory import kind_from_info
from auditbot.slack.errors import slack_error_code
from auditbot.slack.listeners.common import record
from auditbot.slack.listeners.home import home_view
from auditbot.slack.listeners.permits import decide_for, require
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import Click, Command, Who, payload_of
from auditbot.slack.render import render_error, render_home
from auditbot.slack.render.alerts import is_channel_id
from auditbot.slack.render.notice import render_notice
from auditbot.slack.render.subscriptions import (
    read_subscribe_value,
    render_dry_run,
    render_subscribed,
    render_subscription_changed,
    render_subscription_note,
    render_subscriptions,
)
from auditbot.slack.replies import Respond, answering, send
from auditbot.slack.text import leading_channel, unslack
from auditbot.store.subscriptions import Subscription, Subscriptions

EXAMPLE = f"{ids.COMMAND} subscribe #sec-alerts action:added_org_admin"
LIST_HINT = f"{ids.COMMAND} subscriptions lists every subscription of this workspace with its id (sub-…)."
VERBS = {"pause": "Paused", "resume": "Resumed", "unsubscribe": "Removed"}
"""Subcommand → what the answer says was done."""
BUTTON_VERBS = {
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


def register_button(app: Listeners, deps: SlackDeps, action_id: str, verb: str) -> None:
    @app.action(action_id)
    def clicked(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        if click.in_view:
            _changed_from_home(deps, client, click.who, verb, click.action.value)
            return
        with answering(respond, verb):
            subscription = change(deps, client, click.who, verb, click.action.value)
            notice = f"{VERBS[verb]} {subscription.id}."
            send(respond, render_subscriptions(_store(deps).of_team(click.who.team_id), notice=notice), replace=True)


# -- commands ----------------------------------------------------------------------------------------


def subscribe(deps: SlackDeps, client: WebClient, respond: Respond, command: Command) -> None:
    """``/audit subscribe [#channel] <query>``: check the query and the channel, and show the dry run.

    The text after ``subscribe`` is read as Slack sent it (a channel reference is ``<#C…|name>``).
    """
    who = command.who
    require(deps, client, who, Permission.ADMIN, "subscribe")
    _store(deps)
    channel_id, name, rest = leading_channel(command.subcommand.raw_args)
    if channel_id is None:
        if rest.startswith("#"):
            raise AuditbotError(
                "Which channel is that? auditbot needs the channel as Slack links it.",
                hint=f"Pick the channel from the list Slack shows as you type #, for example {EXAMPLE}",
            )
        channel_id = who.channel_id or ""
    query_text = unslack(rest).strip()
    if not query_text:
        raise AuditbotError("Subscribe to which events?", hint=f"Give a query after the channel: {EXAMPLE}")
    service = SubscribeService(deps.search, deps.clock)
    query = service.check(query_text)
    target = check_target(deps, client, who, channel_id, name, join=False)
    dry = service.dry_run(query, tz=deps.zones.zone(client, who.user_id))
    deps.events.remember(found.event for found in dry.examples)
    record(deps, client, who, "query", query=dry.query, detail=f"subscription dry run for {channel_id}")
    send(respond, render_dry_run(dry, channel_id, target.name))


def subscribe_confirmed(deps: SlackDeps, client: WebClient, respond: Respond, who: Who, value: str) -> Subscription:
    """[Subscribe]: create the subscription, make sure auditbot can post there, and say so in both places."""
    require(deps, client, who, Permission.ADMIN, "subscribe")
    store = _store(deps)
    channel_id, name, query_text = read_subscribe_value(value)
    if not is_channel_id(channel_id) or not query_text:
        raise AuditbotError("That Subscribe button could not be read.", hint=f"Subscribe again: {EXAMPLE}")
    query = SubscribeService(deps.search, deps.clock).check(query_text)
    team_id, user_id = who.team_id, who.user_id
    existing = next(
        (s for s in store.of_team(team_id) if s.channel_id == channel_id and s.query == query.canonical), None
    )
    if existing is not None:
        send(respond, render_subscribed(existing, problem="It already existed: nothing new was made."), replace=True)
        return existing
    check_target(deps, client, who, channel_id, name, join=True)
    subscription = store.create(team_id=team_id, channel_id=channel_id, query=query.canonical, created_by=user_id)
    deps.alerts_changed()
    record(deps, client, who, "subscribe", query=subscription.query, detail=f"{subscription.id} in {channel_id}")
    problem = None
    try:
        client.chat_postMessage(channel=channel_id, **render_subscription_note(user_id, subscription).as_kwargs())
    except SlackApiError as exc:
        problem = f"The note in the channel could not be posted ({slack_error_code(exc)}); alerts will still be tried."
    send(respond, render_subscribed(subscription, problem=problem), replace=True)
    return subscription


def list_subscriptions(deps: SlackDeps, respond: Respond, who: Who, text: str) -> None:
    """``/audit subscriptions [text]``: every subscription of the workspace (those mentioning ``text``)."""
    subscriptions = _store(deps).of_team(who.team_id)
    wanted = text.strip().casefold()
    if wanted:
        subscriptions = [s for s in subscriptions if wanted in _haystack(s)]
    send(respond, render_subscriptions(subscriptions, text=text.strip() or None))


def change_command(deps: SlackDeps, client: WebClient, respond: Respond, who: Who, verb: str, text: str) -> None:
    """``/audit pause|resume|unsubscribe <id>``."""
    subscription = change(deps, client, who, verb, text)
    send(respond, render_subscription_changed(VERBS[verb], subscription))


def change(deps: SlackDeps, client: WebClient, who: Who, verb: str, raw_id: str) -> Subscription:
    """Pause, resume or remove (``unsubscribe``) one of the workspace's subscriptions; the one it was."""
    require(deps, client, who, Permission.ADMIN, verb)
    store = _store(deps)
    subscription = find(store, who.team_id, raw_id)
    if verb == "pause":
        store.pause(subscription.id)
    elif verb == "resume":
        check_target(deps, client, who, subscription.channel_id, None, join=True, what=verb)
        store.resume(subscription.id)
    else:
        store.remove(subscription.id)
    deps.alerts_changed()
    record(deps, client, who, verb, query=subscription.query, detail=f"{subscription.id} in {subscription.channel_id}")
    return subscription


def find(store: Subscriptions, team_id: str, raw_id: str) -> Subscription:
    """The workspace's subscription with this id (``sub-`` may be left off)."""
    wanted = raw_id.strip().lower()
    if not wanted:
        raise AuditbotError("Which subscription?", hint=f"Give its id, for example sub-k3x9q2. {LIST_HINT}")
    if not wanted.startswith("sub-"):
        wanted = f"sub-{wanted}"
    found = store.get(wanted)
    if found is None or found.team_id != team_id:
        raise AuditbotError(f"There is no subscription {shorten(raw_id.strip())} in this workspace.", hint=LIST_HINT)
    return found


def _haystack(subscription: Subscription) -> str:
    s = subscription
    return " ".join((s.id, s.channel_id, s.query, s.created_by, s.last_error or "")).casefold()


def _changed_from_home(deps: SlackDeps, client: WebClient, who: Who, verb: str, value: str) -> None:
    """A button in App Home: do it, then publish Home again; a refusal goes to the person's messages."""
    team_id, user_id = who.team_id, who.user_id
    try:
        change(deps, client, who, verb, value)
    except AuditbotError as exc:
        client.chat_postMessage(channel=user_id, **render_error(exc).as_kwargs())
    client.views_publish(user_id=user_id, view=render_home(home_view(deps, team_id)))


# -- the channel a subscription posts in ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    channel_id: str
    name: str | None
    kind: PlaceKind


def check_target(
    deps: SlackDeps,
    client: WebClient,
    who: Who,
    channel_id: str,
    name: str | None,
    *,
    join: bool,
    what: str = "subscribe",
) -> Target:
    """Check that alerts may and can be posted in ``channel_id``; with ``join``, join it when it is public.
    A refusal by the access policy is recorded in the bot's trail as a denied ``what``.

    Raises ``AuditbotError`` saying what to do: invite auditbot to a private channel, pick an allowed one.
    """
    shown = f"#{name}" if name else f"channel {channel_id}"
    info = _channel_info(client, channel_id, shown)
    name = name or (str(info["name"]) if isinstance(info.get("name"), str) else None)
    shown = f"#{name}" if name else f"channel {channel_id}"
    kind = kind_from_info(info)
    decision = _decide(deps, who, Place(channel_id, kind))
    if not decision.allowed:
        record(deps, client, who, what, outcome="denied", detail=f"{channel_id}: {decision.reason}")
        if decision.message == UNAVAILABLE_MESSAGE:
            raise AuditbotError(UNAVAILABLE_MESSAGE)
        posts = "handoff digests" if what == "schedule" else "alerts"
        raise AuditbotError(f"auditbot may not post {posts} in {shown}: {_why(kind, deps.access)}.", hint=_fix(deps))
    if info.get("is_archived"):
        raise AuditbotError(f"{shown} is archived.", hint="Unarchive it, or subscribe another channel.")
    if kind is PlaceKind.DM and info.get("is_im"):
        return Target(channel_id, name, kind)
    if not info.get("is_member"):
        if info.get("is_private") or info.get("is_group") or info.get("is_mpim"):
            raise _invite(shown)
        if join:
            try:
                client.conversations_join(channel=channel_id)
            except SlackApiError as exc:
                raise AuditbotError(
                    f"auditbot could not join {shown} ({slack_error_code(exc)}).",
                    hint=f"Invite it: /invite @auditbot in {shown}.",
                ) from None
    return Target(channel_id, name, kind)


def _channel_info(client: WebClient, channel_id: str, shown: str) -> dict[str, Any]:
    try:
        answer = client.conversations_info(channel=channel_id)
    except SlackApiError as exc:
        if slack_error_code(exc) in ("channel_not_found", "not_in_channel"):
            raise _invite(shown) from None
        raise AuditbotError(
            f"Slack would not say what {shown} is ({slack_error_code(exc)}).", hint="Try again in a moment."
        ) from None
    channel = answer.get("channel")
    if not isinstance(channel, dict):
        raise AuditbotError(f"Slack would not say what {shown} is.", hint="Try again in a moment.")
    return channel


def _invite(shown: str) -> AuditbotError:
    return AuditbotError(
        f"Invite me first: /invite @auditbot in {shown}",
        hint="auditbot posts alerts only where it is a member; a private channel needs an invitation. Then try again.",
    )


def _decide(deps: SlackDeps, who: Who, place: Place) -> Decision:
    """The access policy's answer for administering alerts at ``place``."""
    decision = decide_for(deps, who.user_id, place, Permission.ADMIN)
    if decision is not None:
        return decision
    if place.channel_id == who.channel_id:
        return Decision.allow("the conversation the access guard let through")
    return Decision.deny("no access policy to check another channel against")


def _why(kind: PlaceKind, policy: AccessPolicy | None) -> str:
    if policy is None:
        return "here, subscriptions can only post in the conversation where they are made"
    if kind is PlaceKind.SHARED:
        return "it is shared with another organization"
    if kind is PlaceKind.DM:
        return "auditbot does not post alerts in direct messages here"
    return "it is not one of the channels auditbot is allowed in"


def _fix(deps: SlackDeps) -> str:
    if deps.access is None:
        return "Type the command in the channel that should get the alerts."
    return "Pick a channel auditbot is allowed in, or ask whoever runs auditbot to allow this one."


def _store(deps: SlackDeps) -> Subscriptions:
    if deps.subscriptions is None:
        raise AuditbotError(
            "Alerts need a store: auditbot keeps subscriptions in its database, and none is configured.",
            hint="Whoever runs auditbot can set AUDITBOT_DATABASE_URL (or AUDITBOT_DATA_DIR) and restart it.",
        )
    return deps.subscriptions
