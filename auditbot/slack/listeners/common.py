"""Steps several listeners share: run a search for a person, open an event's details."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.query import Query
from auditbot.services.search import ResultPage
from auditbot.slack.deps import SlackDeps
from auditbot.slack.render import render_event_detail, render_results
from auditbot.slack.replies import Respond, send


def actor_of(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """(team id, user id, channel id) of a slash command or an interaction body."""
    if "user_id" in body:
        return str(body.get("team_id", "")), str(body["user_id"]), body.get("channel_id")
    team = body.get("team") or {}
    user = body.get("user") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return str(team.get("id", "")), str(user.get("id", "")), channel


def record(
    deps: SlackDeps,
    client: WebClient | None,
    body: dict[str, Any],
    kind: str,
    *,
    query: str | None = None,
    detail: str | None = None,
    outcome: str = "ok",
) -> None:
    if deps.trail is None:
        return
    team_id, user_id, channel_id = actor_of(body)
    deps.trail.record(
        client,
        team_id=team_id,
        user_id=user_id,
        kind=kind,
        outcome=outcome,
        query=query,
        channel_id=channel_id,
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
    body: dict[str, Any],
    query: str | Query,
    intro: str | None = None,
) -> None:
    page = search_for(deps, client, actor_of(body)[1], query)
    record(deps, client, body, "query", query=page.query, detail=intro)
    send(respond, render_results(page, intro=intro))


def show_page(
    deps: SlackDeps, client: WebClient, respond: Respond, body: dict[str, Any], value: str, *, narrowed: bool = False
) -> None:
    """Re-run the search from a button's page state and replace the message that held the button; a search
    ``narrowed`` from it comes as a new message instead, leaving the wider result in place."""
    page = deps.search.open_page(value)
    deps.events.remember(found.event for found in page.events)
    detail = "narrowed from a result's summary" if narrowed else f"page {page.page}"
    record(deps, client, body, "query", query=page.query, detail=detail)
    send(respond, render_results(page), replace=not narrowed)


def open_event(deps: SlackDeps, client: WebClient, body: dict[str, Any], trigger_id: str, event_id: str) -> None:
    event = deps.events.get(event_id)
    record(deps, client, body, "detail", detail=f"event {event.id}")
    name = deps.catalog.snapshot().get(event.action).display_name
    client.views_open(trigger_id=trigger_id, view=render_event_detail(event, name))


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code from a failed Web API call (``not_in_channel``…), for a person's message."""
    return str(exc.response.get("error", "")) if exc.response is not None else "no answer"
