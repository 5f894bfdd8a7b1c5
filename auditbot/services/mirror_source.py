"""Searching auditbot's own copy of the audit log: what search needs from the mirror, and when it may use it.

``MirrorSource`` is implemented in ``auditbot.store.mirror_search`` over the event mirror and the
stream cursors. Search uses the mirror for a query only when ``mirror_usable`` says so: the mirror
holds the whole window, its reader wrote recently (so it is caught up with the stream), and the
query has no free text (the API's ``q`` matching is undocumented, so only the API can answer it).

A position in the mirror travels in the ordinary page state as a cursor string
``m:<epoch microseconds>:<event id>``: the (time, id) key of the last event the page before
showed or read, the next page starting just after it. ``m:`` alone is the start of the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from auditbot.core.clock import from_epoch_ms
from auditbot.core.match import Check
from auditbot.core.model import AuditEvent
from auditbot.core.timespec import TimeWindow, duration_text

MIRROR_PREFIX = "m:"
_EPOCH = from_epoch_ms(0)
_MS = timedelta(milliseconds=1)
_CHUNK = 500


class MirrorStatus(Protocol):
    """How much of an org's log the mirror holds, and how current it is."""

    @property
    def covered_from(self) -> datetime | None:
        """The mirror holds every event from this time on; ``None``: unknown (treated as nothing)."""

    @property
    def newest_processed_at(self) -> datetime | None:
        """The newest ``processedAt`` the stream reader has stored."""

    @property
    def updated_at(self) -> datetime:
        """When the stream reader last committed a page (an empty poll counts)."""


class MirrorSource(Protocol):
    """The read side of the event mirror, per org."""

    def status(self, org_id: str) -> MirrorStatus | None:
        """The org's mirror status; ``None`` while nothing has been mirrored."""

    def page(
        self,
        org_id: str,
        start: datetime,
        end: datetime,
        *,
        limit: int,
        before: tuple[datetime, str] | None = None,
    ) -> list[AuditEvent]:
        """Events with ``start <= time < end`` and (time, id) below ``before``, newest first, at most ``limit``."""


def api_bounds(window: TimeWindow) -> tuple[datetime, datetime]:
    """The half-open range of event times the API answers for ``window``.

    The API takes ``from``/``to`` in whole milliseconds, both inclusive, so it answers
    ``[floor_ms(start), floor_ms(end) + 1 ms)``; the mirror reads exactly that range.
    """
    start = _EPOCH + (window.start - _EPOCH) // _MS * _MS
    end = _EPOCH + ((window.end - _EPOCH) // _MS + 1) * _MS
    return start, end


def mirror_usable(status: MirrorStatus | None, window: TimeWindow, now: datetime, freshness: timedelta) -> bool:
    """Whether the mirror covers ``window``: it starts early enough, its reader wrote within ``freshness``
    of ``now``, and it holds events processed up to the window's end (less ``freshness``).

    The last rule keeps a mirror that is still backfilling (written to a moment ago, but only up to
    last week) from answering for today. In a quiet org it sends searches live more often than needed.
    """
    if status is None or status.covered_from is None or status.newest_processed_at is None:
        return False
    reaches = status.newest_processed_at >= min(window.end, now) - freshness
    return reaches and status.covered_from <= api_bounds(window)[0] and now - status.updated_at <= freshness


def behind_note(status: MirrorStatus | None, now: datetime) -> str:
    """``"from auditbot's copy of the log, 40 s behind"`` (behind: now minus the newest ``processedAt``)."""
    newest = status.newest_processed_at if status else None
    if newest is None:
        return "from auditbot's copy of the log"
    return f"from auditbot's copy of the log, {duration_text(now - newest)} behind"


def is_mirror_cursor(cursor: str | None) -> bool:
    return cursor is not None and cursor.startswith(MIRROR_PREFIX)


def encode_key(key: tuple[datetime, str] | None) -> str:
    """A mirror cursor for the position just after ``key`` (``None``: the start of the window)."""
    if key is None:
        return MIRROR_PREFIX
    when, event_id = key
    return f"{MIRROR_PREFIX}{(when - _EPOCH) // timedelta(microseconds=1)}:{event_id}"


def decode_key(cursor: str) -> tuple[datetime, str] | None:
    """The (time, id) key a mirror cursor holds; ``ValueError`` when it is not one."""
    if not cursor.startswith(MIRROR_PREFIX):
        raise ValueError("not a mirror cursor")
    rest = cursor[len(MIRROR_PREFIX) :]
    if not rest:
        return None
    micros, sep, event_id = rest.partition(":")
    if not sep or not event_id:
        raise ValueError("a mirror cursor needs a time and an event id")
    return _EPOCH + timedelta(microseconds=int(micros)), event_id


@dataclass(frozen=True, slots=True)
class MirrorScan:
    """One result page read from the mirror, and where the next one starts (a mirror cursor)."""

    events: list[AuditEvent]
    scanned: int
    next_cursor: str | None
    partial: bool


def scan_mirror(
    source: MirrorSource,
    org_id: str,
    window: TimeWindow,
    check: Check | None,
    cursor: str | None,
    *,
    page_size: int,
    max_rows: int,
) -> MirrorScan:
    """Up to ``page_size`` events of ``window`` passing ``check``, newest first, from the position ``cursor``.

    Reads the mirror by keyset in chunks growing from ``page_size + 1`` to 500; stops early
    (``partial``) after ``max_rows`` rows.
    """
    start, end = api_bounds(window)
    key = decode_key(cursor) if cursor else None
    chunk = page_size + 1
    found: list[AuditEvent] = []
    scanned = 0
    while True:
        limit = max(1, min(chunk, max_rows - scanned))
        rows = source.page(org_id, start, end, limit=limit, before=key)
        for index, event in enumerate(rows):
            scanned += 1
            key = (event.time, event.id)
            if check is not None and not check(event):
                continue
            found.append(event)
            if len(found) == page_size:
                more = index + 1 < len(rows) or (
                    len(rows) == limit and bool(source.page(org_id, start, end, limit=1, before=key))
                )
                return MirrorScan(found, scanned, encode_key(key) if more else None, partial=False)
        if len(rows) < limit:
            return MirrorScan(found, scanned, None, partial=False)
        chunk = min(chunk * 4, _CHUNK)  # a selective query: read on in growing chunks
        if scanned >= max_rows:
            return MirrorScan(found, scanned, encode_key(key), partial=True)
