"""Searching auditbot's own copy of the audit log: what search needs from the mirror, and when it may use it.

``MirrorSource`` is implemented in ``auditbot.store.mirror_search`` over the event mirror and the
stream cursors. Search uses the mirror for a query only when ``mirror_usable`` says so: the mirror
holds the whole window and is fresh (``mirror_freshness``), and the query has no free text (the API's
``q`` matching is undocumented, so only the API can answer it).

Fresh means the stream reader read ``/events-stream`` to its end within the freshness limit, not that
the newest event is recent: an org where nothing happened for an hour is up to date as long as
ingest keeps reading to the end. ``mirror_freshness`` is the one rule every surface uses to say how far
behind the copy is (search results, App Home, the handoff, ``/readyz``, the dry run). A mirror that
has never read to the end (its first backfill is running), whose last pass failed after it last read
to the end, or whose read-to-end time lies ahead of the clock (the clock jumped back) is not fresh.

A position in the mirror travels in the ordinary page state as a cursor string
``m:<epoch microseconds>:<event id>``: the (time, id) key of the last event the page before
showed or read, the next page starting just after it. ``m:`` alone is the start of the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from auditbot.core.clock import from_epoch_ms
from auditbot.core.match import Check, Criteria
from auditbot.core.model import AuditEvent
from auditbot.core.timespec import TimeWindow, duration_text

MIRROR_PREFIX = "m:"
_EPOCH = from_epoch_ms(0)
_MS = timedelta(milliseconds=1)
_CHUNK = 500


API_DAYS = 180
"""How far back the Admin API answers; windows starting earlier are answered from the mirror only."""
CLOCK_SKEW = timedelta(seconds=30)
"""A read-to-end time up to this far ahead of the clock is skew between replicas, not a clock jump."""


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
        """When the stream reader last wrote its cursor row."""

    @property
    def read_to_end_at(self) -> datetime | None:
        """When the stream reader last read ``/events-stream`` to its end (``None``: never)."""

    @property
    def failed_at(self) -> datetime | None:
        """When a pass of the stream reader last failed (``None``: never)."""


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
        criteria: Criteria | None = None,
    ) -> list[AuditEvent]:
        """Events with ``start <= time < end`` and (time, id) below ``before``, newest first, at most ``limit``;
        with ``criteria``, the source may leave out events that cannot match them (never one that can)."""


def api_bounds(window: TimeWindow) -> tuple[datetime, datetime]:
    """The half-open range of event times the API answers for ``window``.

    The API takes ``from``/``to`` in whole milliseconds, both inclusive, so it answers
    ``[floor_ms(start), floor_ms(end) + 1 ms)``; the mirror reads exactly that range.
    """
    start = _EPOCH + (window.start - _EPOCH) // _MS * _MS
    end = _EPOCH + ((window.end - _EPOCH) // _MS + 1) * _MS
    return start, end


@dataclass(frozen=True, slots=True)
class Freshness:
    """How current the mirror is, by the one rule (``mirror_freshness``)."""

    fresh: bool
    behind: timedelta | None
    """Now minus the last read to the end; ``None`` when that says nothing (never read, clock jump)."""
    problem: str | None = None
    """Why the copy is not fresh, when it is not merely behind."""

    def text(self) -> str:
        """``"up to date"``, ``"3 min behind"``, or what is wrong."""
        if self.fresh:
            return "up to date"
        if self.problem is not None:
            return self.problem
        assert self.behind is not None
        return f"{duration_text(self.behind)} behind"


def mirror_freshness(status: MirrorStatus | None, now: datetime, limit: timedelta) -> Freshness:
    """The mirror is fresh when it last read the stream to its end within ``limit`` of ``now``, no pass
    failed since, and that time is not ahead of ``now`` (beyond ``CLOCK_SKEW``: the clock jumped back)."""
    if status is None or status.read_to_end_at is None:
        return Freshness(False, None, "still catching up: it has not read the audit log to its end yet")
    done = status.read_to_end_at
    if done - now > CLOCK_SKEW:
        return Freshness(False, None, "not trusted: the clock is behind its last update (did the clock jump?)")
    behind = max(timedelta(0), now - done)
    if status.failed_at is not None and status.failed_at >= done:
        return Freshness(False, behind, f"{duration_text(behind)} behind: its last update failed")
    return Freshness(behind <= limit, behind)


def beyond_api(window: TimeWindow, now: datetime) -> bool:
    """Whether the window starts earlier than the Admin API answers (180 days before ``now``)."""
    return window.start < now - timedelta(days=API_DAYS)


def mirror_usable(status: MirrorStatus | None, window: TimeWindow, now: datetime, limit: timedelta) -> bool:
    """Whether the mirror may answer for ``window``: it holds the window's start and is fresh."""
    if status is None or status.covered_from is None or status.covered_from > api_bounds(window)[0]:
        return False
    return mirror_freshness(status, now, limit).fresh


def uncovered_note(status: MirrorStatus | None, window: TimeWindow) -> str | None:
    """What a mirror-only answer leaves out: ``"the copy starts on 2026-03-01; …"`` when it starts later."""
    covered = status.covered_from if status is not None else None
    if covered is None:
        return "auditbot's copy of the log holds nothing for this window yet; the Admin API keeps only 180 days."
    if covered <= api_bounds(window)[0]:
        return None
    return f"The copy starts on {covered:%Y-%m-%d}; earlier events are not available (the Admin API keeps 180 days)."


def behind_note(status: MirrorStatus | None, now: datetime, limit: timedelta) -> str:
    """``"from auditbot's copy of the log, up to date"`` (or how far behind it is, by ``mirror_freshness``)."""
    return f"from auditbot's copy of the log, {mirror_freshness(status, now, limit).text()}"


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


def _next_chunk(chunk: int, missing: int, scanned: int, kept: int) -> int:
    """How many rows to read next: enough for the ``missing`` events and one more (whether more follow) at the
    share of rows kept so far, with a margin; when none was kept, four times the last chunk. At most ``_CHUNK``."""
    if kept == 0:
        return min(chunk * 4, _CHUNK)
    wanted = math.ceil((missing + 1) * scanned / kept * 1.25)
    return max(1, min(wanted, chunk * 4, _CHUNK))


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
    criteria: Criteria | None = None,
) -> MirrorScan:
    """Up to ``page_size`` events of ``window`` passing ``check``, newest first, from the position ``cursor``.

    Reads the mirror by keyset, ``page_size + 1`` rows first, then as many as the share of rows kept so far
    says the rest of the page needs (growing fourfold while none is kept, up to 500); stops early
    (``partial``) after ``max_rows`` rows.
    """
    start, end = api_bounds(window)
    key = decode_key(cursor) if cursor else None
    chunk = page_size + 1
    found: list[AuditEvent] = []
    scanned = 0
    while True:
        limit = max(1, min(chunk, max_rows - scanned))
        rows = source.page(org_id, start, end, limit=limit, before=key, criteria=criteria)
        for index, event in enumerate(rows):
            scanned += 1
            key = (event.time, event.id)
            if check is not None and not check(event):
                continue
            found.append(event)
            if len(found) == page_size:
                more = index + 1 < len(rows) or (
                    len(rows) == limit and bool(source.page(org_id, start, end, limit=1, before=key, criteria=criteria))
                )
                return MirrorScan(found, scanned, encode_key(key) if more else None, partial=False)
        if len(rows) < limit:
            return MirrorScan(found, scanned, None, partial=False)
        chunk = _next_chunk(chunk, page_size - len(found), scanned, len(found))
        if scanned >= max_rows:
            return MirrorScan(found, scanned, encode_key(key), partial=True)
