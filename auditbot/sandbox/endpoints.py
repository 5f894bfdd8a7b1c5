"""The four audit-log endpoints, as pure functions of a request context.

``/events`` serves newest first by (time, id); ``/events-stream`` by (processedAt, id), ascending
unless ``sortOrder=desc``. Both page by keyset: the cursor holds the last key served, so events
that become visible later are never skipped by the stream. Only events processed by now and
younger than 180 days are visible.

``/events-stream`` reads ``from`` / ``to`` as bounds on ``processedAt`` (the stream's own order,
and what pollers such as Elastic's advance ``from`` by). Every non-empty stream page hands back
a cursor, so a poller can keep polling from its last page; an empty page says ``next: null``.
When a cursor is given, all other parameters except ``limit`` are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from auditbot.sandbox.cursor import CursorCodec, CursorState
from auditbot.sandbox.filters import EventFilter, Params, first, parse_limit, parse_sort_order, parse_window, window_us
from auditbot.sandbox.responses import problem
from auditbot.sandbox.store import RETENTION_US, EventIndex, IndexedEvent, dumps

EVENTS_LIMIT = 30
STREAM_LIMIT = 200


@dataclass(frozen=True)
class PageContext:
    """Everything an endpoint needs to answer one request."""

    org_id: str
    params: Params
    index: EventIndex
    now_us: int
    codec: CursorCodec
    base_url: str
    """Scheme and host the request came to, for ``links``."""
    self_url: str


def list_events(ctx: PageContext) -> bytes:
    """``GET /v1/orgs/{orgId}/events``."""
    token = first(ctx.params, "cursor")
    limit = parse_limit(ctx.params)
    after: tuple[int, str] | None = None
    if token:
        state = ctx.codec.decode(token, "events")
        try:
            query = EventFilter.from_json(state.filters)
        except (TypeError, ValueError) as error:
            raise problem("ADMIN-400-1", "The cursor is invalid: its query could not be read.") from error
        after, limit = state.key, limit or state.limit
    else:
        query = EventFilter.from_params(ctx.params)
    limit = limit or EVENTS_LIMIT
    found = _newest_first(ctx, query, after, limit + 1)
    page, more = found[:limit], len(found) > limit
    cursor = None
    if more:
        cursor = ctx.codec.encode(CursorState("events", page[-1].time_key, limit, "desc", query.to_json()))
    return _page(ctx, "events", [e.page_json() for e in page], cursor, limit)


def stream_events(ctx: PageContext) -> bytes:
    """``GET /v1/orgs/{orgId}/events-stream``."""
    token = first(ctx.params, "cursor")
    limit = parse_limit(ctx.params)
    after: tuple[int, str] | None = None
    if token:
        state = ctx.codec.decode(token, "events-stream")
        start, end = state.filters.get("from"), state.filters.get("to")
        if state.order not in ("asc", "desc") or not all(isinstance(v, int | None) for v in (start, end)):
            raise problem("ADMIN-400-1", "The cursor is invalid: its query could not be read.")
        order, after, limit = state.order, state.key, limit or state.limit
    else:
        start, end = parse_window(ctx.params)
        order = parse_sort_order(ctx.params)
    limit = limit or STREAM_LIMIT
    page = _processed_order(ctx, order, (start, end), after, limit)
    cursor = None
    if page:
        window = {key: value for key, value in (("from", start), ("to", end)) if value is not None}
        cursor = ctx.codec.encode(CursorState("events-stream", page[-1].processed_key, limit, order, window))
    return _page(ctx, "events-stream", [e.stream_json() for e in page], cursor, limit)


def get_event(ctx: PageContext, event_id: str) -> bytes:
    """``GET /v1/orgs/{orgId}/events/{eventId}``."""
    event = ctx.index.get(event_id)
    if event is None or not event.visible(ctx.now_us):
        raise problem("ADMIN-404-4", f"No event with id {event_id!r} in this organization.")
    return b'{"data":' + event.page_json() + b"}"


def event_actions(actions: Sequence[Any]) -> bytes:
    """``GET /v1/orgs/{orgId}/event-actions``."""
    return dumps({"data": list(actions)})


def _newest_first(
    ctx: PageContext, query: EventFilter, after: tuple[int, str] | None, count: int
) -> list[IndexedEvent]:
    low, high = window_us(query.start_ms, query.end_ms)
    start = ctx.index.time_position((max(low, ctx.now_us - RETENTION_US), ""))
    stop = ctx.index.time_position((min(high, ctx.now_us + 1), ""))
    if after is not None:
        stop = min(stop, ctx.index.time_position(after))
    now_us = ctx.now_us
    if query.is_empty:
        return _collect(ctx.index.by_time, start, stop, lambda e: e.processed_us <= now_us, count, newest_first=True)
    keep: Callable[[IndexedEvent], bool] = lambda e: e.processed_us <= now_us and query.matches(e)  # noqa: E731
    return _collect(ctx.index.by_time, start, stop, keep, count, newest_first=True)


def _processed_order(
    ctx: PageContext, order: str, window: tuple[int | None, int | None], after: tuple[int, str] | None, count: int
) -> list[IndexedEvent]:
    low, high = window_us(*window)
    start = ctx.index.processed_position((low, ""))
    stop = ctx.index.processed_position((min(high, ctx.now_us + 1), ""))
    if after is not None and order == "asc":
        start = max(start, ctx.index.processed_position(after, after=True))
    elif after is not None:
        stop = min(stop, ctx.index.processed_position(after))
    oldest = ctx.now_us - RETENTION_US
    keep: Callable[[IndexedEvent], bool] = lambda e: e.time_us >= oldest  # noqa: E731
    return _collect(ctx.index.by_processed, start, stop, keep, count, newest_first=order == "desc")


def _collect(
    events: list[IndexedEvent],
    start: int,
    stop: int,
    keep: Callable[[IndexedEvent], bool],
    count: int,
    *,
    newest_first: bool,
) -> list[IndexedEvent]:
    """Up to ``count`` events of ``events[start:stop]`` that ``keep`` accepts, from the chosen end.

    Scans in slices with list comprehensions: several times faster than a per-event generator.
    """
    found: list[IndexedEvent] = []
    size = max(64, count + count // 4)
    while start < stop and len(found) < count:
        if newest_first:
            part = events[max(start, stop - size) : stop]
            part.reverse()
            stop -= len(part)
        else:
            part = events[start : min(stop, start + size)]
            start += len(part)
        found += [event for event in part if keep(event)]
    return found[:count]


def _page(ctx: PageContext, endpoint: str, items: list[bytes], cursor: str | None, limit: int) -> bytes:
    meta = {"next": cursor, "page_size": limit}
    links: dict[str, str] = {}
    if cursor is not None:
        next_url = f"{ctx.base_url}/admin/v1/orgs/{ctx.org_id}/{endpoint}?cursor={quote(cursor, safe='')}"
        links = {"self": ctx.self_url, "next": next_url}
    parts = [b'{"data":[']
    for item in items:
        parts += (item, b",")
    if items:
        parts.pop()
    parts += (b'],"meta":', dumps(meta), b',"links":', dumps(links), b"}")
    return b"".join(parts)  # one join of every piece: a single copy of the page
