"""Steps several listeners share: run a search for a person, open an event's details."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.errors import AuditbotError
from auditbot.core.query import Query
from auditbot.services.search import ResultPage
from auditbot.slack.deps import SlackDeps
from auditbot.slack.errors import slack_error_code
from auditbot.slack.payloads import Who
from auditbot.slack.render import render_event_detail, render_results
from auditbot.slack.replies import Respond, refusal_recorded, send

logger = logging.getLogger(__name__)


def record(
    deps: SlackDeps,
    client: WebClient | None,
    who: Who,
    kind: str,
    *,
    query: str | None = None,
    detail: str | None = None,
    outcome: str = "ok",
) -> None:
    """One entry in the bot's trail, under the person the request was checked for. A refusal recorded here
    is the one entry for its request: ``answering`` does not record the error it raises again."""
    if outcome != "ok":
        refusal_recorded()
    if deps.trail is None:
        return
    deps.trail.record(
        client,
        team_id=who.team_id,
        user_id=who.user_id,
        kind=kind,
        outcome=outcome,
        query=query,
        channel_id=who.channel_id,
        detail=detail,
    )


def search_for(deps: SlackDeps, client: WebClient, user_id: str, query: str | Query) -> ResultPage:
    """The first page of ``query`` read in the person's time zone; its events are kept for Details."""
    page = deps.search.search(query, tz=deps.zones.zone(client, user_id))
    deps.events.remember(found.event for found in page.events)
    return page


def show_results(
    deps: SlackDeps,
    client: WebClient,
    respond: Respond,
    who: Who,
    query: str | Query,
    intro: str | None = None,
) -> None:
    page = search_for(deps, client, who.user_id, query)
    record(deps, client, who, "query", query=page.query, detail=intro)
    send(respond, render_results(page, intro=intro))


def show_page(
    deps: SlackDeps, client: WebClient, respond: Respond, who: Who, value: str, *, narrowed: bool = False
) -> None:
    """Re-run the search from a button's page state and replace the message that held the button; a search
    ``narrowed`` from it comes as a new message instead, leaving the wider result in place."""
    page = deps.search.open_page(value)
    deps.events.remember(found.event for found in page.events)
    detail = "narrowed from a result's summary" if narrowed else f"page {page.page}"
    record(deps, client, who, "query", query=page.query, detail=detail)
    send(respond, render_results(page), replace=not narrowed)


def open_event(deps: SlackDeps, client: WebClient, who: Who, trigger_id: str, event_id: str) -> None:
    event = deps.events.get(event_id)
    record(deps, client, who, "detail", detail=f"event {event.id}")
    name = deps.catalog.snapshot().get(event.action).display_name
    open_view(client, trigger_id, render_event_detail(event, name, channel_id=who.channel_id))


def open_view(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    """Open a modal; Slack refusing it (a trigger older than 3 s, say) is a message, not a crash."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        raise AuditbotError(
            f"Slack would not open the window ({slack_error_code(exc)}).", hint="Click or type it again."
        ) from None


def open_view_or_log(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    """``open_view`` where nobody can be answered but by the window itself: a refusal is logged."""
    try:
        open_view(client, trigger_id, view)
    except AuditbotError as exc:
        logger.warning("could not open a window: %s", exc.message)
