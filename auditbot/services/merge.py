"""Reading a few API streams at once, newest first: one per action, since the API filters one action
per request. A query for two rare actions then costs two requests rather than a scan of everything.

The position of a merged page is every stream's (cursor, offset), carried in the page state as one
cursor string ``k:<base64 JSON>``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from auditbot.core.errors import ApiRateLimited
from auditbot.core.match import Check
from auditbot.core.model import AuditEvent, EventPage
from auditbot.core.paging import PageStateError
from auditbot.core.ports import EventFilters

PREFIX = "k:"
STREAM_PAGE_LIMIT = 100

Fetch = Callable[[EventFilters, str | None, int], EventPage]


@dataclass
class _Stream:
    filters: EventFilters
    cursor: str | None = None
    offset: int = 0
    page: EventPage | None = None
    done: bool = False


@dataclass
class MergedScan:
    events: list[AuditEvent] = field(default_factory=list)
    scanned: int = 0
    next_cursor: str | None = None
    partial: bool = False
    retry_after: float | None = None


def encode(streams: Sequence[_Stream]) -> str | None:
    if all(s.done for s in streams):
        return None
    state = [[None if s.done else s.cursor, s.offset, s.done] for s in streams]
    return PREFIX + base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode()


def decode(cursor: str | None, streams: Sequence[EventFilters]) -> list[_Stream]:
    if cursor is None:
        return [_Stream(f) for f in streams]
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor.removeprefix(PREFIX).encode()))
        found = [_Stream(f, c, int(o), None, bool(d)) for f, (c, o, d) in zip(streams, state, strict=True)]
    except (ValueError, TypeError, binascii.Error):
        raise PageStateError("That button's position can no longer be read.", hint="Run the search again.") from None
    return found


def scan_merged(
    fetch: Fetch,
    filters: Sequence[EventFilters],
    cursor: str | None,
    check: Check | None,
    *,
    page_size: int,
    max_fetches: int,
) -> MergedScan:
    """Up to ``page_size`` matching events, newest first across ``filters``' streams."""
    streams = decode(cursor, filters)
    scan = MergedScan()
    fetches = 0
    while len(scan.events) < page_size:
        heads: list[tuple[AuditEvent, _Stream]] = []
        for stream in streams:
            while not stream.done and _head(stream) is None:
                if fetches >= max_fetches:
                    return _stop(scan, streams)
                try:
                    _load(stream, fetch)
                except ApiRateLimited as exc:
                    if fetches == 0 and not scan.scanned:
                        raise
                    return _stop(scan, streams, retry_after=exc.retry_after)
                fetches += 1
            head = _head(stream)
            if head is not None:
                heads.append((head, stream))
        if not heads:
            break
        event, stream = max(heads, key=lambda pair: (pair[0].time, pair[0].id))
        stream.offset += 1
        scan.scanned += 1
        if check is None or check(event):
            scan.events.append(event)
    scan.next_cursor = encode(streams)
    return scan


def _head(stream: _Stream) -> AuditEvent | None:
    if stream.page is None or stream.offset >= len(stream.page.data):
        return None
    return stream.page.data[stream.offset]


def _load(stream: _Stream, fetch: Fetch) -> None:
    """The stream's current page, or its next one when the current is used up."""
    if stream.page is not None:
        if stream.page.next_cursor is None:
            stream.done = True
            return
        stream.cursor, stream.offset = stream.page.next_cursor, 0
    stream.page = fetch(stream.filters, stream.cursor, STREAM_PAGE_LIMIT)
    if not stream.page.data and stream.page.next_cursor is None:
        stream.done = True


def _stop(scan: MergedScan, streams: Sequence[_Stream], *, retry_after: float | None = None) -> MergedScan:
    scan.partial = True
    scan.retry_after = retry_after
    scan.next_cursor = encode(streams)
    return scan
