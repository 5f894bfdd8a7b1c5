"""``/audit alerts``: a workspace's posted alerts with their triage state, newest first, a page at a time.

Three views: ``open`` (open or acknowledged), ``mine`` (assigned to the asker, not resolved) and
``resolved`` (with their reason). Two filters narrow them: a channel (``channel_id``) and filters in
the query language (``actor:`` ``action:`` ``group:`` ``ip:`` ``product:`` ``location:``, their
exclusions and free text), matched against each alert's event as alert matching does
(``core.match``); time terms are refused (the listing is by when alerts were posted). The channel and
the view are answered by the store; the filters need the events, so they are checked over the newest
``MAX_SCANNED`` alerts of the view only, and the page says so.

The first page pins the newest alert it could show (the outbox row that posted it); later pages read
up to it, so paging holds still while new alerts arrive. Page buttons carry that state signed (HMAC
over a secret and the scope ``alerts``), so an edited value is refused like a search's page button.
Wire form: ``a1.<signature>|<page>|<newest id>|<view>|<channel id>|<text, verbatim>``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from auditbot.core.errors import AuditbotError
from auditbot.core.match import Check, Criteria, text_check
from auditbot.core.model import AuditEvent
from auditbot.core.query import Query, parse
from auditbot.core.signed import SignedFields
from auditbot.core.triage import State, Triage
from auditbot.services.events import EventLookup

PAGE_SIZE = 10
MAX_SCANNED = 200
"""Alerts filters are checked over (their events are read one by one)."""
VIEWS: dict[str, tuple[State, ...]] = {
    "open": (State.OPEN, State.ACKNOWLEDGED),
    "mine": (State.OPEN, State.ACKNOWLEDGED),
    "resolved": (State.RESOLVED,),
}
"""Each view and the states it lists (``mine`` also needs the asker as assignee)."""
DEFAULT_VIEW = "open"
VERSION = "a1"
SCOPE = b"alerts"


class PostedTriageRecord(Protocol):
    """A posted alert and its state (``auditbot.store.alert_states.PostedTriage``)."""

    @property
    def posted_id(self) -> int: ...

    @property
    def channel_id(self) -> str: ...

    @property
    def event_id(self) -> str: ...

    @property
    def posted_at(self) -> datetime: ...

    @property
    def triage(self) -> Triage: ...


class PostedTriageRepo(Protocol):
    """Posted alerts joined with their states (``auditbot.store.alert_states.AlertStates.posted``)."""

    def posted(
        self,
        team_id: str,
        *,
        states: Collection[State],
        assignee: str | None = None,
        channel_id: str | None = None,
        up_to_id: int | None = None,
        limit: int,
        offset: int = 0,
    ) -> Collection[PostedTriageRecord]: ...


@dataclass(frozen=True, slots=True)
class ListedAlert:
    """One alert of a listing: where it was posted, its state and its event (None when unreadable now)."""

    channel_id: str
    event_id: str
    posted_at: datetime
    triage: Triage
    event: AuditEvent | None
    action_name: str


@dataclass(frozen=True, slots=True)
class AlertListState:
    view: str
    channel_id: str
    """"" for every channel."""
    text: str
    newest_id: int
    page: int = 1


@dataclass(frozen=True, slots=True)
class AlertListPage:
    view: str
    channel_id: str
    text: str
    alerts: list[ListedAlert]
    number: int
    next: str | None
    previous: str | None
    scanned: bool = False
    """True when a text filter was checked over the newest ``MAX_SCANNED`` alerts only."""


def read_view(args: str) -> tuple[str, str]:
    """The view the first word names (``open`` when it names none) and the words after it."""
    first, _, rest = args.strip().partition(" ")
    if first.casefold() in VIEWS:
        return first.casefold(), rest.strip()
    return DEFAULT_VIEW, args.strip()


class AlertListService:
    def __init__(
        self,
        repo: PostedTriageRepo,
        events: EventLookup,
        action_name: Callable[[str], str],
        criteria: Callable[[Query], Criteria],
        *,
        secret: bytes | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._repo = repo
        self._events = events
        self._action_name = action_name
        self._criteria = criteria
        self._codec = AlertPageCodec(secret)
        self._size = page_size

    def first_page(self, team_id: str, asker: str, view: str, *, channel_id: str = "", text: str = "") -> AlertListPage:
        """The newest alerts of ``view`` (``VIEWS``) posted in ``channel_id`` (all when "") whose events
        match the filters ``text``. Raises ``QueryError`` for filters that do not read."""
        if view not in VIEWS:
            raise AuditbotError(f"There is no {view!r} list of alerts.", hint="Say open, mine or resolved.")
        self._check(text)
        newest = self._repo.posted(team_id, states=tuple(State), limit=1)
        pin = next((r.posted_id for r in newest), 0)
        return self._page(team_id, asker, AlertListState(view, channel_id, text.strip(), pin))

    def open_page(self, team_id: str, asker: str, value: str) -> AlertListPage:
        """The page a Next or Previous button's ``value`` names. Raises ``PageStateError``."""
        return self._page(team_id, asker, self._codec.decode(value))

    def assigned_to(self, team_id: str, user_id: str, *, limit: int = 5) -> list[ListedAlert]:
        """Up to ``limit`` unresolved alerts assigned to ``user_id``, newest first (one more tells there are more)."""
        rows = self._repo.posted(team_id, states=VIEWS["mine"], assignee=user_id, limit=limit)
        return [self._listed(r) for r in rows]

    def _page(self, team_id: str, asker: str, state: AlertListState) -> AlertListPage:
        size = self._size
        assignee = asker if state.view == "mine" else None
        skip = (state.page - 1) * size
        scanned = False

        def read(limit: int, offset: int = 0) -> Collection[PostedTriageRecord]:
            return self._repo.posted(
                team_id,
                states=VIEWS[state.view],
                assignee=assignee,
                channel_id=state.channel_id or None,
                up_to_id=state.newest_id,
                limit=limit,
                offset=offset,
            )

        if state.text:
            check = self._check(state.text)
            rows = read(MAX_SCANNED)
            scanned = len(rows) >= MAX_SCANNED
            matching = [a for a in (self._listed(r) for r in rows) if a.event is not None and check(a.event)]
            found = matching[skip : skip + size + 1]
        else:
            found = [self._listed(r) for r in read(size + 1, skip)]
        more = len(found) > size
        after = AlertListState(state.view, state.channel_id, state.text, state.newest_id, state.page + 1)
        before = AlertListState(state.view, state.channel_id, state.text, state.newest_id, state.page - 1)
        return AlertListPage(
            view=state.view,
            channel_id=state.channel_id,
            text=state.text,
            alerts=found[:size],
            number=state.page,
            next=self._codec.encode(after) if more else None,
            previous=self._codec.encode(before) if state.page > 1 else None,
            scanned=scanned,
        )

    def _check(self, text: str) -> Check:
        """The filters ``text`` as one predicate over an event (every event passes when there are none)."""
        query = parse(text)
        if query.since is not None or query.until is not None:
            raise AuditbotError(
                "Alerts are listed newest first by when they were posted; time terms are not read here.",
                hint="Leave out since:, until: and last:, and page back with Next.",
            )
        criteria = self._criteria(query)
        free = text_check(query.text)
        return lambda event: criteria.matches(event) and (free is None or free(event))

    def _listed(self, row: PostedTriageRecord) -> ListedAlert:
        try:
            event: AuditEvent | None = self._events.get(row.event_id)
        except AuditbotError:
            event = None
        name = self._action_name(event.action) if event is not None else ""
        return ListedAlert(row.channel_id, row.event_id, row.posted_at, row.triage, event, name)


class AlertPageCodec:
    """Signs and checks ``/audit alerts`` page states with a server secret (default: a random one)."""

    def __init__(self, secret: bytes | None = None) -> None:
        secret = secret if secret is not None else os.urandom(32)
        self._signed = SignedFields(secret, scope=SCOPE, version=VERSION, rerun="/audit alerts")

    def encode(self, state: AlertListState) -> str | None:
        """The button value, or None when the filter is too long to fit in one (no paging then)."""
        return self._signed.seal(str(state.page), str(state.newest_id), state.view, state.channel_id, state.text)

    def decode(self, value: str) -> AlertListState:
        page, newest, view, channel_id, text = self._signed.open(value, 5)
        try:
            state = AlertListState(view, channel_id, text, int(newest), int(page))
        except ValueError:
            raise self._signed.damaged() from None
        if state.page < 1 or state.view not in VIEWS:
            raise self._signed.damaged()
        return state
