"""The summary a results page starts with: how many events, and the busiest actors and addresses to narrow to.

From the mirror the whole result is counted in SQL (``MirrorCounter``): the total is exact. Otherwise
(live from the Admin API, or a mirror query SQL cannot count) only what has been listed is known: the
events of the pages before (carried in the page state) and of this one. That is the exact total when
this is the last page, and "at least N" when more pages follow or the scan stopped early; a single page
holding the whole result is counted here, busiest actors and addresses included. Nothing is guessed.

Each named actor or address carries the signed page state of the same search narrowed to it
(``actor:<id>`` or ``ip:<address>`` in place of the query's own actors or addresses, the same window),
so a button can run it like Next runs the next page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from ipaddress import ip_address
from typing import Protocol

from auditbot.core.handoff import Tally
from auditbot.core.match import Criteria
from auditbot.core.model import AuditEvent
from auditbot.core.paging import PageState, PageStateCodec, PageStateError
from auditbot.core.query import Query, parse
from auditbot.core.querysyntax import QueryError
from auditbot.core.summary import TOP, ResultCounts, count_events
from auditbot.core.timespec import TimeWindow
from auditbot.services.mirror_source import api_bounds


class MirrorCounter(Protocol):
    """Counts a whole mirror result (``auditbot.store.mirror_summary.MirrorSummary``)."""

    def counts(
        self, org_id: str, start: datetime, end: datetime, criteria: Criteria, *, top: int = TOP
    ) -> ResultCounts | None:
        """Counts of the org's events with ``start <= time < end`` matching ``criteria``; ``None``: cannot."""


@dataclass(frozen=True, slots=True)
class Narrowing:
    """One busiest actor or address: how it is shown, how many events it has, and its narrowed search."""

    label: str
    count: int
    state: str | None
    """The signed page state of the search narrowed to it (``None``: it cannot be searched for alone)."""


@dataclass(frozen=True, slots=True)
class ResultSummary:
    total: int
    exact: bool
    """False: the result holds at least ``total`` events."""
    actors: tuple[Narrowing, ...] = ()
    ips: tuple[Narrowing, ...] = ()


class Summarizer:
    def __init__(self, codec: PageStateCodec, counter: MirrorCounter | None, org_id: str, *, top: int = TOP) -> None:
        self._codec = codec
        self._counter = counter
        self._org_id = org_id
        self._top = top

    def summarize(
        self,
        state: PageState,
        criteria: Criteria,
        events: Sequence[AuditEvent],
        *,
        more: bool,
        partial: bool,
        mirror: bool,
    ) -> ResultSummary:
        """The summary of the result ``state``'s page belongs to; ``events`` are the page's, ``more``: a next
        page exists, ``partial``: the scan stopped early, ``mirror``: the page was read from the mirror."""
        if mirror and self._counter is not None:
            start, end = api_bounds(TimeWindow(state.start, state.end))
            counted = self._counter.counts(self._org_id, start, end, criteria, top=self._top)
            if counted is not None:
                return self._named(counted, state)
        complete = not more and not partial
        if complete and state.page == 1:
            return self._named(count_events(events, self._top), state)
        listed = state.position.listed + len(events)
        # A page state from before counts were carried reads as 0 listed: then only a lower bound is known.
        known = state.page == 1 or state.position.listed > 0
        return ResultSummary(listed, exact=complete and known)

    def _named(self, counted: ResultCounts, state: PageState) -> ResultSummary:
        try:
            query = parse(state.query)
        except QueryError:
            query = None
        return ResultSummary(
            counted.total,
            exact=True,
            actors=tuple(self._narrowing(t, state, query, "actors") for t in counted.actors),
            ips=tuple(self._narrowing(t, state, query, "ips") for t in counted.ips),
        )

    def _narrowing(self, tally: Tally, state: PageState, query: Query | None, field: str) -> Narrowing:
        return Narrowing(tally.label, tally.count, self._narrowed(tally.key, state, query, field))

    def _narrowed(self, key: str, state: PageState, query: Query | None, field: str) -> str | None:
        if query is None:
            return None
        try:
            value = ip_address(key) if field == "ips" else key
            narrowed = query.replace(**{field: (value,)})
        except (ValueError, TypeError):
            return None  # an address that does not parse, an id the grammar cannot hold
        if narrowed.canonical == query.canonical:
            return None
        try:
            return self._codec.encode(PageState(narrowed.canonical, state.start, state.end))
        except PageStateError:
            return None
