"""Alert subscriptions: a channel, a canonical query, who made it; the use cases over them, and the dry
run shown before subscribing.

A subscription may have a name its subscriber gave it (``name:"Admin grants"``); without one it is
shown by a description of its query in the catalog's words (``subscription_names``). The service
fills ``description`` on every record it returns, so each surface can show ``title``.

Subscriptions belong to the workspace, not to the person who made them: anyone allowed may list,
pause, resume or remove any of them. There is at most one per (workspace, channel, canonical query):
subscribing the same again answers with the one there is (the store's unique constraint settles a
race between replicas). Every change is told to alert matching (``changed``).

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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from auditbot.core.clock import Clock
from auditbot.core.errors import AuditbotError
from auditbot.core.paging import PageState
from auditbot.core.query import Query, parse
from auditbot.core.timespec import TimeWindow
from auditbot.core.triage import Reason
from auditbot.services.catalog import CatalogSnapshot
from auditbot.services.plan import resolve
from auditbot.services.search import FoundEvent, ResultPage, SearchBusy, SearchService
from auditbot.services.subscription_names import ActionName, describe, split_name
from auditbot.services.workspace_items import ChannelCheck, UnknownId, find, narrowed, no_channel_check

ID_PREFIX = "sub-"

DRY_RUN_DAYS = 7
NOISY_PER_DAY = 50
"""Above this many matches a day on average, a dry run warns that the subscription will be noisy."""
EXAMPLES = 3
COUNT_PAGE_SIZE = 500
LIVE_PAGES = 2
"""Result pages of 500 read from the Admin API at most (each costs one to a few of its ten requests a minute)."""
MIRROR_PAGES = 10
TRIAGE_DAYS = 30
"""How far back ``/audit subscriptions`` counts the reasons its alerts were resolved with."""
"""Result pages read from auditbot's copy of the log at most (each reads up to 20,000 stored events)."""


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    team_id: str
    channel_id: str
    query: str
    """The canonical query text."""
    created_by: str
    created_at: datetime
    paused: bool = False
    last_delivery_at: datetime | None = None
    last_error: str | None = None
    name: str | None = None
    """The name its subscriber gave it (plain text, at most 80 characters), if any."""
    description: str = field(default="", compare=False)
    """Its query in words (``subscription_names.describe``); filled by the service, empty from the store."""
    false_positives: tuple[int, int] | None = field(default=None, compare=False)
    """Of the alerts it posted that were resolved in the last ``TRIAGE_DAYS`` days, how many as false
    positives and how many in all; None when none was resolved (or the list was read without triage)."""

    @property
    def title(self) -> str:
        """How it is shown: its name, else the description of its query, else the query itself."""
        return self.name or self.description or self.query


class AmbiguousName(AuditbotError):
    """More than one of the workspace's subscriptions has the name asked for."""

    def __init__(self, name: str, ids: Sequence[str]) -> None:
        super().__init__(
            f"{len(ids)} subscriptions are called {name[:80]}: {', '.join(ids[:5])}.",
            hint="Give the id of the one you mean.",
        )
        self.ids = tuple(ids)


class SubscriptionExists(Exception):
    """The repository's answer to an insert that lost to an equal subscription (same workspace, channel
    and canonical query), made by another replica a moment before: ``existing``. The service answers
    with it as it does with one it found first."""

    def __init__(self, existing: Subscription) -> None:
        super().__init__(f"{existing.id} already posts these alerts in {existing.channel_id}.")
        self.existing = existing


class ActiveSubscriptions(Protocol):
    """What alert matching reads."""

    def active(self) -> Sequence[Subscription]:
        """Those not paused, whatever their workspace."""
        ...


class ChannelSubscriptions(Protocol):
    """What delivery reads and changes: a channel's subscriptions, paused when Slack refuses posts."""

    def get(self, subscription_id: str) -> Subscription | None: ...

    def in_channel(self, team_id: str, channel_id: str) -> Sequence[Subscription]: ...

    def pause(self, subscription_id: str, *, error: str | None = None) -> bool: ...


class SubscriptionRepo(ActiveSubscriptions, ChannelSubscriptions, Protocol):
    """The stored subscriptions (``auditbot.store.subscriptions.Subscriptions``)."""

    def create(
        self, *, team_id: str, channel_id: str, query: str, created_by: str, name: str | None = None
    ) -> Subscription:
        """A new subscription; ``SubscriptionExists`` when (team, channel, query) is taken."""
        ...

    def rename(self, subscription_id: str, name: str | None) -> bool:
        """Give it a name (None: none); whether it was there."""
        ...

    def existing(self, team_id: str, channel_id: str, query: str) -> Subscription | None:
        """The workspace's subscription of ``channel_id`` to the canonical ``query``, if there is one."""
        ...

    def of_team(self, team_id: str) -> Sequence[Subscription]:
        """Every subscription of the workspace, oldest first."""
        ...

    def resume(self, subscription_id: str) -> bool: ...

    def remove(self, subscription_id: str) -> bool: ...


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


class SubscriptionPreview:
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

    def action_name(self, action_id: str) -> str:
        """The catalog's name for an action."""
        return self._search.catalog.snapshot().get(action_id).display_name

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


# -- the use cases ------------------------------------------------------------------------------------

Change = Literal["pause", "resume", "unsubscribe"]


@dataclass(frozen=True, slots=True)
class Subscribed:
    subscription: Subscription
    created: bool
    """False: it existed already, and nothing new was made."""
    renamed: bool = False
    """It existed already, and the name asked for was given to it."""


class SubscriptionTitles:
    """The titles of subscriptions by id, as alert messages show them (name, else their query in words).

    For renderers outside a request (delivery): reads each subscription from the store."""

    def __init__(self, repo: ChannelSubscriptions, action_name: ActionName) -> None:
        self._repo = repo
        self._action_name = action_name

    def __call__(self, subscription_ids: Sequence[str]) -> dict[str, str]:
        """Id → title for those still there (the others are left out)."""
        found: dict[str, str] = {}
        for subscription_id in dict.fromkeys(subscription_ids):
            subscription = self._repo.get(subscription_id)
            if subscription is not None:
                found[subscription_id] = titled(subscription, self._action_name).title
        return found


def titled(subscription: Subscription, action_name: ActionName) -> Subscription:
    """``subscription`` with its ``description`` filled."""
    return replace(subscription, description=describe(subscription.query, action_name))


Titles = Callable[[Sequence[str]], Mapping[str, str]]
"""Subscription ids → their titles (``SubscriptionTitles``)."""


class ResolvedBySubscription(Protocol):
    """Reasons alerts were resolved with, per subscription (``auditbot.store.alert_states.AlertStates``)."""

    def resolved_by_subscription(self, team_id: str, since: datetime) -> Mapping[str, Mapping[Reason, int]]: ...


class SubscriptionService:
    """The workspace's alert subscriptions: check, dry run, subscribe, pause, resume, remove, find, list.

    ``changed`` is called after every change, so alert matching picks it up. With ``resolved`` (and
    ``clock``), the list says each subscription's share of false positives over ``TRIAGE_DAYS`` days.
    """

    def __init__(
        self,
        repo: SubscriptionRepo,
        preview: SubscriptionPreview,
        *,
        changed: Callable[[], None] = lambda: None,
        resolved: ResolvedBySubscription | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._repo = repo
        self._preview = preview
        self._changed = changed
        self._resolved = resolved
        self._clock = clock

    def check(self, text: str) -> Query:
        """The resolved alert query for ``text`` (see ``alert_query``)."""
        return self._preview.check(text)

    def check_named(self, text: str) -> tuple[str | None, Query]:
        """The ``name:`` in ``text`` (if any) and the resolved alert query of the rest: ``NameProblem``,
        ``QueryError``."""
        name, rest = split_name(text)
        return name, self.check(rest)

    def describe(self, query: str | Query) -> str:
        """An alert query in words, with the catalog's action names."""
        return describe(query if isinstance(query, str) else query.canonical, self._action_name)

    def titles(self, subscription_ids: Sequence[str]) -> dict[str, str]:
        """Id → title of those of ``subscription_ids`` still there."""
        return SubscriptionTitles(self._repo, self._action_name)(subscription_ids)

    def _action_name(self, action_id: str) -> str:
        return self._preview.action_name(action_id)

    def _titled(self, subscription: Subscription) -> Subscription:
        return titled(subscription, self._action_name)

    def dry_run(self, query: str | Query, *, tz: ZoneInfo) -> DryRun:
        """What a subscription to ``query`` would have posted over the last days (``SubscriptionPreview``)."""
        return self._preview.dry_run(query, tz=tz)

    def subscribe(
        self,
        *,
        team_id: str,
        channel_id: str,
        query: str,
        created_by: str,
        name: str | None = None,
        check_channel: ChannelCheck = no_channel_check,
    ) -> Subscribed:
        """Subscribe ``channel_id`` to the alert query ``query`` (checked here), called ``name`` when one
        is given, or answer with the subscription already there (given ``name`` when it is new to it).
        ``check_channel`` runs only when a new one is about to be made."""
        canonical = self.check(query).canonical
        existing = self._repo.existing(team_id, channel_id, canonical)
        if existing is None:
            check_channel(channel_id)
            try:
                made = self._repo.create(
                    team_id=team_id, channel_id=channel_id, query=canonical, created_by=created_by, name=name
                )
            except SubscriptionExists as race:
                existing = race.existing
            else:
                self._changed()
                return Subscribed(self._titled(made), created=True)
        if name and existing.name != name and self._repo.rename(existing.id, name):
            return Subscribed(self._titled(replace(existing, name=name)), created=False, renamed=True)
        return Subscribed(self._titled(existing), created=False)

    def change(
        self, team_id: str, raw_id: str, change: Change, *, check_channel: ChannelCheck = no_channel_check
    ) -> Subscription:
        """Pause, resume or remove (``unsubscribe``) one of the workspace's subscriptions (by id or name);
        the one it was. ``check_channel`` runs before one is resumed."""
        subscription = self.find(team_id, raw_id)
        if change == "pause":
            self._repo.pause(subscription.id)
        elif change == "resume":
            check_channel(subscription.channel_id)
            self._repo.resume(subscription.id)
        else:
            self._repo.remove(subscription.id)
        self._changed()
        return subscription

    def find(self, team_id: str, raw_id: str) -> Subscription:
        """The workspace's subscription with this id (``sub-`` may be left off) or this name (any case,
        quoted or not): ``MissingId``, ``UnknownId``, ``AmbiguousName``."""
        try:
            return self._titled(find(self._repo.get, ID_PREFIX, team_id, raw_id))
        except UnknownId:
            wanted = _unquoted(raw_id).casefold()
            named = [s for s in self._repo.of_team(team_id) if s.name and s.name.casefold() == wanted]
            if len(named) > 1:
                raise AmbiguousName(_unquoted(raw_id), [s.id for s in named]) from None
            if not named:
                raise
            return self._titled(named[0])

    def of_team(self, team_id: str, *, text: str = "") -> list[Subscription]:
        """The workspace's subscriptions, oldest first; with ``text``, those mentioning it (in any of
        the words it is shown with)."""
        every = [self._titled(s) for s in self._repo.of_team(team_id)]
        return self._with_false_positives(team_id, narrowed(every, text, _haystack))

    def _with_false_positives(self, team_id: str, subscriptions: list[Subscription]) -> list[Subscription]:
        if self._resolved is None or self._clock is None or not subscriptions:
            return subscriptions
        since = self._clock.now() - timedelta(days=TRIAGE_DAYS)
        counts = self._resolved.resolved_by_subscription(team_id, since)
        shown = []
        for sub in subscriptions:
            reasons = counts.get(sub.id, {})
            total = sum(reasons.values())
            shown.append(replace(sub, false_positives=(reasons.get(Reason.FALSE_POSITIVE, 0), total)) if total else sub)
        return shown


def _unquoted(text: str) -> str:
    return " ".join(text.strip().strip("\"'\u201c\u201d\u2018\u2019").split())


def _haystack(s: Subscription) -> tuple[str | None, ...]:
    return (s.id, s.channel_id, s.query, s.created_by, s.last_error, s.name, s.description)
