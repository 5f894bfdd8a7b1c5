"""Subscribing a channel to the audit log: checking an alert query, and the dry run shown before subscribing.

An alert query is an ordinary query (same language as search) that says *which* events, never
*when*: every new event that matches is posted as it arrives, so time terms are refused. What is
stored is the canonical text of the resolved query (action names become ids), as search uses.

The dry run counts how many events the query matched over the last seven days, through the
search service's own paging: it reads auditbot's copy of the log when search would (the copy
covers the window, is fresh, and the query has no free text), and the Admin API otherwise. The
copy is cheap to read, so more of it is counted; the API allows ten searches a minute, so only a
page or two is read and the count is then a lower bound ("at least N").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from auditbot.core.clock import Clock
from auditbot.core.paging import PageState
from auditbot.core.query import Query, parse
from auditbot.core.timespec import TimeWindow
from auditbot.services.catalog import CatalogSnapshot
from auditbot.services.plan import resolve
from auditbot.services.search import FoundEvent, ResultPage, SearchBusy, SearchService

DRY_RUN_DAYS = 7
NOISY_PER_DAY = 50
"""Above this many matches a day on average, a dry run warns that the subscription will be noisy."""
EXAMPLES = 3
COUNT_PAGE_SIZE = 500
LIVE_PAGES = 2
"""Result pages of 500 read from the Admin API at most (each costs one to a few of its ten requests a minute)."""
MIRROR_PAGES = 10
"""Result pages read from auditbot's copy of the log at most (each reads up to 20,000 stored events)."""


@dataclass(frozen=True, slots=True)
class DryRun:
    """What a subscription would have posted over the last days."""

    query: str
    """The canonical query text that would be stored."""
    window: TimeWindow
    count: int
    exact: bool
    """False when counting stopped early: ``count`` is then a lower bound."""
    examples: tuple[FoundEvent, ...]
    """The newest matches, newest first."""
    source: str
    """``"live"`` (the Admin API) or ``"mirror"`` (auditbot's copy of the log)."""
    notes: tuple[str, ...] = ()

    @property
    def days(self) -> float:
        return max(self.window.end - self.window.start, timedelta(hours=1)) / timedelta(days=1)

    @property
    def per_day(self) -> float:
        return self.count / self.days

    @property
    def noisy(self) -> bool:
        return self.per_day > NOISY_PER_DAY


def alert_query(text: str, snapshot: CatalogSnapshot) -> Query:
    """``text`` read as an alert query and resolved against the action catalog.

    Raises ``QueryError`` (pointing at the term) when it does not parse, names an unknown action or
    group, or has a time term. ``.canonical`` of the result is the text to store.
    """
    query = parse(text)
    for term, spec in (("since", query.since), ("until", query.until)):
        if spec is not None:
            typed = f"since:{spec}" if term == "since" else f"until:{spec}"
            raise query.error_at(
                term,
                spec,
                f"An alert query says which events, not when ({typed})",
                hint=f"Remove {typed}: every new event that matches is posted as it arrives.",
                suggestions=[without] if (without := _without_time(query)) else (),
            )
    return resolve(query, snapshot).query


def _without_time(query: Query) -> str:
    return query.replace(since=None, until=None).canonical


class SubscribeService:
    """Checks alert queries and runs the dry run, over the search service (and so its mirror and budget)."""

    def __init__(
        self,
        search: SearchService,
        clock: Clock,
        *,
        days: int = DRY_RUN_DAYS,
        page_size: int = COUNT_PAGE_SIZE,
        live_pages: int = LIVE_PAGES,
        mirror_pages: int = MIRROR_PAGES,
    ) -> None:
        self._search = search
        self._clock = clock
        self._window = timedelta(days=days)
        self._page_size = page_size
        self._pages = {"live": live_pages, "mirror": mirror_pages}

    def check(self, text: str) -> Query:
        """The resolved alert query for ``text`` (see ``alert_query``)."""
        return alert_query(text, self._search.catalog.snapshot())

    def dry_run(self, text: str | Query, *, tz: ZoneInfo) -> DryRun:
        """How many events the alert query matched over the last days, and the newest few.

        ``SearchBusy`` when the Admin API's budget is spent before anything could be counted.
        """
        query = self.check(text) if isinstance(text, str) else text
        window = query.window(self._clock.now(), tz, default=self._window)
        state = PageState(query.canonical, window.start, window.end)
        page = self._search.open_page(self._search.codec.encode(state), page_size=self._page_size, summarize=False)
        first = page
        count, pages = len(page.events), 1
        limit = self._pages.get(page.source, self._pages["live"])
        while page.next_state is not None and pages < limit:
            try:
                page = self._search.open_page(page.next_state, page_size=self._page_size, summarize=False)
            except SearchBusy:
                break
            count += len(page.events)
            pages += 1
        return DryRun(
            query=query.canonical,
            window=window,
            count=count,
            exact=page.next_state is None,
            examples=first.events[:EXAMPLES],
            source=first.source,
            notes=_notes(first),
        )


def _notes(page: ResultPage) -> tuple[str, ...]:
    return tuple(note for note in (page.source_note, *page.notes) if note)
