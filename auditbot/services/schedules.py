"""Digest schedules: the handoff digest posted in a channel at times of day in a time zone, with filters;
the use cases over them (schedule, list, unschedule) and what the scheduler works with.

A schedule belongs to the workspace (anyone allowed may list or remove it); its id is short and
typeable (``dg-k3x9q2``). Times, zone and filters are stored in their canonical text. There is at most
one per (workspace, channel, times, zone, filters): scheduling the same again answers with the one
there is (the store's unique constraint settles a race between replicas).

The filters of a schedule are an ordinary query without time terms (``digest_query``); the time
window of each digest is always its slot's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from auditbot.core.clock import Clock
from auditbot.core.errors import AuditbotError
from auditbot.core.query import Query, parse
from auditbot.core.schedule import format_times, next_slot, parse_times, parse_zone
from auditbot.services.catalog import ActionCatalog, CatalogSnapshot
from auditbot.services.plan import resolve
from auditbot.services.workspace_items import ChannelCheck, find, narrowed, no_channel_check

ID_PREFIX: Final = "dg-"


@dataclass(frozen=True, slots=True)
class HandoffSchedule:
    id: str
    team_id: str
    channel_id: str
    times: str
    """Canonical times of day: ``09:00,21:00``."""
    tz: str
    """The IANA time zone the times are in."""
    query: str
    """Canonical filter text, without time terms; empty for every event."""
    created_by: str
    created_at: datetime
    last_run_at: datetime | None = None
    """When a slot was last posted or given up on."""
    last_error: str | None = None
    """Why the last slot was not posted; cleared by the next posted one."""


class ScheduleExists(Exception):
    """The repository's answer to an insert that lost to an equal schedule (same workspace, channel, times,
    zone and filters), made by another replica a moment before: ``existing``. The service answers with
    it as it does with one it found first."""

    def __init__(self, existing: HandoffSchedule) -> None:
        super().__init__(f"{existing.id} already posts this digest in {existing.channel_id}.")
        self.existing = existing


class ScheduleSlots(Protocol):
    """What the scheduler works with: every schedule, and the slots claimed, posted or failed."""

    def all(self) -> Sequence[HandoffSchedule]: ...

    def claim_slot(self, schedule_id: str, slot_at: datetime, owner: str) -> bool: ...

    def posted(self, schedule_id: str, slot_at: datetime, message_ts: str) -> object: ...

    def failed(self, schedule_id: str, slot_at: datetime, error: str) -> object: ...


class ScheduleRepo(ScheduleSlots, Protocol):
    """The stored schedules (``auditbot.store.schedules.HandoffSchedules``)."""

    def create(
        self, *, team_id: str, channel_id: str, times: str, tz: str, query: str, created_by: str
    ) -> HandoffSchedule:
        """A new schedule; ``ScheduleExists`` when (team, channel, times, tz, query) is taken."""
        ...

    def existing(self, team_id: str, channel_id: str, times: str, tz: str, query: str) -> HandoffSchedule | None:
        """The workspace's schedule with exactly these canonical values, if there is one."""
        ...

    def get(self, schedule_id: str) -> HandoffSchedule | None: ...

    def of_team(self, team_id: str) -> Sequence[HandoffSchedule]:
        """Every schedule of the workspace, oldest first."""
        ...

    def remove(self, schedule_id: str) -> bool: ...


def digest_query(text: str, snapshot: CatalogSnapshot) -> Query:
    """``text`` read as a digest's filters and resolved against the action catalog; may be empty.

    Raises ``QueryError`` (pointing at the term) when it does not parse, names an unknown action or
    group, or has a time term: each digest covers the time since the previous slot. ``.canonical``
    of the result is the text to store.
    """
    query = parse(text)
    for term, spec in (("since", query.since), ("until", query.until)):
        if spec is not None:
            typed = f"{term}:{spec}"
            without = query.replace(since=None, until=None).canonical
            raise query.error_at(
                term,
                spec,
                f"A digest's filters say which events, not when ({typed})",
                hint=f"Remove {typed}: each digest covers the time since the one before it.",
                suggestions=[without] if without else (),
            )
    return resolve(query, snapshot).query


# -- the use cases ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    """A schedule as asked for, each part as typed; ``ScheduleService.schedule`` checks them."""

    team_id: str
    channel_id: str
    created_by: str
    times: str
    """``09:00,21:00`` (``core.schedule.parse_times``)."""
    zone: str | None
    """An IANA time zone; None for the person's own."""
    filters: str


@dataclass(frozen=True, slots=True)
class Scheduled:
    schedule: HandoffSchedule
    created: bool
    """False: it existed already, and nothing new was made."""
    next_at: datetime | None
    """When its next digest is due."""


class ScheduleService:
    """The workspace's digest schedules: schedule, list, unschedule, find."""

    def __init__(self, repo: ScheduleRepo, catalog: ActionCatalog, clock: Clock) -> None:
        self._repo = repo
        self._catalog = catalog
        self._clock = clock

    def schedule(
        self,
        request: ScheduleRequest,
        *,
        own_zone: Callable[[], ZoneInfo],
        check_channel: ChannelCheck = no_channel_check,
    ) -> Scheduled:
        """Check the times, the zone (``own_zone()`` when none was given) and the filters, then
        ``check_channel``; store the schedule, or answer with the one already there."""
        times = parse_times(request.times)
        zone = parse_zone(request.zone) if request.zone is not None else own_zone()
        query = digest_query(request.filters, self._catalog.snapshot()).canonical
        check_channel(request.channel_id)
        wanted = (request.team_id, request.channel_id, format_times(times), zone.key, query)
        next_at = next_slot(times, zone, self._clock.now())
        existing = self._repo.existing(*wanted)
        if existing is not None:
            return Scheduled(existing, created=False, next_at=next_at)
        team_id, channel_id, times_text, tz, _ = wanted
        try:
            made = self._repo.create(
                team_id=team_id,
                channel_id=channel_id,
                times=times_text,
                tz=tz,
                query=query,
                created_by=request.created_by,
            )
        except ScheduleExists as race:
            return Scheduled(race.existing, created=False, next_at=next_at)
        return Scheduled(made, created=True, next_at=next_at)

    def unschedule(self, team_id: str, raw_id: str) -> HandoffSchedule:
        """Remove one of the workspace's schedules (and its runs); the one it was."""
        found = self.find(team_id, raw_id)
        self._repo.remove(found.id)
        return found

    def find(self, team_id: str, raw_id: str) -> HandoffSchedule:
        """The workspace's schedule with this id (``dg-`` may be left off): ``MissingId``, ``UnknownId``."""
        return find(self._repo.get, ID_PREFIX, team_id, raw_id)

    def of_team(self, team_id: str, *, text: str = "") -> list[HandoffSchedule]:
        """The workspace's schedules, oldest first; with ``text``, those mentioning it."""
        return narrowed(self._repo.of_team(team_id), text, _haystack)

    def upcoming(self, schedules: Sequence[HandoffSchedule]) -> dict[str, datetime | None]:
        """When each schedule's next digest is due, by id; None when its stored times or zone cannot be read."""
        now = self._clock.now()
        return {s.id: _next(s, now) for s in schedules}


def _next(schedule: HandoffSchedule, now: datetime) -> datetime | None:
    try:
        return next_slot(parse_times(schedule.times), parse_zone(schedule.tz), now)
    except AuditbotError:
        return None


def _haystack(s: HandoffSchedule) -> tuple[str | None, ...]:
    return (s.id, s.channel_id, s.times, s.tz, s.query, s.created_by, s.last_error)
