"""Steps several listeners share: run a search for a person, open an event's details."""

from __future__ import annotations

from slack_sdk import WebClient

from auditbot.core.query import Query
from auditbot.services.search import ResultPage
from auditbot.slack.deps import SlackDeps
from auditbot.slack.render import render_event_detail, render_results
from auditbot.slack.replies import Respond, send


def search_for(deps: SlackDeps, client: WebClient, user_id: str, query: str | Query) -> ResultPage:
    """The first page of ``query`` read in the person's time zone; its events are kept for Details."""
    page = deps.search.search(query, tz=deps.zones.zone(client, user_id))
    deps.events.remember(found.event for found in page.events)
    return page


def show_results(
    deps: SlackDeps, client: WebClient, respond: Respond, user_id: str, query: str | Query, intro: str | None = None
) -> None:
    page = search_for(deps, client, user_id, query)
    send(respond, render_results(page, intro=intro))


def show_page(deps: SlackDeps, respond: Respond, value: str) -> None:
    """Re-run the search from a button's page state and replace the message that held the button."""
    page = deps.search.open_page(value)
    deps.events.remember(found.event for found in page.events)
    send(respond, render_results(page), replace=True)


def open_event(deps: SlackDeps, client: WebClient, trigger_id: str, event_id: str) -> None:
    event = deps.events.get(event_id)
    name = deps.catalog.snapshot().get(event.action).display_name
    client.views_open(trigger_id=trigger_id, view=render_event_detail(event, name))
