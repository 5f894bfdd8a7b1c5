"""``HandoffSchedules``: handoff digests posted in a channel at times of day, and who posts each slot
(``services.schedules.ScheduleRepo``).

A schedule's id is short and typeable (``dg-k3x9q2``, the alphabet of subscription ids). Times, zone
and filters are stored in their canonical text, as the digest commands checked them. A unique index
on (team, channel, times, zone, filters) backs the rule that the same schedule is made once: an
insert that loses a race to another replica raises ``ScheduleExists`` with the schedule that won.

Each slot is posted once across replicas through ``digest_runs``, keyed by (schedule, slot instant):

* ``claim_slot`` inserts the row with ``ON CONFLICT DO NOTHING … RETURNING``: the one caller whose
  insert went in owns the slot and posts it; everyone else gets ``False``.
* A claim never marked ``posted`` or ``failed`` and older than ``stale_claim`` is taken to be from a
  replica that died mid-post: a conditional ``UPDATE`` (still unfinished, claim still old) hands it to
  one new caller. On PostgreSQL a second concurrent ``UPDATE`` waits for the row and re-checks the
  condition against the new claim time, so it changes nothing; on SQLite every write transaction
  holds the database's one write lock.
* ``failed`` closes a slot for good: it is not claimed again, and the schedule's ``last_error`` says
  why. The next slot is tried as usual.

A replica that posted but died before ``posted`` leaves a claim that goes stale, so that slot can be
posted a second time: the poster must finish well within ``stale_claim``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from auditbot.core.clock import Clock
from auditbot.services.schedules import ID_PREFIX, HandoffSchedule, ScheduleExists
from auditbot.store.db import Database
from auditbot.store.executor import insert_or_ignore
from auditbot.store.schema import digest_runs, digest_schedules, query_hash
from auditbot.store.short_ids import short_id

STALE_CLAIM: Final = timedelta(minutes=5)
"""A claim this old, neither posted nor failed, was left by a replica that stopped mid-post."""
MAX_ERROR: Final = 1000
"""Characters of an error message kept."""


@dataclass(frozen=True, slots=True)
class HandoffRun:
    """One slot of a schedule, claimed by a replica."""

    schedule_id: str
    slot_at: datetime
    claimed_by: str
    claimed_at: datetime
    posted_at: datetime | None = None
    message_ts: str | None = None
    error: str | None = None


class HandoffSchedules:
    def __init__(self, db: Database, clock: Clock, *, stale_claim: timedelta = STALE_CLAIM) -> None:
        if stale_claim <= timedelta(0):
            raise ValueError("stale_claim must be positive")
        self._db = db
        self._clock = clock
        self._stale = stale_claim

    # -- schedules ------------------------------------------------------------------------------

    def create(
        self, *, team_id: str, channel_id: str, times: str, tz: str, query: str, created_by: str
    ) -> HandoffSchedule:
        """A new schedule; ``times``, ``tz`` and ``query`` are stored as given (canonical text)."""
        schedule = HandoffSchedule(
            id=new_id(),
            team_id=team_id,
            channel_id=channel_id,
            times=times,
            tz=tz,
            query=query,
            created_by=created_by,
            created_at=self._clock.now(),
        )
        try:
            with self._db.begin() as conn:
                conn.execute(
                    insert(digest_schedules).values(
                        id=schedule.id,
                        team_id=team_id,
                        channel_id=channel_id,
                        times=times,
                        tz=tz,
                        query=query,
                        created_by=created_by,
                        created_at=schedule.created_at,
                        query_hash=query_hash(query),
                    )
                )
        except IntegrityError:
            existing = self.existing(team_id, channel_id, times, tz, query)
            if existing is None:  # not the unique key (the id, say): nothing to answer with
                raise
            raise ScheduleExists(existing) from None
        return schedule

    def existing(self, team_id: str, channel_id: str, times: str, tz: str, query: str) -> HandoffSchedule | None:
        """The workspace's schedule with exactly these canonical values, if there is one."""
        c = digest_schedules.c
        with self._db.read() as conn:
            row = conn.execute(
                select(digest_schedules).where(
                    c.team_id == team_id,
                    c.channel_id == channel_id,
                    c.times == times,
                    c.tz == tz,
                    c.query_hash == query_hash(query),
                    c.query == query,
                )
            ).first()
        return None if row is None else _schedule(row)

    def get(self, schedule_id: str) -> HandoffSchedule | None:
        with self._db.read() as conn:
            row = conn.execute(select(digest_schedules).where(digest_schedules.c.id == schedule_id)).first()
        return None if row is None else _schedule(row)

    def of_team(self, team_id: str) -> list[HandoffSchedule]:
        """Every schedule of the workspace, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(digest_schedules)
                .where(digest_schedules.c.team_id == team_id)
                .order_by(digest_schedules.c.created_at, digest_schedules.c.id)
            ).all()
        return [_schedule(row) for row in rows]

    def all(self) -> list[HandoffSchedule]:
        """Every schedule of every workspace: what the scheduler looks at on each pass."""
        with self._db.read() as conn:
            rows = conn.execute(select(digest_schedules).order_by(digest_schedules.c.id)).all()
        return [_schedule(row) for row in rows]

    def remove(self, schedule_id: str) -> bool:
        """Delete the schedule and its runs; whether there was one."""
        with self._db.begin() as conn:
            result = conn.execute(delete(digest_schedules).where(digest_schedules.c.id == schedule_id))
            return result.rowcount > 0

    # -- slots ----------------------------------------------------------------------------------

    def claim_slot(self, schedule_id: str, slot_at: datetime, owner: str) -> bool:
        """Take the slot for ``owner``: ``True`` for exactly one caller per slot (see the module).

        ``False`` as well when the schedule was removed meanwhile.
        """
        now = self._clock.now()
        key = (digest_runs.c.schedule_id == schedule_id, digest_runs.c.slot_at == slot_at)
        try:
            with self._db.begin() as conn:
                claim = insert_or_ignore(conn, digest_runs, [digest_runs.c.schedule_id, digest_runs.c.slot_at])
                inserted = conn.execute(
                    claim.values(schedule_id=schedule_id, slot_at=slot_at, claimed_by=owner, claimed_at=now).returning(
                        digest_runs.c.slot_at
                    )
                ).first()
                if inserted is not None:
                    return True
                taken_over = conn.execute(
                    update(digest_runs)
                    .where(
                        *key,
                        digest_runs.c.posted_at.is_(None),
                        digest_runs.c.error.is_(None),
                        digest_runs.c.claimed_at <= now - self._stale,
                    )
                    .values(claimed_by=owner, claimed_at=now)
                    .returning(digest_runs.c.slot_at)
                ).first()
                return taken_over is not None
        except IntegrityError:
            return False

    def posted(self, schedule_id: str, slot_at: datetime, message_ts: str) -> bool:
        """The slot's digest is in the channel as ``message_ts``; clears the schedule's last error."""
        now = self._clock.now()
        with self._db.begin() as conn:
            changed = conn.execute(
                update(digest_runs)
                .where(digest_runs.c.schedule_id == schedule_id, digest_runs.c.slot_at == slot_at)
                .values(posted_at=now, message_ts=message_ts, error=None)
            ).rowcount
            conn.execute(
                update(digest_schedules)
                .where(digest_schedules.c.id == schedule_id)
                .values(last_run_at=now, last_error=None)
            )
            return changed > 0

    def failed(self, schedule_id: str, slot_at: datetime, error: str) -> bool:
        """The slot will not be posted (``error`` says why, for people): it is not claimed again."""
        now = self._clock.now()
        error = (error.strip() or "failed")[:MAX_ERROR]
        with self._db.begin() as conn:
            changed = conn.execute(
                update(digest_runs)
                .where(
                    digest_runs.c.schedule_id == schedule_id,
                    digest_runs.c.slot_at == slot_at,
                    digest_runs.c.posted_at.is_(None),
                )
                .values(error=error)
            ).rowcount
            if changed:
                conn.execute(
                    update(digest_schedules)
                    .where(digest_schedules.c.id == schedule_id)
                    .values(last_run_at=now, last_error=error)
                )
            return changed > 0

    def run(self, schedule_id: str, slot_at: datetime) -> HandoffRun | None:
        with self._db.read() as conn:
            row = conn.execute(
                select(digest_runs).where(digest_runs.c.schedule_id == schedule_id, digest_runs.c.slot_at == slot_at)
            ).first()
        return None if row is None else _run(row)

    def runs(self, schedule_id: str, *, limit: int = 50) -> list[HandoffRun]:
        """The schedule's claimed slots, newest first."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(digest_runs)
                .where(digest_runs.c.schedule_id == schedule_id)
                .order_by(digest_runs.c.slot_at.desc())
                .limit(limit)
            ).all()
        return [_run(row) for row in rows]


def new_id() -> str:
    return short_id(ID_PREFIX)


def _schedule(row: Row[tuple[object, ...]]) -> HandoffSchedule:
    m = row._mapping
    return HandoffSchedule(
        id=str(m["id"]),
        team_id=str(m["team_id"]),
        channel_id=str(m["channel_id"]),
        times=str(m["times"]),
        tz=str(m["tz"]),
        query=str(m["query"]),
        created_by=str(m["created_by"]),
        created_at=m["created_at"],
        last_run_at=m["last_run_at"],
        last_error=m["last_error"],
    )


def _run(row: Row[tuple[object, ...]]) -> HandoffRun:
    m = row._mapping
    return HandoffRun(
        schedule_id=str(m["schedule_id"]),
        slot_at=m["slot_at"],
        claimed_by=str(m["claimed_by"]),
        claimed_at=m["claimed_at"],
        posted_at=m["posted_at"],
        message_ts=m["message_ts"],
        error=m["error"],
    )
