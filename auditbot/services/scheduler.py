"""Scheduled handoff digests: each schedule's slots posted once, on time, whichever replica gets there first.

A schedule posts a digest at times of day in a time zone (``core.schedule``). Every replica runs a
``HandoffScheduler`` with its own ``owner`` name; a pass looks at every schedule:

* its latest slot at or before now (slots before the schedule was made are not owed);
* ``claim_slot`` on the store: only the replica whose claim went in goes on (the store also lets
  one replica take over a claim left unfinished for a few minutes by one that died mid-post);
* within ``grace`` of the slot, the digest of ``[previous slot, slot)`` is posted through the
  ``HandoffPoster`` and the slot marked posted; an ``AuditbotError`` from the poster marks it failed,
  with the message as the schedule's last error, and that slot is not tried again;
* past ``grace`` (every replica was down at the time) nothing is posted: a digest hours late would
  be mistaken for a current one. The slot is marked failed with a note that it was skipped, which
  the schedule list shows, and the report and the log say so. The next slot's digest still covers
  only its own shift.

The schedules and their slots are ``services.schedules``' (``ScheduleSlots``); the time window of a
digest is always its slot's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from auditbot.core.clock import Clock
from auditbot.core.errors import AuditbotError
from auditbot.core.schedule import latest_slot, parse_times, parse_zone, previous_slot
from auditbot.core.timespec import duration_text
from auditbot.services.repeat import repeat
from auditbot.services.schedules import HandoffSchedule, ScheduleSlots

logger = logging.getLogger(__name__)

GRACE = timedelta(minutes=10)
"""How late after its slot a digest is still posted."""
INTERVAL = 30.0
"""Seconds between passes: well inside ``GRACE``."""


class HandoffPoster(Protocol):
    """Posts one handoff digest in a schedule's channel."""

    def post_handoff(self, schedule: HandoffSchedule, *, start: datetime, end: datetime) -> str:
        """Post the digest of the events in ``[start, end)`` (aware UTC) matching ``schedule.query`` in
        ``schedule.channel_id``; the posted message's ts. Raises ``AuditbotError`` when it could not,
        with a message a person can act on (it is shown as the schedule's last error). It should return
        well within the store's stale-claim age (five minutes): after that another replica may take the
        slot over and post it again."""
        ...


@dataclass(frozen=True, slots=True)
class SlotOutcome:
    schedule_id: str
    slot_at: datetime
    detail: str
    """The message ts when posted; the error when failed; why when skipped."""


@dataclass(frozen=True, slots=True)
class SchedulerReport:
    """What one pass did. A slot appears in the report of the one replica that claimed it."""

    schedules: int = 0
    posted: tuple[SlotOutcome, ...] = ()
    failed: tuple[SlotOutcome, ...] = ()
    skipped: tuple[SlotOutcome, ...] = ()
    """Slots found past the grace period: nothing was posted for them."""
    unreadable: tuple[str, ...] = ()
    """Schedules whose stored times or time zone could not be read (none are posted)."""
    error: str | None = None
    """Why the whole pass failed (the store could not be read, say)."""


class HandoffScheduler:
    """Posts the digests that are due; ``owner`` names this replica in the claims."""

    def __init__(
        self,
        schedules: ScheduleSlots,
        poster: HandoffPoster,
        clock: Clock,
        *,
        owner: str,
        grace: timedelta = GRACE,
    ) -> None:
        if not owner:
            raise ValueError("a scheduler needs an owner name")
        if grace <= timedelta(0):
            raise ValueError("grace must be positive")
        self._schedules = schedules
        self._poster = poster
        self._clock = clock
        self.owner = owner
        self.grace = grace
        self._unreadable: set[str] = set()
        """Schedules already logged as unreadable (said once, at WARNING)."""

    def run_once(self) -> SchedulerReport:
        """Look at every schedule once and post what is due and unclaimed."""
        schedules = self._schedules.all()
        posted: list[SlotOutcome] = []
        failed: list[SlotOutcome] = []
        skipped: list[SlotOutcome] = []
        unreadable: list[str] = []
        for schedule in schedules:
            try:
                times, tz = parse_times(schedule.times), parse_zone(schedule.tz)
            except AuditbotError as exc:
                level = logging.DEBUG if schedule.id in self._unreadable else logging.WARNING
                logger.log(level, "digest schedule %s cannot be read: %s", schedule.id, exc.message)
                self._unreadable.add(schedule.id)
                unreadable.append(schedule.id)
                continue
            slot = latest_slot(times, tz, self._clock.now())
            if slot is None or slot < schedule.created_at:
                continue
            if not self._schedules.claim_slot(schedule.id, slot, self.owner):
                continue
            late = self._clock.now() - slot
            if late > self.grace:
                outcome = SlotOutcome(schedule.id, slot, _skipped_note(late, self.grace))
                logger.warning("digest %s for %s skipped: %s", schedule.id, slot.isoformat(), outcome.detail)
                self._schedules.failed(schedule.id, slot, outcome.detail)
                skipped.append(outcome)
                continue
            ok, outcome = self._post(schedule, slot, previous_slot(times, tz, slot))
            (posted if ok else failed).append(outcome)
        return SchedulerReport(
            schedules=len(schedules),
            posted=tuple(posted),
            failed=tuple(failed),
            skipped=tuple(skipped),
            unreadable=tuple(unreadable),
        )

    def run_forever(
        self,
        stop: threading.Event,
        interval: float = INTERVAL,
        on_report: Callable[[SchedulerReport], None] | None = None,
    ) -> None:
        """Pass, wait ``interval`` seconds, repeat until ``stop``."""
        repeat(
            self.run_once,
            stop=stop,
            clock=self._clock,
            interval=interval,
            failed=lambda exc: SchedulerReport(error=exc.message),
            on_report=on_report,
        )

    def _post(self, schedule: HandoffSchedule, slot: datetime, start: datetime) -> tuple[bool, SlotOutcome]:
        """Post the slot's digest and record how it went: (posted, what happened)."""
        try:
            ts = self._poster.post_handoff(schedule, start=start, end=slot)
        except AuditbotError as exc:
            logger.warning("digest %s for %s failed: %s", schedule.id, slot.isoformat(), exc.message)
            self._schedules.failed(schedule.id, slot, exc.message)
            return False, SlotOutcome(schedule.id, slot, exc.message)
        except Exception:
            logger.exception("digest %s for %s failed unexpectedly", schedule.id, slot.isoformat())
            error = "Something went wrong on auditbot's side; it has been logged."
            self._schedules.failed(schedule.id, slot, error)
            return False, SlotOutcome(schedule.id, slot, error)
        logger.info("digest %s for %s posted as %s", schedule.id, slot.isoformat(), ts)
        self._schedules.posted(schedule.id, slot, ts)
        return True, SlotOutcome(schedule.id, slot, ts)


def _skipped_note(late: timedelta, grace: timedelta) -> str:
    return (
        f"Skipped: auditbot was not running at the slot ({duration_text(late)} ago, past the {duration_text(grace)} "
        "grace period), so no stale digest was posted."
    )
