"""Triage on an alert's card: Assign (a user picker, or "Assign to me"), Resolve (a modal with the reason
and a comment) and Reopen.

Each change goes through ``TriageService`` (compare-and-set: no click overwrites a state it did not
see), then the card is redrawn in place from the stored state (never from the click alone), one line
is added to the alert's thread, and the change goes into the bot's trail. A refusal (the alert changed
meanwhile, or its state does not allow it) is told to the clicker alone, and the card is redrawn from
the stored state all the same, so it never shows a state that is not stored.

The alert a click names must be one of the clicked message's own: the value's event id has to be in
the metadata delivery stamped on the message, which Slack sends from the channel the click came from;
a value copied from an alert in another channel, or made up, changes nothing. The Resolve modal keeps
the channel and message it was opened from, and its submission is checked against that message again.

Who may: the same as Acknowledge (the SEARCH permission); resolving and reopening need ADMIN when
``SlackDeps.resolve_admins_only`` says so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.access import Permission
from auditbot.core.errors import AuditbotError
from auditbot.core.triage import AlertKey, Reason, TransitionRefused, Triage
from auditbot.services.delivery.metadata import ALERT_EVENT_TYPE
from auditbot.services.triage import Change, Changed, TriageService
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.errors import slack_error_code
from auditbot.slack.listeners.common import record
from auditbot.slack.listeners.permits import require
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import Click, ViewSubmission, Who, payload_of
from auditbot.slack.render.alerts import burst_triaged_blocks, read_ack_value, triaged_blocks, value_on_card
from auditbot.slack.render.errors import render_error
from auditbot.slack.render.limits import JsonDict
from auditbot.slack.render.safe import md, mention
from auditbot.slack.render.triage_modal import ResolveTarget, read_resolve_values, render_resolve_modal
from auditbot.slack.render.views import Message
from auditbot.slack.replies import Respond, answering

logger = logging.getLogger(__name__)

_USER_ID_RE = re.compile(r"[UW][A-Z0-9]{2,30}")


def register(app: Listeners, deps: SlackDeps) -> None:
    @app.action(ids.ALERT_ASSIGN_ME)
    def assign_me(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "assign"):
            assign(deps, client, respond, click, click.who.user_id, click.action.value)

    @app.action(ids.ALERT_ASSIGN)
    def assign_picked(
        ack: Ack, context: BoltContext, body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "assign"):
            value = value_on_card((click.message or {}).get("blocks") or [])
            assign(deps, client, respond, click, _picked_user(body), value or "")

    @app.action(ids.ALERT_REOPEN)
    def reopen(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "reopen"):
            reopen_alert(deps, client, respond, click)

    @app.action(ids.ALERT_RESOLVE)
    def resolve(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "resolve"):
            open_resolve(deps, client, click)

    @app.action(ids.ALERT_RESOLVE_BATCH)
    def resolve_all(ack: Ack, context: BoltContext, respond: Respond, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        with answering(respond, "resolve"):
            open_resolve_burst(deps, client, click)

    def validate_resolve(ack: Ack, context: BoltContext) -> None:
        try:
            read_resolve_values(payload_of(context, ViewSubmission).values)
        except AuditbotError as exc:
            ack(response_action="errors", errors={ids.RESOLVE_REASON: exc.message})
            return
        ack()

    def resolve_submitted(context: BoltContext, body: dict[str, Any], client: WebClient) -> None:
        submission = payload_of(context, ViewSubmission)
        resolve_from_modal(deps, client, submission, _private_metadata(body))

    app.view_submission(ids.RESOLVE_FORM, ack=validate_resolve, work=resolve_submitted)


# -- the use cases -------------------------------------------------------------------------------


def assign(deps: SlackDeps, client: WebClient, respond: Respond, click: Click, user: str | None, value: str) -> None:
    """Assign the clicked alert to ``user`` (the clicker for "Assign to me")."""
    who = click.who
    require(deps, client, who, Permission.SEARCH, "assign")
    if user is None:
        raise AuditbotError("Choose someone to assign the alert to.", hint="Nothing was changed.")
    alert, value = _alert_of_click(click, value)
    triage = _triage(deps)
    _changed(deps, client, who, click.message, alert, value, lambda: triage.assign(alert, user, who.user_id))


def reopen_alert(deps: SlackDeps, client: WebClient, respond: Respond, click: Click) -> None:
    who = click.who
    require(deps, client, who, _resolve_permission(deps), "reopen")
    alert, value = _alert_of_click(click, click.action.value)
    triage = _triage(deps)
    _changed(deps, client, who, click.message, alert, value, lambda: triage.reopen(alert, who.user_id))


def open_resolve(deps: SlackDeps, client: WebClient, click: Click) -> None:
    """[Resolve]: the modal asking for the reason and a comment."""
    who = click.who
    require(deps, client, who, _resolve_permission(deps), "resolve")
    alert, value = _alert_of_click(click, click.action.value)
    _triage(deps)
    view = render_resolve_modal(ResolveTarget(alert.channel_id, click.message_ts, value))
    try:
        client.views_open(trigger_id=click.trigger_id, view=view)
    except SlackApiError as exc:
        raise AuditbotError(
            f"Slack would not open the window ({slack_error_code(exc)}).", hint="Click Resolve again."
        ) from None


def open_resolve_burst(deps: SlackDeps, client: WebClient, click: Click) -> None:
    """[Resolve all] on a burst's summary: the modal, for the whole burst."""
    who = click.who
    require(deps, client, who, _resolve_permission(deps), "resolve")
    channel_id = who.channel_id
    batch = click.action.value
    if not channel_id or not batch or click.container_type != "message":
        raise AuditbotError("That alert button could not be read.", hint="Use the buttons on the alert.")
    _check_burst(_triage(deps), channel_id, batch)
    view = render_resolve_modal(ResolveTarget(channel_id, click.message_ts, batch, burst=True))
    try:
        client.views_open(trigger_id=click.trigger_id, view=view)
    except SlackApiError as exc:
        raise AuditbotError(
            f"Slack would not open the window ({slack_error_code(exc)}).", hint="Click Resolve all again."
        ) from None


def _check_burst(triage: TriageService, channel_id: str, batch: str) -> None:
    """Refuse a batch key that is no burst auditbot posted in this channel (another channel's, or made up)."""
    if not triage.items_of(channel_id, batch):
        raise AuditbotError("auditbot has no record of these alerts in this channel.", hint="Nothing was changed.")


def resolve_from_modal(deps: SlackDeps, client: WebClient, submission: ViewSubmission, metadata: str) -> None:
    """The Resolve modal submitted: resolve the alert it was opened on, redraw its card, say so in its thread."""
    who = submission.who
    told = _Ephemeral(client, who.user_id)
    try:
        target = ResolveTarget.load(metadata)
        told.channel_id = target.channel_id
        require(deps, client, who, _resolve_permission(deps), "resolve")
        reason, comment = read_resolve_values(submission.values)
        root = _root_message(client, target.channel_id, target.message_ts)
        in_channel = Who(user_id=who.user_id, team_id=who.team_id, channel_id=target.channel_id)
        if target.burst:
            _resolve_burst(deps, client, in_channel, root, target, reason, comment)
            return
        event_id, _ = read_ack_value(target.value)
        _check_on_message(root, target.message_ts, event_id)
        alert = AlertKey.event(target.channel_id, event_id)
        triage = _triage(deps)
        _changed(
            deps,
            client,
            in_channel,
            root,
            alert,
            target.value,
            lambda: triage.resolve(alert, reason, comment, who.user_id),
            message_ts=target.message_ts,
        )
    except AuditbotError as exc:
        told.error(exc)


def _resolve_burst(
    deps: SlackDeps,
    client: WebClient,
    who: Who,
    root: Mapping[str, Any],
    target: ResolveTarget,
    reason: Reason,
    comment: str | None,
) -> None:
    """Resolve a burst and its items not resolved yet; redraw its summary, one thread line, one trail entry."""
    triage = _triage(deps)
    _check_burst(triage, target.channel_id, target.value)
    alert = AlertKey.burst(target.channel_id, target.value)
    blocks = root.get("blocks") or []
    try:
        done = triage.resolve_burst(target.channel_id, target.value, reason, comment, who.user_id)
    except TransitionRefused as refused:
        record(deps, client, who, "triage", outcome="error", detail=f"burst {target.value}: {refused.message}")
        _update(
            client,
            alert,
            root,
            target.message_ts,
            burst_triaged_blocks(blocks, triage.state_of(alert)),
        )
        raise
    _update(client, alert, root, target.message_ts, burst_triaged_blocks(blocks, done.triage))
    if done.change is None:
        return
    _record(deps, client, who, done.change)
    note_in_thread(client, target.channel_id, target.message_ts, done.change)


# -- shared steps ----------------------------------------------------------------------------------


def _changed(
    deps: SlackDeps,
    client: WebClient,
    who: Who,
    message: Mapping[str, Any] | None,
    alert: AlertKey,
    value: str,
    change: Callable[[], Changed],
    *,
    message_ts: str | None = None,
) -> None:
    """Make ``change`` (a call answering ``Changed``); then redraw the card from the stored state, add the
    thread line and the trail entry; a refusal is told, and the card redrawn all the same."""
    triage = _triage(deps)
    try:
        done = change()
    except TransitionRefused as refused:
        record(deps, client, who, "triage", outcome="error", detail=f"{alert.kind} {alert.key}: {refused.message}")
        _redraw(client, alert, message, value, triage.state_of(alert), message_ts)
        raise
    _redraw(client, alert, message, value, done.triage, message_ts)
    if done.change is None:
        return
    _record(deps, client, who, done.change)
    message = message or {}
    note_in_thread(
        client, alert.channel_id, str(message.get("thread_ts") or message_ts or message.get("ts") or ""), done.change
    )


def _redraw(
    client: WebClient,
    alert: AlertKey,
    message: Mapping[str, Any] | None,
    value: str,
    state: Triage,
    message_ts: str | None,
) -> None:
    """The alert's root message in place, showing ``state``."""
    blocks = (message or {}).get("blocks")
    if isinstance(blocks, list) and blocks:
        _update(client, alert, message or {}, message_ts, triaged_blocks(blocks, state, value))


def _update(
    client: WebClient, alert: AlertKey, message: Mapping[str, Any], message_ts: str | None, blocks: list[JsonDict]
) -> None:
    """``message`` replaced in place by ``blocks`` (chat.update, keeping delivery's metadata); Slack refusing
    is logged: the stored state stands, and the next change redraws it."""
    ts = message_ts or str(message.get("ts") or "")
    if not blocks or not ts:
        return
    metadata = message.get("metadata")
    extra: dict[str, Any] = {"metadata": metadata} if isinstance(metadata, dict) and metadata.get("event_type") else {}
    try:
        client.chat_update(
            channel=alert.channel_id, ts=ts, text=str(message.get("text") or "Audit alert"), blocks=blocks, **extra
        )
    except SlackApiError as exc:
        logger.warning("could not redraw alert %s: %s", alert.key, slack_error_code(exc))


def note_in_thread(client: WebClient, channel_id: str, root_ts: str, change: Change) -> None:
    """The one line ``change`` adds to the alert's thread (rooted at ``root_ts``)."""
    try:
        client.chat_postMessage(channel=channel_id, thread_ts=root_ts or None, text=thread_line(change))
    except SlackApiError as exc:
        raise AuditbotError(
            f"Saved, but the note could not be posted in the alert's thread ({slack_error_code(exc)})."
        ) from None


def thread_line(change: Change) -> str:
    """The one line a change adds to the alert's thread: "@jane resolved this: False positive — comment"."""
    by = mention(change.by) or "someone"
    after = change.after
    match change.transition:
        case "resolve":
            reason = after.reason.label if after.reason is not None else "no reason"
            comment = f" — {md(after.comment, 600)}" if after.comment else ""
            items = f" ({len(change.items)} alerts with it)" if change.items else ""
            return f"{by} resolved this: {reason}{comment}{items}"
        case "assign":
            if after.assignee is None:
                return f"{by} unassigned this"
            if after.assignee == change.by:
                return f"{by} took this"
            return f"{by} assigned this to {mention(after.assignee) or 'someone'}"
        case "reopen":
            return f"{by} reopened this"
        case _:
            return f"{by} acknowledged this"


def _record(deps: SlackDeps, client: WebClient, who: Who, change: Change) -> None:
    after = change.after
    detail = f"{change.transition} {change.alert.kind} {change.alert.key}"
    if change.transition == "resolve" and after.reason is not None:
        detail += f": {after.reason.value}"
    elif change.transition == "assign":
        detail += f" to {after.assignee or 'nobody'}"
    record(deps, client, who, "triage", detail=detail)


def _alert_of_click(click: Click, value: str) -> tuple[AlertKey, str]:
    """The alert a click on a card names, once checked to be the clicked message's own."""
    event_id, _ = read_ack_value(value)
    channel_id = click.who.channel_id
    if not channel_id or click.container_type != "message":
        raise AuditbotError("That alert button could not be read.", hint="Use the buttons on the alert.")
    _check_on_message(click.message, click.message_ts, event_id)
    return AlertKey.event(channel_id, event_id), value


def _check_on_message(message: Mapping[str, Any] | None, ts: str, event_id: str) -> None:
    """Refuse unless ``message`` (as Slack sent it) is one of our alerts carrying ``event_id``."""
    if not ts or event_id not in _event_ids(message):
        raise AuditbotError("auditbot has no record of this alert in this channel.", hint="Nothing was changed.")


def _event_ids(message: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The events delivery's metadata on ``message`` names (comma separated, or a list); none for any
    other message."""
    metadata = (message or {}).get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != ALERT_EVENT_TYPE:
        return ()
    payload = metadata.get("event_payload")
    named = payload.get("event_ids") if isinstance(payload, dict) else None
    if isinstance(named, str):
        return tuple(i for i in named.split(",") if i)
    if isinstance(named, list):
        return tuple(str(i) for i in named if isinstance(i, str) and i)
    return ()


def _root_message(client: WebClient, channel_id: str, ts: str) -> Mapping[str, Any]:
    try:
        found = client.conversations_history(
            channel=channel_id, latest=ts, inclusive=True, limit=1, include_all_metadata=True
        )
    except SlackApiError as exc:
        raise AuditbotError(
            f"The alert could not be read ({slack_error_code(exc)}).", hint="Nothing was changed."
        ) from None
    messages = found.get("messages") or []
    if not messages or str(messages[0].get("ts")) != ts:
        raise AuditbotError("The alert could not be found in its channel.", hint="Nothing was changed.")
    return dict(messages[0])


def _picked_user(body: Mapping[str, Any]) -> str | None:
    actions = body.get("actions") or []
    picked = actions[0].get("selected_user") if actions and isinstance(actions[0], dict) else None
    return picked if isinstance(picked, str) and _USER_ID_RE.fullmatch(picked) else None


def _private_metadata(body: Mapping[str, Any]) -> str:
    view = body.get("view")
    found = view.get("private_metadata") if isinstance(view, dict) else None
    return found if isinstance(found, str) else ""


def _resolve_permission(deps: SlackDeps) -> Permission:
    return Permission.ADMIN if deps.resolve_admins_only else Permission.SEARCH


def _triage(deps: SlackDeps) -> TriageService:
    found = deps.alert_state.triage if deps.alert_state is not None else None
    if found is None:
        raise AuditbotError("Alerts need a store, and none is configured.", hint="Nothing was changed.")
    return found


class _Ephemeral:
    """Tells the submitter of a modal (who has no response_url) something, in the alert's channel."""

    def __init__(self, client: WebClient, user_id: str) -> None:
        self._client = client
        self._user_id = user_id
        self.channel_id = ""

    def error(self, exc: AuditbotError) -> None:
        message: Message = render_error(exc)
        channel = self.channel_id or self._user_id
        try:
            self._client.chat_postEphemeral(channel=channel, user=self._user_id, **message.as_kwargs())
        except SlackApiError as err:
            logger.info("could not tell %s: %s", self._user_id, slack_error_code(err))
