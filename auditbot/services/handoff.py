"""The on-call handoff: what happened in the audit log during a shift, and what still needs attention.

``HandoffService.handoff`` reads a window (the last 12 hours by default) with optional filters and
adds up: totals and the change against the window of the same length before it, counts by action
group and the busiest actions and actors, what is new for the org (actors, IP addresses and
countries not seen in the 30 days before), the events of risky actions and bursts of failed logins,
the alerts still open (unassigned first) and those resolved in the window by reason, the snoozes running,
how far behind the mirror is and the API budget left.

Where the numbers come from:

* the **mirror**, when it covers the window and the baseline: GROUP BYs in SQL (``HandoffCountSource``),
  or, for filters SQL cannot express (CIDR ranges, products, places, free text), the window's events
  read from the mirror and counted here, with the baseline still from SQL;
* otherwise the **Admin API**: the window's pages, while the rate budget lasts. Then the digest says
  it is partial if the budget ran out, and leaves out what is new (no baseline without the mirror)
  and the change against the previous window (that would cost as much again).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from auditbot.core.clock import Clock
from auditbot.core.errors import ApiRateLimited
from auditbot.core.handoff import RISKY_ACTIONS, Aggregates, EventTally, NeedsScan, Seen, Tally, shift_before
from auditbot.core.match import Criteria, text_check
from auditbot.core.model import AuditEvent
from auditbot.core.ports import AuditLogApi
from auditbot.core.query import Query, parse
from auditbot.core.timespec import TimeWindow
from auditbot.core.triage import Reason
from auditbot.services.catalog import ActionCatalog
from auditbot.services.mirror_source import MirrorStatus, beyond_api, mirror_freshness, mirror_usable, uncovered_note
from auditbot.services.plan import plan_search, resolve

logger = logging.getLogger(__name__)

DEFAULT_SHIFT = timedelta(hours=12)
BASELINE = timedelta(days=30)
API_PAGE = 500
MAX_API_PAGES = 20
MIRROR_PAGE = 1000


class HandoffCountSource(Protocol):
    """Aggregation over the mirror (``auditbot.store.handoff_counts.HandoffCounts``)."""

    def aggregate(
        self,
        org_id: str,
        start: datetime,
        end: datetime,
        *,
        criteria: Criteria | None = None,
        baseline_start: datetime | None = None,
    ) -> Aggregates: ...

    def total(self, org_id: str, start: datetime, end: datetime, *, criteria: Criteria | None = None) -> int: ...

    def seen(self, org_id: str, baseline_start: datetime, start: datetime) -> Seen: ...


class MirrorReader(Protocol):
    def status(self, org_id: str) -> MirrorStatus | None: ...

    def page(
        self, org_id: str, start: datetime, end: datetime, *, limit: int, before: tuple[datetime, str] | None = None
    ) -> list[AuditEvent]: ...


@dataclass(frozen=True, slots=True)
class OpenAlert:
    """A delivered alert not resolved yet (with triage state; without it, one nobody acknowledged)."""

    channel_id: str
    event_id: str
    subscription_id: str
    message_ts: str | None
    assignee: str | None = None
    """Who it is assigned to; None: unassigned."""


@dataclass(frozen=True, slots=True)
class RunningSnooze:
    subscription_id: str
    actor: str
    action: str
    until: datetime
    subscription: str = ""
    """The subscription's title (its name, else its query in words); empty when it is gone."""


class AlertState(Protocol):
    """What the alert channels still hold: open alerts and running snoozes, and what was resolved."""

    def open_alerts(self, team_id: str, since: datetime) -> Sequence[OpenAlert]: ...

    def resolved_between(self, team_id: str, start: datetime, end: datetime) -> Mapping[Reason, int]:
        """How many alerts were resolved in ``[start, end)``, by reason."""
        ...

    def snoozes(self, team_id: str) -> Sequence[RunningSnooze]: ...


@dataclass(frozen=True, slots=True)
class Handoff:
    """Everything the digest shows."""

    window: TimeWindow
    query: str
    """The canonical filter text ("" for everything)."""
    aggregates: Aggregates
    previous_total: int | None
    """The window of the same length before, or None when it was not counted (read live)."""
    action_names: dict[str, str]
    groups: tuple[Tally, ...]
    source: str
    """``"mirror"`` or ``"live"``."""
    open_alerts: tuple[OpenAlert, ...] = ()
    resolved: tuple[tuple[Reason, int], ...] = ()
    """Alerts resolved in the window, by reason, most first."""
    snoozes: tuple[RunningSnooze, ...] = ()
    mirror_state: str | None = None
    """How fresh auditbot's copy of the log is (``"up to date"``, ``"3 min behind"``); ``None``: no copy."""
    baseline_days: int = BASELINE.days
    """What "new for the org" is measured against: the days before the window (fewer when the copy of
    the log starts later)."""
    budget_note: str | None = None
    notes: tuple[str, ...] = field(default=())
    risky: dict[str, str] = field(default_factory=lambda: dict(RISKY_ACTIONS))

    @property
    def quiet(self) -> bool:
        a = self.aggregates
        return a.total == 0 and not self.open_alerts


class HandoffService:
    def __init__(
        self,
        api: AuditLogApi,
        catalog: ActionCatalog,
        clock: Clock,
        *,
        org_id: str,
        digest: HandoffCountSource | None = None,
        mirror: MirrorReader | None = None,
        alerts: AlertState | None = None,
        freshness: timedelta = timedelta(minutes=2),
        budget_note: Callable[[], str | None] | None = None,
        max_api_pages: int = MAX_API_PAGES,
    ) -> None:
        self._api = api
        self.catalog = catalog
        self._clock = clock
        self._org_id = org_id
        self._digest = digest
        self._mirror = mirror
        self._alerts = alerts
        self._freshness = freshness
        self._budget_note = budget_note
        self._max_api_pages = max_api_pages

    def parse(self, text: str) -> Query:
        """The handoff's query: ``12h`` alone means the last 12 hours; any other terms are search terms."""
        words = text.split()
        if words and words[0][:-1].isdigit() and words[0][-1:].lower() in {"h", "d", "m"}:
            words[0] = f"last:{words[0]}"
        return parse(" ".join(words))

    def handoff(self, text: str | Query, *, tz: ZoneInfo, team_id: str = "") -> Handoff:
        query = self.parse(text) if isinstance(text, str) else text
        window = query.window(self._clock.now(), tz, default=DEFAULT_SHIFT)
        return self.handoff_window(query, window, team_id=team_id)

    def handoff_window(self, query: Query, window: TimeWindow, *, team_id: str = "") -> Handoff:
        """The digest of ``[window.start, window.end)`` for ``query``'s filters (its time terms ignored)."""
        filters = replace(query, since=None, until=None, spans=(), source=None)
        snapshot = self.catalog.snapshot()
        criteria = resolve(filters, snapshot)
        notes: list[str] = []
        status = self._mirror.status(self._org_id) if self._mirror is not None else None
        aggregates, previous, source, baseline_days = self._count(criteria, window, status, notes)
        groups: Counter[str] = Counter()
        for tally in aggregates.by_action:
            groups[snapshot.get(tally.key).group or "Other"] += tally.count
        open_alerts: tuple[OpenAlert, ...] = ()
        snoozes: tuple[RunningSnooze, ...] = ()
        resolved: tuple[tuple[Reason, int], ...] = ()
        if self._alerts is not None and team_id:
            open_alerts = tuple(self._alerts.open_alerts(team_id, window.start))
            by_reason = self._alerts.resolved_between(team_id, window.start, window.end)
            resolved = tuple(sorted(((r, n) for r, n in by_reason.items() if n), key=lambda i: (-i[1], i[0].label)))
            snoozes = tuple(self._alerts.snoozes(team_id))
        # One name per action: the catalog's, for every action the digest names (the searches it opens agree).
        named = {t.key for t in aggregates.by_action} | {e.action for e in aggregates.notable}
        names = {key: snapshot.get(key).display_name for key in sorted(named | {s.action for s in snoozes})}
        state = mirror_freshness(status, self._clock.now(), self._freshness).text() if self._mirror else None
        return Handoff(
            window=window,
            query=filters.canonical,
            aggregates=aggregates,
            previous_total=previous,
            action_names=names,
            groups=tuple(Tally(g, g, n) for g, n in sorted(groups.items(), key=lambda i: (-i[1], i[0]))),
            source=source,
            open_alerts=open_alerts,
            resolved=resolved,
            snoozes=snoozes,
            mirror_state=state,
            baseline_days=baseline_days,
            budget_note=self._budget_note() if self._budget_note else None,
            notes=tuple(notes),
        )

    # -- where the numbers come from -------------------------------------------------------

    def _count(
        self, criteria: Criteria, window: TimeWindow, status: MirrorStatus | None, notes: list[str]
    ) -> tuple[Aggregates, int | None, str, int]:
        """The numbers, the previous shift's total when known, where from (``"mirror"`` or ``"live"``) and the
        days "new" is measured against.
        The mirror answers when it covers this shift and the one before (``status``: read once per digest)."""
        before = TimeWindow(*shift_before(window.start, window.end))
        baseline_start = window.start - BASELINE
        now = self._clock.now()
        covers = mirror_usable(status, TimeWindow(before.start, window.end), now, self._freshness)
        if beyond_api(window, now) and self._digest is not None and status is not None:
            covers = True  # the API does not reach back so far: the mirror answers what it holds
            if uncovered := uncovered_note(status, window):
                notes.append(uncovered)
        if covers and status is not None and self._digest is not None:
            covered = status.covered_from
            baseline = max(baseline_start, covered) if covered else baseline_start
            days = max(0, (window.start - baseline).days)
            if baseline > baseline_start:
                notes.append(f"auditbot's copy of the log holds only {days} days before this shift.")
            filtered = criteria if criteria.query.canonical else None  # nothing to filter: count every event
            try:
                aggregates = self._digest.aggregate(
                    self._org_id, window.start, window.end, criteria=filtered, baseline_start=baseline
                )
                previous = self._digest.total(self._org_id, before.start, before.end, criteria=filtered)
            except NeedsScan:
                seen = self._digest.seen(self._org_id, baseline, window.start)
                aggregates = self._scan_mirror(criteria, window, seen)
                previous = self._scan_mirror(criteria, before, None).total
            return aggregates, previous, "mirror", days
        return self._live(criteria, window, notes), None, "live", BASELINE.days

    def _scan_mirror(self, criteria: Criteria, window: TimeWindow, seen: Seen | None) -> Aggregates:
        tally = EventTally(seen=seen)
        text = text_check(criteria.query.text)  # read from the mirror: no API to leave free text to
        tally.add(e for e in self._mirror_events(window) if criteria.matches(e) and (text is None or text(e)))
        return tally.result()

    def _mirror_events(self, window: TimeWindow) -> Iterator[AuditEvent]:
        assert self._mirror is not None
        before: tuple[datetime, str] | None = None
        while True:
            page = self._mirror.page(self._org_id, window.start, window.end, limit=MIRROR_PAGE, before=before)
            yield from page
            if len(page) < MIRROR_PAGE:
                return
            before = (page[-1].attributes.time, page[-1].id)

    def _live(self, criteria: Criteria, window: TimeWindow, notes: list[str]) -> Aggregates:
        plan = plan_search(criteria, window)
        filters = replace(plan.filters, action=None) if plan.streams else plan.filters
        check = criteria.matches if plan.streams else plan.check
        tally = EventTally(seen=None)
        cursor: str | None = None
        complete = True
        for _ in range(self._max_api_pages):
            try:
                page = self._api.list_events(filters, cursor=cursor, limit=API_PAGE, max_wait=0.0)
            except ApiRateLimited as limited:
                complete = False
                notes.append(
                    f"Partial: the Admin API's budget ran out after {tally.total} events "
                    f"(ready again in {max(1, round(limited.retry_after or 60))} s)."
                )
                break
            tally.add(e for e in page.data if check is None or check(e))
            cursor = page.next_cursor
            if cursor is None:
                break
        else:
            complete = False
            notes.append(f"Partial: read the first {self._max_api_pages * API_PAGE} events of the window.")
        notes.append("Read live from the Admin API: what is new for the org needs auditbot's copy of the log.")
        return tally.result(complete=complete)
