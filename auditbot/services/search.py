"""Search: the one use case behind ``/audit``, its buttons, the shortcuts and ``auditbot search``.

A query is resolved against the action catalog, then split between the API and us: the API
filters what it can (one action, actors, exact IPs, products, locations, free text, the
window), and we filter the rest (several actions, groups, exclusions, CIDR ranges) while
paging, until the page is full or the scan budget is spent. Where each page starts travels in
a signed page state, so Next and Prev need nothing stored. API pages are cached briefly, so
going back costs no request. When the rate budget is empty the answer is "busy, ready in N s".

With a ``MirrorSource``, a first page is read from auditbot's copy of the log instead when the
mirror covers the window, is fresh and the query has no free text; every term is then matched
here, no API call is spent, and the page says how fresh the copy is. A window that starts further
back than the API's 180 days is answered from the mirror only (free text included), saying which part
the copy does not hold when it starts later than the window. Its following pages
stay on the mirror (their cursors say so), and pages begun live stay live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from cachetools import TTLCache

from auditbot.core.clock import Clock
from auditbot.core.errors import ApiRateLimited, AuditbotError
from auditbot.core.match import ALL_TERMS, Check, Criteria, text_check
from auditbot.core.model import AuditEvent, EventPage
from auditbot.core.paging import PageState, PageStateCodec, PageStateError, Position
from auditbot.core.ports import EventFilters
from auditbot.core.query import Query, parse
from auditbot.core.querysyntax import QueryError
from auditbot.core.timespec import TimeWindow
from auditbot.services.catalog import ActionCatalog, CatalogSnapshot
from auditbot.services.merge import scan_merged
from auditbot.services.mirror_source import (
    MirrorSource,
    MirrorStatus,
    behind_note,
    beyond_api,
    is_mirror_cursor,
    mirror_usable,
    scan_mirror,
    uncovered_note,
)
from auditbot.services.plan import Plan, plan_search, resolve
from auditbot.services.result_summary import MirrorCounter, ResultSummary, Summarizer

API_PAGE_LIMIT = 500
MIRROR_SCAN_ROWS = 20_000
"""Mirror rows read at most for one result page (about 0.2 s), like ``max_api_pages`` for the API."""


class EventLister(Protocol):
    """The part of ``AuditLogApi`` search needs."""

    def list_events(
        self,
        filters: EventFilters | None = None,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        max_wait: float | None = None,
    ) -> EventPage: ...


class SearchBusy(AuditbotError):
    """The Admin API's rate budget is spent; ``retry_after`` seconds until a search can run."""

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, round(retry_after))
        super().__init__(
            f"auditbot is busy: the Admin API allows 10 searches a minute. Ready in {seconds} s.",
            hint="Try again then, or narrow the time window so fewer pages are needed.",
        )
        self.retry_after = float(seconds)


@dataclass(frozen=True, slots=True)
class FoundEvent:
    event: AuditEvent
    action_name: str


@dataclass(frozen=True, slots=True)
class ResultPage:
    """One page of results and everything a surface needs to show it and page on."""

    events: tuple[FoundEvent, ...]
    query: str
    """Canonical query text."""
    window: TimeWindow
    page: int
    state: str
    """This page's own state (to refresh, share or export it)."""
    next_state: str | None
    prev_state: str | None
    first_state: str | None
    scanned: int
    """Events read from the API to fill this page."""
    partial: bool
    """The page stopped early (scan or rate budget spent); ``next_state`` continues the scan."""
    retry_after: float | None = None
    """Set when the rate budget stopped the scan: seconds until more can be read."""
    source: str = "live"
    """``"live"`` (the Admin API) or ``"mirror"`` (auditbot's copy of the log)."""
    source_note: str | None = None
    """How a page from the mirror names its source, with how fresh the copy is ("from auditbot's copy of
    the log, up to date"); ``None`` for a live page."""
    notes: tuple[str, ...] = ()
    """Things the person should know (a stale action catalog…)."""
    summary: ResultSummary | None = None
    """The whole result's total and busiest actors and addresses (``None`` when not asked for)."""


class SearchService:
    def __init__(
        self,
        api: EventLister,
        catalog: ActionCatalog,
        codec: PageStateCodec,
        clock: Clock,
        *,
        page_size: int = 10,
        max_api_pages: int = 3,
        max_wait: float = 0.0,
        cache_seconds: float = 300.0,
        mirror: MirrorSource | None = None,
        org_id: str | None = None,
        freshness: timedelta = timedelta(minutes=2),
        max_mirror_rows: int = MIRROR_SCAN_ROWS,
        counter: MirrorCounter | None = None,
    ) -> None:
        if not 1 <= page_size <= API_PAGE_LIMIT:
            raise ValueError("page_size must be between 1 and 500")
        if mirror is not None and not org_id:
            raise ValueError("searching a mirror needs the org_id it is kept for")
        self._api = api
        self.catalog = catalog
        self.codec = codec
        self._clock = clock
        self.page_size = page_size
        self._max_api_pages = max_api_pages
        self._max_wait = max_wait
        self._mirror = mirror
        self._org_id = org_id or ""
        self._freshness = freshness
        self._max_mirror_rows = max_mirror_rows
        self._summarizer = Summarizer(codec, counter, self._org_id)
        self._pages: TTLCache[tuple[EventFilters, str | None, int], EventPage] = TTLCache(
            maxsize=256, ttl=cache_seconds, timer=clock.monotonic
        )

    def search(self, text: str | Query, *, tz: ZoneInfo) -> ResultPage:
        """The first page of a query typed by a person in time zone ``tz``."""
        query = parse(text) if isinstance(text, str) else text
        snapshot = self.catalog.snapshot()
        criteria = resolve(query, snapshot)
        window = query.window(self._clock.now(), tz)
        state = PageState(criteria.query.canonical, window.start, window.end)
        return self._run(state, criteria, snapshot)

    def open_page(
        self, value: str, *, page_size: int | None = None, max_wait: float | None = None, summarize: bool = True
    ) -> ResultPage:
        """The page a button's state value points at (``page_size``/``max_wait`` override the defaults;
        ``summarize=False`` skips the result's summary, for callers that read every page)."""
        state = self.codec.decode(value)
        try:
            query = parse(state.query)
        except QueryError:
            raise PageStateError("That button's query can no longer be read.", hint="Run the search again.") from None
        snapshot = self.catalog.snapshot()
        return self._run(state, resolve(query, snapshot), snapshot, page_size, max_wait, summarize)

    def _run(
        self,
        state: PageState,
        criteria: Criteria,
        snapshot: CatalogSnapshot,
        page_size: int | None = None,
        max_wait: float | None = None,
        summarize: bool = True,
    ) -> ResultPage:
        window = TimeWindow(state.start, state.end)
        size = page_size or self.page_size
        notes: tuple[str, ...] = (snapshot.problem,) if snapshot.stale and snapshot.problem else ()
        mirror, status = self._mirror_for(state, criteria, window)
        source_note = None
        if mirror is not None:
            scan = self._scan_mirror(mirror, criteria, window, state.position, size)
            status = status or mirror.status(self._org_id)
            uncovered = uncovered_note(status, window)
            source_note = behind_note(status, self._clock.now(), self._freshness)
            notes = (*((uncovered,) if uncovered else ()), *notes)
        else:
            plan = plan_search(criteria, window)
            scan = self._scan(plan, state.position, size, self._max_wait if max_wait is None else max_wait)
        next_state = self._encode(state.next(scan.next_position, len(scan.events))) if scan.next_position else None
        previous = state.previous()
        return ResultPage(
            events=tuple(FoundEvent(e, snapshot.get(e.action).display_name) for e in scan.events),
            query=state.query,
            window=window,
            page=state.page,
            state=self._encode(state),
            next_state=next_state,
            prev_state=self._encode(previous) if previous else None,
            first_state=self._encode(state.first()) if state.page > 1 else None,
            scanned=scan.scanned,
            partial=scan.partial,
            retry_after=scan.retry_after,
            source="live" if mirror is None else "mirror",
            source_note=source_note,
            notes=notes,
            summary=self._summarizer.summarize(
                state,
                criteria,
                scan.events,
                more=scan.next_position is not None,
                partial=scan.partial,
                mirror=mirror is not None,
            )
            if summarize
            else None,
        )

    def _mirror_for(
        self, state: PageState, criteria: Criteria, window: TimeWindow
    ) -> tuple[MirrorSource | None, MirrorStatus | None]:
        """The mirror when this page is read from it (pages begun there stay there, new ones go if it is
        usable), and its status when that was read to decide."""
        position = state.position
        if is_mirror_cursor(position.cursor):
            if self._mirror is None:
                raise PageStateError(
                    "That page came from auditbot's copy of the log, which is off now.", hint="Run the search again."
                )
            return self._mirror, None
        if self._mirror is None or position != Position():
            return None, None
        if beyond_api(window, self._clock.now()):
            return self._mirror, None  # the API does not reach back so far: the mirror answers what it holds
        if criteria.query.text:
            return None, None
        status = self._mirror.status(self._org_id)
        usable = mirror_usable(status, window, self._clock.now(), self._freshness)
        return (self._mirror, status) if usable else (None, None)

    def _scan_mirror(
        self, mirror: MirrorSource, criteria: Criteria, window: TimeWindow, position: Position, page_size: int
    ) -> _Scan:
        terms, text = criteria.check(ALL_TERMS), text_check(criteria.query.text)
        check: Check | None = terms if text is None else _both(terms, text)
        found = scan_mirror(
            mirror,
            self._org_id,
            window,
            check,
            position.cursor,
            page_size=page_size,
            max_rows=self._max_mirror_rows,
            criteria=criteria,
        )
        scan = _Scan()
        scan.events, scan.scanned, scan.partial = found.events, found.scanned, found.partial
        scan.next_position = Position(found.next_cursor) if found.next_cursor else None
        return scan

    def _encode(self, state: PageState) -> str:
        return self.codec.encode(state)

    def _scan(self, plan: Plan, position: Position, page_size: int, max_wait: float) -> _Scan:
        if plan.streams:
            return self._scan_merged(plan, position, page_size, max_wait)
        limit = page_size if plan.check is None else API_PAGE_LIMIT
        scan = _Scan()
        cursor, offset = position.cursor, position.offset
        for fetched in range(self._max_api_pages):
            try:
                api_page = self._fetch(plan.filters, cursor, limit, max_wait)
            except ApiRateLimited as exc:
                if fetched == 0:
                    raise SearchBusy(exc.retry_after) from None
                scan.stop(Position(cursor, offset), retry_after=exc.retry_after)
                return scan
            if scan.take(api_page, cursor, offset, plan.check, page_size):
                return scan
            cursor, offset = api_page.next_cursor, 0
            if cursor is None:
                return scan
        scan.stop(Position(cursor, 0))
        return scan

    def _scan_merged(self, plan: Plan, position: Position, page_size: int, max_wait: float) -> _Scan:
        try:
            found = scan_merged(
                lambda filters, cursor, limit: self._fetch(filters, cursor, limit, max_wait),
                plan.streams,
                position.cursor,
                plan.check,
                page_size=page_size,
                max_fetches=max(self._max_api_pages, len(plan.streams) + 2),
            )
        except ApiRateLimited as exc:
            raise SearchBusy(exc.retry_after) from None
        scan = _Scan()
        scan.events, scan.scanned, scan.partial, scan.retry_after = (
            found.events,
            found.scanned,
            found.partial,
            found.retry_after,
        )
        scan.next_position = Position(found.next_cursor) if found.next_cursor else None
        return scan

    def _fetch(self, filters: EventFilters, cursor: str | None, limit: int, max_wait: float) -> EventPage:
        key = (filters, cursor, limit)
        page = self._pages.get(key)
        if page is None:
            page = self._api.list_events(filters, cursor=cursor, limit=limit, max_wait=max_wait)
            self._pages[key] = page
        return page


def _both(first: Check | None, second: Check) -> Check:
    """Free text is matched here only on the mirror (live, the API matches it)."""
    if first is None:
        return second
    return lambda event: first(event) and second(event)


class _Scan:
    """The events found so far and where the next page starts."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []
        self.scanned = 0
        self.next_position: Position | None = None
        self.partial = False
        self.retry_after: float | None = None

    def take(self, page: EventPage, cursor: str | None, offset: int, check: Check | None, wanted: int) -> bool:
        """Read ``page`` from ``offset``; True when the result page is full."""
        items = page.data
        for index in range(offset, len(items)):
            event = items[index]
            self.scanned += 1
            if check is None or check(event):
                self.events.append(event)
                if len(self.events) == wanted:
                    if index + 1 < len(items):
                        self.next_position = Position(cursor, index + 1)
                    elif page.next_cursor:
                        self.next_position = Position(page.next_cursor, 0)
                    return True
        return False

    def stop(self, position: Position, *, retry_after: float | None = None) -> None:
        self.next_position = position
        self.partial = True
        self.retry_after = retry_after
