"""The event details modal's buttons: the pivots (this actor, this address, the hour around), Share, and
showing or hiding the raw JSON.

A modal has no response_url, so a pivot's results go where the search form's go, to the person's
messages with auditbot, and the modal says so; Share posts the event in the conversation the details
were opened from, after checking that the person may share there.
"""

from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.access import Permission, Place, PlaceKind
from auditbot.core.errors import AuditbotError
from auditbot.core.model import AuditEvent
from auditbot.services.search import FoundEvent
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.directory import LookupFailed, SlackDirectory
from auditbot.slack.errors import slack_error_code
from auditbot.slack.listeners.common import record, search_for
from auditbot.slack.listeners.permits import decide_for
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import Click, payload_of
from auditbot.slack.redaction import redacted
from auditbot.slack.render import render_error, render_results
from auditbot.slack.render.detail import PIVOTS, pivot_query, read_detail_value, render_event_detail
from auditbot.slack.render.results import render_shared_event
from auditbot.slack.render.safe import escape

NOT_SHARED = ":warning: Not shared: {reason}"


def register(app: Listeners, deps: SlackDeps) -> None:
    @app.action(ids.EVENT_PIVOT_PATTERN)
    def pivot(ack: Ack, context: BoltContext, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        run_pivot(deps, client, click, click.action.action_id.partition(":")[2])

    @app.action(ids.EVENT_SHARE)
    def share(ack: Ack, context: BoltContext, client: WebClient) -> None:
        ack()
        share_event(deps, client, payload_of(context, Click))

    @app.action(ids.EVENT_RAW_PATTERN)
    def raw(ack: Ack, context: BoltContext, client: WebClient) -> None:
        ack()
        click = payload_of(context, Click)
        event_id, channel_id = read_detail_value(click.action.value)
        event = _event(deps, event_id)
        if event is not None:
            show = click.action.action_id.endswith(":show")
            _update(deps, client, click, event, channel_id, show_raw=show)


def run_pivot(deps: SlackDeps, client: WebClient, click: Click, kind: str) -> None:
    """Search from the event (``kind``: actor, ip or around), post the results in the person's messages with
    auditbot, and say so in the modal."""
    event_id, channel_id = read_detail_value(click.action.value)
    event = _event(deps, event_id)
    user_id = click.who.user_id
    label = PIVOTS.get(kind, "Search")
    query = pivot_query(event, kind, deps.clock.now()) if event is not None else None
    try:
        if event is None or query is None:
            raise AuditbotError("There is nothing to search for from this event.")
        page = search_for(deps, client, user_id, query)
        record(deps, client, click.who, "query", query=page.query, detail=f"{label} from event {event.id}")
        message = render_results(page, intro=f"From the event details: {label}")
        note = f"{escape(label)}: the results are in your messages with auditbot."
    except AuditbotError as exc:
        message = render_error(exc)
        note = f"{escape(label)}: the search could not run; your messages with auditbot say why."
    client.chat_postMessage(channel=user_id, **message.as_kwargs())
    if event is not None:
        _update(deps, client, click, event, channel_id, note=note)


def share_event(deps: SlackDeps, client: WebClient, click: Click) -> None:
    """[Share]: the event posted in the conversation its details were opened from, saying who shared it."""
    event_id, channel_id = read_detail_value(click.action.value)
    event = _event(deps, event_id)
    if event is None:
        return
    try:
        if not channel_id:
            raise AuditbotError("there is no conversation to share this in.")
        _may_share(deps, client, click, channel_id)
        name = deps.catalog.snapshot().get(event.action).display_name
        message = render_shared_event(FoundEvent(event, name), click.who.user_id)
        if deps.redact_shared:
            message = redacted(message)
        try:
            client.chat_postMessage(channel=channel_id, **message.as_kwargs())
        except SlackApiError as exc:
            code = slack_error_code(exc)
            if code in {"not_in_channel", "channel_not_found"}:
                raise AuditbotError("auditbot is not in that channel; invite it with /invite @auditbot.") from None
            raise AuditbotError(f"Slack would not take the message ({code or 'unknown error'}).") from None
    except AuditbotError as exc:
        _update(deps, client, click, event, channel_id, note=NOT_SHARED.format(reason=escape(exc.message)))
        return
    record(deps, client, click.who, "share", detail=f"event {event.id}")
    _update(deps, client, click, event, channel_id, note=f"Shared in <#{channel_id}>.")


def _may_share(deps: SlackDeps, client: WebClient, click: Click, channel_id: str) -> None:
    """The access check the guard makes for Share on a result, for the conversation the event goes to
    (a click in a modal has none of its own); a refusal is recorded and raised."""
    try:
        kind = (
            PlaceKind.DM
            if channel_id.startswith("D")
            else SlackDirectory(client, timer=deps.clock.monotonic).kind_of(channel_id)
        )
    except LookupFailed:
        kind = PlaceKind.UNKNOWN
    decision = decide_for(deps, click.who.user_id, Place(channel_id, kind), Permission.SHARE)
    if decision is None or decision.allowed:
        return
    record(deps, client, click.who, "share", outcome="denied", detail=f"event: {decision.reason}")
    raise AuditbotError(decision.message)


def _event(deps: SlackDeps, event_id: str) -> AuditEvent | None:
    try:
        return deps.events.get(event_id)
    except AuditbotError:
        return None


def _update(
    deps: SlackDeps,
    client: WebClient,
    click: Click,
    event: AuditEvent,
    channel_id: str | None,
    *,
    show_raw: bool = False,
    note: str | None = None,
) -> None:
    """The modal again, with ``note`` on top; a modal that is gone (closed, or not a modal) is left alone."""
    if not click.view_id:
        return
    name = deps.catalog.snapshot().get(event.action).display_name
    view = render_event_detail(event, name, show_raw=show_raw, channel_id=channel_id, note=note)
    try:
        client.views_update(view_id=click.view_id, view=view)
    except SlackApiError:
        return
