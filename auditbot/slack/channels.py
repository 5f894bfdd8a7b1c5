"""The channel an alert subscription or a digest schedule posts in: which one the command names, and
whether auditbot may and can post there.

A command names its channel first, as Slack links it (``<#C…|name>``); without one it is the
conversation the command was typed in. Before anything is made to post in a channel (and when a
subscription is resumed) auditbot checks it: the access policy must allow it (the same
``AccessPolicy.decide`` the access guard asks, for the target channel), and auditbot must be able
to post there: it joins a public channel itself and must have been invited to a private one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.access import UNAVAILABLE_MESSAGE, AccessPolicy, Decision, Permission, Place, PlaceKind
from auditbot.core.errors import AuditbotError
from auditbot.slack.deps import SlackDeps
from auditbot.slack.directory import kind_from_info
from auditbot.slack.errors import slack_error_code
from auditbot.slack.listeners.common import record
from auditbot.slack.listeners.permits import decide_for
from auditbot.slack.payloads import Who
from auditbot.slack.text import leading_channel


@dataclass(frozen=True, slots=True)
class NamedChannel:
    """The channel a command names (or the one it was typed in), and the text after it as Slack sent it."""

    channel_id: str
    name: str | None
    rest: str


def named_channel(text: str, who: Who, *, example: str) -> NamedChannel:
    """The channel at the start of ``text`` (as Slack sent it), else the conversation of the command.

    A channel typed as plain text (``#it-ops``) is refused: Slack only links one picked from its list.
    """
    channel_id, name, rest = leading_channel(text)
    if channel_id is None:
        if rest.startswith("#"):
            raise AuditbotError(
                "Which channel is that? auditbot needs the channel as Slack links it.",
                hint=f"Pick the channel from the list Slack shows as you type #, for example {example}",
            )
        channel_id = who.channel_id or ""
    return NamedChannel(channel_id, name, rest)


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
