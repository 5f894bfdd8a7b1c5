"""The access guard: a Bolt global middleware that checks every request against the access policy.

For each request it works out the person acting (whoever typed the command or clicked the button,
never the person who asked first), the place (the conversation, or none for shortcuts, modals and
App Home) and the permission the entry point needs, then asks ``AccessPolicy.decide``. Allowed
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
from slack_sdk.webhook import WebhookClient

from auditbot.core.access import AccessPolicy, Decision, Permission, Place, PlaceKind
from auditbot.slack import ids
from auditbot.slack.directory import ChannelKinds, LookupFailed, NoGroups, UserGroups
from auditbot.slack.render import render_notice

logger = logging.getLogger(__name__)

OnDecision = Callable[[Decision, str, Place, Permission, str, "str | None"], None]
"""``(decision, person, place, permission, kind, query_text)``: kind is the payload type (``command``,
``block_actions``, ``message_action``, ``shortcut``, ``view_submission``, ``block_suggestion``,
``app_home_opened``); query_text the command text, the action id or the callback id."""

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
}
INTERACTIONS = frozenset(
    {"block_actions", "message_action", "shortcut", "view_submission", "view_closed", "block_suggestion"}
)
WEBHOOK_TIMEOUT_SECONDS = 3
TITLE = "auditbot"


@dataclass(frozen=True, slots=True)
class Asking:
    """What a request asks for, as the guard reads it."""

    kind: str
    person: str | None
    channel_id: str | None
    permissions: tuple[Permission, ...]
    query_text: str | None


def read_request(
    body: Mapping[str, Any],
    *,
    admin_subcommands: Collection[str] = ADMIN_SUBCOMMANDS,
    action_permissions: Mapping[str, Permission] = ACTION_PERMISSIONS,
) -> Asking | None:
    """Who asks for what, where; None for requests nobody makes (other events, Slack's own checks)."""
    if "command" in body and "user_id" in body:
        text = str(body.get("text") or "")
        words = text.lower().split(maxsplit=2)
        word = words[0] if words else ""
        digest_admin = word == "digest" and len(words) > 1 and words[1] in DIGEST_ADMIN_SUBCOMMANDS
        permission = Permission.ADMIN if word in admin_subcommands or digest_admin else Permission.SEARCH
        return Asking("command", _id(body.get("user_id")), _id(body.get("channel_id")), (permission,), text)
    kind = str(body.get("type") or "")
    if kind == "event_callback":
        event = body.get("event") or {}
        if event.get("type") != "app_home_opened":
            return None
        return Asking("app_home_opened", _id(event.get("user")), None, (Permission.SEARCH,), None)
    if kind not in INTERACTIONS and "user" not in body:
        return None
    person = _id((body.get("user") or {}).get("id"))
    if kind == "block_actions":
        actions = [str(a.get("action_id") or "") for a in body.get("actions") or ()]
        permissions = tuple(dict.fromkeys(action_permissions.get(a, Permission.SEARCH) for a in actions))
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        return Asking(kind, person, _id(channel), permissions or (Permission.SEARCH,), ",".join(actions) or None)
    if kind == "message_action":
        channel = _id((body.get("channel") or {}).get("id"))
        return Asking(kind, person, channel, (Permission.SEARCH,), _id(body.get("callback_id")))
    what = body.get("callback_id") or (body.get("view") or {}).get("callback_id") or body.get("action_id")
    return Asking(kind or "unknown", person, None, (Permission.SEARCH,), _id(what))


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
    """The middleware for ``build_app(middleware=[...])``. ``groups`` looks up user group membership
    (default: none); ``response_url_ok`` vets a response_url before the denial is posted to it."""
    group_lookup = groups or NoGroups()

    def access_guard_middleware(
        client: WebClient, context: BoltContext, body: dict[str, Any], next_: Callable[[], None]
    ) -> BoltResponse | None:
        asking = read_request(body, admin_subcommands=admin_subcommands, action_permissions=action_permissions)
        if asking is None:
            next_()
            return None
        decision, place, permission = _decide(policy, directory, group_lookup, asking)
        if on_decision is not None:
            try:
                on_decision(decision, asking.person or "", place, permission, asking.kind, asking.query_text)
            except Exception:
                logger.exception("on_decision failed for a %s", asking.kind)
        if decision.allowed:
            next_()
            return None
        logger.info("denied %s by %s at %s: %s", asking.kind, asking.person, place, decision.reason)
        return _refuse(asking, body, client, context, decision.message, response_url_ok)

    return access_guard_middleware


def _decide(
    policy: AccessPolicy, directory: ChannelKinds, groups: UserGroups, asking: Asking
) -> tuple[Decision, Place, Permission]:
    """The policy's answer; user groups are looked up only when the person's own id is not enough."""
    permission = asking.permissions[0]
    place = Place.nowhere()
    if not asking.person:
        return Decision.deny(f"no user in the {asking.kind} request"), place, permission
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
        decision = policy.decide(str(asking.person), user_groups, place, permission)
        if not decision.allowed:
            break
    return decision, permission


def _refuse(
    asking: Asking,
    body: Mapping[str, Any],
    client: WebClient,
    context: BoltContext,
    text: str,
    response_url_ok: Callable[[str], bool] | None,
) -> BoltResponse:
    """The acknowledgement for a denied request, after arranging for the person to see ``text``."""
    match asking.kind:
        case "command":
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
        case "view_submission":
            return BoltResponse(status=200, body={"response_action": "update", "view": no_access_modal(text)})
        case "block_suggestion":
            return BoltResponse(status=200, body={"options": []})
        case "app_home_opened":
            _after_ack(context, lambda: client.views_publish(user_id=str(asking.person), view=no_access_home(text)))
            return BoltResponse(status=200, body="")
    url = str(body.get("response_url") or "")
    trigger_id = str(body.get("trigger_id") or "")
    if url and (response_url_ok is None or response_url_ok(url)):
        _after_ack(context, lambda: _post_ephemeral(url, text))
    elif trigger_id and asking.kind in ("block_actions", "shortcut", "message_action"):
        in_modal = (body.get("view") or {}).get("type") == "modal"
        opener = client.views_push if in_modal else client.views_open
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


def _id(value: object) -> str | None:
    return str(value) if isinstance(value, str) and value else None
