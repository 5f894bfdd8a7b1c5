"""The access guard: a Bolt global middleware that checks every request against the access policy.

For each request it takes the typed value ``payloads.PayloadReader`` read (the one the listener
will act on), works out the person acting (whoever typed the command or clicked the button, never
the person who asked first), the place (the conversation, or none for shortcuts, modals and App
Home) and the permission the entry point needs, then asks ``AccessPolicy.decide``. Allowed
requests go on to their listener. Denied ones never reach it: the person gets the policy's polite
message in the way the entry point allows (an ephemeral reply, a small modal, a Home tab) and
nothing else. A failed lookup denies too (fail closed). ``on_decision`` sees every decision.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from auditbot.core.access import AccessPolicy, Decision, Permission, Place, PlaceKind
from auditbot.slack import ids
from auditbot.slack.directory import ChannelKinds, LookupFailed, NoGroups, UserGroups
from auditbot.slack.errors import slack_error_code
from auditbot.slack.payloads import (
    CONTEXT_KEY,
    Asked,
    Click,
    Command,
    HomeOpened,
    MessageShortcut,
    OptionsLoad,
    Payload,
    Shortcut,
    ViewSubmission,
    Who,
)
from auditbot.slack.render import render_notice

logger = logging.getLogger(__name__)

OnDecision = Callable[[Decision, Who, Place, Permission, str, "str | None"], None]
"""``(decision, who, place, permission, kind, query_text)``: ``who`` is the identity that was checked;
kind is the payload type (``command``, ``block_actions``, ``message_action``, ``shortcut``,
``view_submission``, ``block_suggestion``, ``app_home_opened``); query_text the command text, the
action id or the callback id."""

ADMIN_SUBCOMMANDS = frozenset({"bot-log", "subscribe", "unsubscribe", "pause", "resume"})
DIGEST_ADMIN_SUBCOMMANDS = frozenset({"schedule", "unschedule"})
"""``/audit digest schedule|unschedule …`` change schedules; ``/audit digest schedules`` only lists them."""
ACTION_PERMISSIONS: Mapping[str, Permission] = {
    ids.SHARE_PAGE: Permission.SHARE,
    ids.HANDOFF_SHARE: Permission.SHARE,
    ids.EXPORT_CSV: Permission.EXPORT,
    ids.SUBSCRIBE_CONFIRM: Permission.ADMIN,
    ids.SUBSCRIPTION_PAUSE: Permission.ADMIN,
    ids.SUBSCRIPTION_RESUME: Permission.ADMIN,
    ids.SUBSCRIPTION_REMOVE: Permission.ADMIN,
    ids.BOT_LOG_NEXT: Permission.ADMIN,
    ids.BOT_LOG_PREV: Permission.ADMIN,
    # Triage: viewers may assign, acknowledge, resolve and reopen; the listeners ask for ADMIN to
    # resolve and reopen when AUDITBOT_RESOLVE_ADMINS_ONLY says so.
    ids.ALERT_ASSIGN: Permission.SEARCH,
    ids.ALERT_ASSIGN_ME: Permission.SEARCH,
    ids.ALERT_RESOLVE: Permission.SEARCH,
    ids.ALERT_REOPEN: Permission.SEARCH,
    ids.ALERT_RESOLVE_BATCH: Permission.SEARCH,
}
WEBHOOK_TIMEOUT_SECONDS = 3
TITLE = "auditbot"


@dataclass(frozen=True, slots=True)
class Asking:
    """What a request asks for, as the guard reads it from the request's typed value."""

    payload: Asked
    permissions: tuple[Permission, ...]
    query_text: str | None

    @property
    def kind(self) -> str:
        return self.payload.kind

    @property
    def person(self) -> str:
        return self.payload.who.user_id

    @property
    def channel_id(self) -> str | None:
        return self.payload.who.channel_id


def command_permission(command: Command, *, admin_subcommands: Collection[str] = ADMIN_SUBCOMMANDS) -> Permission:
    """What ``/audit <subcommand>`` needs, from the same words the command listener dispatches on."""
    verb = command.subcommand.verb
    if verb in admin_subcommands or (verb == "digest" and command.inner.verb in DIGEST_ADMIN_SUBCOMMANDS):
        return Permission.ADMIN
    return Permission.SEARCH


def read_request(
    payload: Payload,
    *,
    admin_subcommands: Collection[str] = ADMIN_SUBCOMMANDS,
    action_permissions: Mapping[str, Permission] = ACTION_PERMISSIONS,
) -> Asking | None:
    """Who asks for what, where; None for requests nobody makes (other events, Slack's notices)."""
    match payload:
        case Command():
            permission = command_permission(payload, admin_subcommands=admin_subcommands)
            return Asking(payload, (permission,), payload.text)
        case Click():
            actions = [a.action_id for a in payload.actions]
            permissions = tuple(dict.fromkeys(action_permissions.get(a, Permission.SEARCH) for a in actions))
            return Asking(payload, permissions, ",".join(actions))
        case Shortcut() | MessageShortcut() | ViewSubmission():
            return Asking(payload, (Permission.SEARCH,), payload.callback_id or None)
        case OptionsLoad():
            return Asking(payload, (Permission.SEARCH,), payload.action_id or None)
        case HomeOpened():
            return Asking(payload, (Permission.SEARCH,), None)
    return None


def access_guard(
    policy: AccessPolicy,
    directory: ChannelKinds,
    *,
    groups: UserGroups | None = None,
    on_decision: OnDecision | None = None,
    response_url_ok: Callable[[str], bool] | None = None,
    admin_subcommands: Collection[str] = ADMIN_SUBCOMMANDS,
    action_permissions: Mapping[str, Permission] = ACTION_PERMISSIONS,
) -> Callable[..., BoltResponse | None]:
    """The access middleware (``chain`` puts it in its place), which runs after ``PayloadReader``.
    ``groups`` looks up user group membership (default: none); ``response_url_ok`` vets a
    response_url before the denial is posted to it. A request that was not read is refused."""
    group_lookup = groups or NoGroups()

    def access(client: WebClient, context: BoltContext, next_: Callable[[], None]) -> BoltResponse | None:
        payload = context.get(CONTEXT_KEY)
        if payload is None:
            logger.warning("refused a request that was not read before the access guard")
            return BoltResponse(status=400, body="")
        asking = read_request(payload, admin_subcommands=admin_subcommands, action_permissions=action_permissions)
        if asking is None:
            next_()
            return None
        decision, place, permission = _decide(policy, directory, group_lookup, asking)
        if on_decision is not None:
            try:
                on_decision(decision, asking.payload.who, place, permission, asking.kind, asking.query_text)
            except Exception:
                logger.exception("on_decision failed for a %s", asking.kind)
        if decision.allowed:
            next_()
            return None
        logger.info("denied %s by %r at %s: %s", asking.kind, asking.person, place, decision.reason)
        return _refuse(asking, client, context, decision.message, response_url_ok)

    return access


def _decide(
    policy: AccessPolicy, directory: ChannelKinds, groups: UserGroups, asking: Asking
) -> tuple[Decision, Place, Permission]:
    """The policy's answer; user groups are looked up only when the person's own id is not enough."""
    permission = asking.permissions[0]
    place = Place.nowhere()
    if not asking.person.isprintable():
        return Decision.deny("the user id is not one Slack gives (unprintable characters)"), place, permission
    try:
        if asking.channel_id:
            place = Place(asking.channel_id, directory.kind_of(asking.channel_id))
        decision, permission = _first_refusal(policy, asking, place, frozenset())
        if not decision.allowed and policy.group_ids and not policy.open:
            decision, permission = _first_refusal(policy, asking, place, groups.groups_of(asking.person))
    except LookupFailed as exc:
        if asking.channel_id and place.kind is PlaceKind.NONE:
            place = Place(asking.channel_id, PlaceKind.UNKNOWN)
        if policy.open:
            return Decision.allow(f"open policy (demo); lookup failed: {exc}"), place, permission
        refuse = Decision.deny if exc.lasting else Decision.unavailable
        return refuse(f"lookup failed: {exc}"), place, permission
    return decision, place, permission


def _first_refusal(
    policy: AccessPolicy, asking: Asking, place: Place, user_groups: frozenset[str]
) -> tuple[Decision, Permission]:
    decision = Decision.allow("nothing asked")
    permission = asking.permissions[0]
    for permission in asking.permissions:
        decision = policy.decide(asking.person, user_groups, place, permission)
        if not decision.allowed:
            break
    return decision, permission


def _refuse(
    asking: Asking,
    client: WebClient,
    context: BoltContext,
    text: str,
    response_url_ok: Callable[[str], bool] | None,
) -> BoltResponse:
    """The acknowledgement for a denied request, after arranging for the person to see ``text``."""
    payload = asking.payload
    match payload:
        case Command():
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
        case ViewSubmission():
            return BoltResponse(status=200, body={"response_action": "update", "view": no_access_modal(text)})
        case OptionsLoad():
            return BoltResponse(status=200, body={"options": []})
        case HomeOpened():
            person = payload.who.user_id
            _after_ack(context, lambda: client.views_publish(user_id=person, view=no_access_home(text)))
            return BoltResponse(status=200, body="")
        case Click() | MessageShortcut() | Shortcut():
            url = payload.response_url if isinstance(payload, Click | MessageShortcut) else None
            if url and (response_url_ok is None or response_url_ok(url)):
                _after_ack(context, lambda: _post_ephemeral(url, text))
            else:
                in_modal = isinstance(payload, Click) and payload.view_type == "modal"
                opener = client.views_push if in_modal else client.views_open
                trigger_id = payload.trigger_id
                _after_ack(context, lambda: opener(trigger_id=trigger_id, view=no_access_modal(text)))
    return BoltResponse(status=200, body="")


def _post_ephemeral(url: str, text: str) -> None:
    notice = render_notice(text)
    WebhookClient(url, timeout=WEBHOOK_TIMEOUT_SECONDS).send(
        text=notice.text, blocks=notice.blocks, response_type="ephemeral", replace_original=False
    )


def _after_ack(context: BoltContext, work: Callable[[], object]) -> None:
    """Run ``work`` on the listener executor (after the ack when it is a thread pool), never raising."""

    def guarded() -> None:
        try:
            work()
        except SlackApiError as exc:  # Slack's answer (an expired trigger, say): nothing of ours went wrong
            logger.info("could not deliver an access denial: %s", slack_error_code(exc))
        except Exception:
            logger.warning("could not deliver an access denial", exc_info=True)

    try:
        executor = context.listener_runner.listener_executor
    except (KeyError, AttributeError):
        guarded()
        return
    executor.submit(guarded)


def no_access_modal(text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": TITLE},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": render_notice(text).blocks,
    }


def no_access_home(text: str) -> dict[str, Any]:
    return {"type": "home", "blocks": render_notice(text).blocks}
