"""Two scheduler replicas over one store (SQLite and PostgreSQL), on a manual clock: every slot posted
once with its [previous, slot) window, across Berlin's spring-forward night; nothing stale after an
outage; a failed post recorded and not retried; a replica dying mid-post taken over once.

The poster is a fake at the boundary: it stands in for the digest that would be posted in Slack and
records what it was asked to post, and by which replica.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditbot.core.clock import ManualClock
from auditbot.core.errors import AuditbotError
from auditbot.core.schedule import latest_slot, next_slot, parse_times, parse_zone
from auditbot.sandbox import GeneratedOrg
from auditbot.services.scheduler import GRACE, HandoffScheduler, SchedulerReport
from auditbot.services.schedules import HandoffSchedule, digest_query
from auditbot.store.db import Database
from auditbot.store.schedules import STALE_CLAIM, HandoffSchedules
from tests.services.world import World
from tests.store.conftest import postgres_schema

START = datetime(2026, 3, 28, 0, 0, tzinfo=UTC)
"""Saturday: Berlin moves its clocks from 02:00 to 03:00 on the Sunday night after."""
MINUTE = 60.0
NEAR = timedelta(minutes=15)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Post:
    owner: str
    schedule_id: str
    start: datetime
    end: datetime
    at: datetime


@dataclass
class RecordingPoster:
    """Posts nothing: records each digest it is asked for and answers with a message ts."""

    owner: str
    clock: ManualClock
    posts: list[Post]
    failing: set[str] = field(default_factory=set)
    """Schedule ids whose digests fail, as a refused post would."""

    def post_handoff(self, schedule: HandoffSchedule, *, start: datetime, end: datetime) -> str:
        if schedule.id in self.failing:
            raise AuditbotError("auditbot may not post in #sec-oncall: it is not one of the channels allowed.")
        self.posts.append(Post(self.owner, schedule.id, start, end, self.clock.now()))
        return f"{int(end.timestamp())}.{len(self.posts):06d}"


@dataclass
class Replicas:
    clock: ManualClock
    store: HandoffSchedules
    posts: list[Post] = field(default_factory=list)
    schedulers: dict[str, HandoffScheduler] = field(default_factory=dict)
    posters: dict[str, RecordingPoster] = field(default_factory=dict)
    reports: list[tuple[str, SchedulerReport]] = field(default_factory=list)

    def add(self, owner: str) -> HandoffScheduler:
        self.posters[owner] = RecordingPoster(owner, self.clock, self.posts)
        self.schedulers[owner] = HandoffScheduler(self.store, self.posters[owner], self.clock, owner=owner)
        return self.schedulers[owner]

    def schedule(self, times: str, tz: str = "Europe/Berlin", query: str = "") -> HandoffSchedule:
        return self.store.create(
            team_id="T1", channel_id="C0SECONCAL", times=times, tz=tz, query=query, created_by="U01JANEDOE"
        )

    def step(self, until: datetime, *, running: tuple[str, ...] | None = None) -> None:
        """Up to ``until``, a pass by each running replica (taking turns at going first) every minute
        from 15 minutes before each slot to 15 minutes after it; the quiet hours between are jumped."""
        names = list(running or self.schedulers)
        turn = 0
        while self.clock.now() < until:
            quiet_until = self._next_edge() - NEAR
            if quiet_until > self.clock.now() + timedelta(minutes=1):
                self.clock.set(min(quiet_until, until))
            else:
                self.clock.advance(MINUTE)
            turn += 1
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                self.reports.append((name, self.schedulers[name].run_once()))

    def _next_edge(self) -> datetime:
        """The next slot of any schedule, or now when one was less than ``NEAR`` ago."""
        now = self.clock.now()
        edges = [now + timedelta(days=1)]
        for s in self.store.all():
            try:
                times, tz = parse_times(s.times), parse_zone(s.tz)
            except AuditbotError:
                continue
            latest, upcoming = latest_slot(times, tz, now), next_slot(times, tz, now)
            edges += [now] if latest is not None and now - latest < NEAR else []
            edges += [upcoming] if upcoming is not None else []
        return min(edges)

    def windows(self, schedule: HandoffSchedule) -> list[tuple[datetime, datetime]]:
        return [(p.start, p.end) for p in self.posts if p.schedule_id == schedule.id]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        with Database(f"sqlite:///{tmp_path / 'auditbot.db'}") as db:
            db.migrate()
            yield db
        return
    with postgres_schema() as url, Database(url) as db:
        db.migrate()
        yield db


@pytest.fixture
def replicas(database: Database) -> Replicas:
    clock = ManualClock(START)
    world = Replicas(clock, HandoffSchedules(database, clock))
    world.add("replica-a")
    world.add("replica-b")
    return world


def test_two_replicas_post_every_slot_once_over_two_days_across_a_dst_change(replicas: Replicas):
    shifts = replicas.schedule("09:00,21:00")
    nights = replicas.schedule("02:30,18:45", query="-actor:svc@example.com")
    replicas.step(START + timedelta(days=2))

    assert replicas.windows(shifts) == [
        (utc(27, 20), utc(28, 8)),  # 21:00 → 09:00 CET
        (utc(28, 8), utc(28, 20)),
        (utc(28, 20), utc(29, 7)),  # the short night: 09:00 is CEST now
        (utc(29, 7), utc(29, 19)),
    ]
    assert replicas.windows(nights) == [
        (utc(27, 17, 45), utc(28, 1, 30)),
        (utc(28, 1, 30), utc(28, 17, 45)),
        (utc(28, 17, 45), utc(29, 1, 30)),  # 02:30 does not exist that night: posted at 03:30 CEST
        (utc(29, 1, 30), utc(29, 16, 45)),
    ]
    assert all(p.at == p.end for p in replicas.posts), "each posted in the minute of its slot"
    assert {p.owner for p in replicas.posts} == {"replica-a", "replica-b"}, "whoever got there first"
    posted = [o for _, r in replicas.reports for o in r.posted]
    assert sorted((o.schedule_id, o.slot_at) for o in posted) == sorted((p.schedule_id, p.end) for p in replicas.posts)
    assert not any(r.failed or r.skipped or r.unreadable or r.error for _, r in replicas.reports)

    last = replicas.store.get(shifts.id)
    assert last is not None and (last.last_run_at, last.last_error) == (utc(29, 19), None)
    runs = replicas.store.runs(shifts.id)
    assert [r.slot_at for r in runs] == [utc(29, 19), utc(29, 7), utc(28, 20), utc(28, 8)]
    assert all(r.posted_at == r.slot_at and r.message_ts for r in runs)


def test_a_replica_down_past_the_grace_posts_nothing_stale(replicas: Replicas):
    shifts = replicas.schedule("09:00,21:00")
    replicas.step(utc(28, 7, 50))
    assert replicas.posts == [], "nothing due before 09:00 CET"
    replicas.clock.set(utc(28, 10))  # every replica was down at 09:00 CET

    late = replicas.schedulers["replica-b"].run_once()
    assert replicas.posts == []
    (skipped,) = late.skipped
    assert (skipped.schedule_id, skipped.slot_at) == (shifts.id, utc(28, 8))
    assert "Skipped" in skipped.detail and "2 h" in skipped.detail and "10 min grace" in skipped.detail
    assert replicas.schedulers["replica-a"].run_once() == SchedulerReport(schedules=1), "said once, by one replica"
    stored = replicas.store.get(shifts.id)
    assert stored is not None and stored.last_error == skipped.detail

    replicas.step(utc(28, 20, 30))
    assert replicas.windows(shifts) == [(utc(28, 8), utc(28, 20))], "the next digest covers its own shift only"
    cleared = replicas.store.get(shifts.id)
    assert cleared is not None and cleared.last_error is None


def test_a_replica_back_within_the_grace_still_posts(replicas: Replicas):
    shifts = replicas.schedule("09:00,21:00")
    replicas.clock.set(utc(28, 8) + GRACE)
    report = replicas.schedulers["replica-a"].run_once()
    assert [o.slot_at for o in report.posted] == [utc(28, 8)]
    assert replicas.windows(shifts) == [(utc(27, 20), utc(28, 8))]
    assert replicas.posts[0].at == utc(28, 8, 10)


def test_a_failed_post_records_the_error_and_is_not_retried(replicas: Replicas):
    shifts = replicas.schedule("09:00,21:00")
    for poster in replicas.posters.values():
        poster.failing.add(shifts.id)
    replicas.step(utc(28, 8, 30))
    failed = [o for _, r in replicas.reports for o in r.failed]
    assert [(o.schedule_id, o.slot_at) for o in failed] == [(shifts.id, utc(28, 8))], "tried once, by one replica"
    stored = replicas.store.get(shifts.id)
    assert stored is not None and stored.last_error is not None and "may not post in #sec-oncall" in stored.last_error
    run = replicas.store.run(shifts.id, utc(28, 8))
    assert run is not None and run.posted_at is None and run.error == stored.last_error

    replicas.step(utc(28, 8) + STALE_CLAIM * 4)
    assert len([o for _, r in replicas.reports for o in r.failed]) == 1, "a failed slot stays failed"

    for poster in replicas.posters.values():
        poster.failing.clear()
    replicas.step(utc(28, 20, 1))
    assert replicas.windows(shifts) == [(utc(28, 8), utc(28, 20))]
    recovered = replicas.store.get(shifts.id)
    assert recovered is not None and recovered.last_error is None


def test_a_replica_that_died_mid_post_is_taken_over_once(replicas: Replicas):
    shifts = replicas.schedule("09:00,21:00")
    replicas.clock.set(utc(28, 8))
    assert replicas.store.claim_slot(shifts.id, utc(28, 8), "replica-dead"), "claimed, then the replica died"
    replicas.step(utc(28, 8, 30))
    (post,) = replicas.posts
    assert (post.start, post.end) == (utc(27, 20), utc(28, 8))
    assert post.at == utc(28, 8) + STALE_CLAIM, "as soon as the claim went stale, within the grace"
    run = replicas.store.run(shifts.id, utc(28, 8))
    assert run is not None and run.claimed_by == post.owner and run.posted_at == post.at


def test_a_slot_from_before_the_schedule_was_made_is_not_owed(replicas: Replicas):
    replicas.clock.set(utc(28, 8, 5))
    shifts = replicas.schedule("09:00,21:00")
    replicas.step(utc(28, 8, 20))
    assert replicas.posts == []
    assert replicas.store.runs(shifts.id) == []
    replicas.step(utc(28, 20))
    assert replicas.windows(shifts) == [(utc(28, 8), utc(28, 20))]


def test_a_removed_schedule_is_not_posted_and_an_unreadable_one_is_reported(replicas: Replicas):
    gone = replicas.schedule("09:00")
    odd = replicas.schedule("09:00", tz="Mars/Olympus_Mons")
    replicas.store.remove(gone.id)
    replicas.step(utc(28, 8, 1), running=("replica-a",))
    assert replicas.posts == []
    assert {i for _, r in replicas.reports for i in r.unreadable} == {odd.id}


def test_an_unexpected_poster_error_fails_the_slot_without_stopping_the_others(replicas: Replicas):
    broken = replicas.schedule("09:00,21:00")
    fine = replicas.schedule("09:00,21:00", query="action:user_login")

    class Broken(RecordingPoster):
        def post_handoff(self, schedule: HandoffSchedule, *, start: datetime, end: datetime) -> str:
            if schedule.id == broken.id:
                raise RuntimeError("a bug")
            return super().post_handoff(schedule, start=start, end=end)

    poster = Broken("replica-a", replicas.clock, replicas.posts)
    scheduler = HandoffScheduler(replicas.store, poster, replicas.clock, owner="replica-a")
    replicas.clock.set(utc(28, 8))
    report = scheduler.run_once()
    assert [o.schedule_id for o in report.failed] == [broken.id]
    assert [o.schedule_id for o in report.posted] == [fine.id]
    stored = replicas.store.get(broken.id)
    assert stored is not None and stored.last_error == "Something went wrong on auditbot's side; it has been logged."


def test_run_forever_passes_on_the_clock_until_stopped(replicas: Replicas):
    shifts = replicas.schedule("09:00,21:00")
    replicas.clock.set(utc(28, 7, 58))
    stop = threading.Event()
    reports: list[SchedulerReport] = []

    def seen(report: SchedulerReport) -> None:
        reports.append(report)
        if replicas.clock.now() >= utc(28, 8, 5):
            stop.set()

    replicas.schedulers["replica-a"].run_forever(stop, interval=30.0, on_report=seen)
    assert replicas.windows(shifts) == [(utc(27, 20), utc(28, 8))]
    assert replicas.posts[0].at == utc(28, 8)
    assert sum(len(r.posted) for r in reports) == 1 and len(reports) == 15


def test_the_scheduler_needs_an_owner_and_a_grace(replicas: Replicas):
    poster = replicas.posters["replica-a"]
    with pytest.raises(ValueError, match="owner"):
        HandoffScheduler(replicas.store, poster, replicas.clock, owner="")
    with pytest.raises(ValueError, match="grace"):
        HandoffScheduler(replicas.store, poster, replicas.clock, owner="x", grace=timedelta(0))


# -- filters ------------------------------------------------------------------------------------------


def test_filters_are_a_query_without_time_terms(org: GeneratedOrg):
    snapshot = World(org).catalog.snapshot()
    assert digest_query("", snapshot).canonical == ""
    assert digest_query("-actor:SVC@example.com", snapshot).canonical == "-actor:svc@example.com"
    assert digest_query('action:"User login"', snapshot).canonical == "action:user_login"
    with pytest.raises(AuditbotError) as caught:
        digest_query("action:user_login since:1d", snapshot)
    assert "which events, not when (since:1d)" in caught.value.message
    assert caught.value.hint == "Remove since:1d: each digest covers the time since the one before it."
    assert getattr(caught.value, "suggestions", None) == ["action:user_login"]
