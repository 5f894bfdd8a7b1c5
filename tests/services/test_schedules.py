"""The digest schedule use cases over a real store (SQLite and PostgreSQL): schedule once per channel,
times, zone and filters; list with the next digests; unschedule by id or its tail."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from auditbot.core.errors import AuditbotError
from auditbot.core.querysyntax import QueryError
from auditbot.core.schedule import ScheduleError
from auditbot.services.schedules import HandoffSchedule, Scheduled, ScheduleRequest, ScheduleService
from auditbot.services.workspace_items import ChannelCheck, MissingId, UnknownId
from auditbot.store import Database
from auditbot.store.schedules import HandoffSchedules
from tests.services.world import World

TEAM, OTHER_TEAM = "T1", "T2"
SEC, OPS = "C0SEC", "C0OPS"
BERLIN = ZoneInfo("Europe/Berlin")


class Zones:
    """The person's own time zone, counting how often it was asked for."""

    def __init__(self, zone: ZoneInfo = BERLIN) -> None:
        self.zone = zone
        self.asked = 0

    def __call__(self) -> ZoneInfo:
        self.asked += 1
        return self.zone


class Checks:
    def __init__(self, *refused: str) -> None:
        self.asked: list[str] = []
        self.refused = set(refused)

    def __call__(self, channel_id: str) -> None:
        self.asked.append(channel_id)
        if channel_id in self.refused:
            raise AuditbotError(f"auditbot may not post in {channel_id}")


def schedule(
    svc: ScheduleService,
    times: str,
    zone: str | None = "Europe/Berlin",
    filters: str = "",
    *,
    channel: str = SEC,
    team: str = TEAM,
    zones: Zones | None = None,
    checks: ChannelCheck | None = None,
) -> Scheduled:
    request = ScheduleRequest(team, channel, "U1", times=times, zone=zone, filters=filters)
    return svc.schedule(request, own_zone=zones or Zones(), check_channel=checks or Checks())


def test_a_schedule_is_stored_in_canonical_text_with_its_next_digest(world: World, empty_store: Database):
    svc = ScheduleService(HandoffSchedules(empty_store, world.clock), world.catalog, world.clock)
    zones, checks = Zones(), Checks()
    made = schedule(svc, "21:00,9:00", "europe/berlin", 'action:"User login"', zones=zones, checks=checks)
    s = made.schedule
    assert made.created
    assert (s.team_id, s.channel_id, s.times, s.tz, s.query) == (
        TEAM,
        SEC,
        "09:00,21:00",
        "Europe/Berlin",
        "action:user_login",
    )
    assert made.next_at == datetime(2026, 11, 25, 20, 0, tzinfo=UTC), "21:00 in Berlin, after 12:00 UTC"
    assert zones.asked == 0 and checks.asked == [SEC]


def test_without_a_zone_the_persons_own_is_used(world: World, empty_store: Database):
    svc = ScheduleService(HandoffSchedules(empty_store, world.clock), world.catalog, world.clock)
    zones = Zones(ZoneInfo("America/New_York"))
    assert schedule(svc, "09:00", None, zones=zones).schedule.tz == "America/New_York"
    assert zones.asked == 1


def test_scheduling_the_same_again_makes_nothing_new(world: World, empty_store: Database):
    repo = HandoffSchedules(empty_store, world.clock)
    svc = ScheduleService(repo, world.catalog, world.clock)
    first = schedule(svc, "09:00,21:00", "Europe/Berlin", "-actor:svc@example.com")
    again = schedule(svc, "21:00, 9:00", "europe/berlin", "-actor:SVC@example.com")
    assert not again.created and again.schedule == first.schedule
    assert again.next_at == first.next_at
    others = [
        schedule(svc, "09:00,21:00", "Europe/Berlin", "-actor:svc@example.com", channel=OPS),
        schedule(svc, "09:00", "Europe/Berlin", "-actor:svc@example.com"),
        schedule(svc, "09:00,21:00", "UTC", "-actor:svc@example.com"),
        schedule(svc, "09:00,21:00", "Europe/Berlin"),
        schedule(svc, "09:00,21:00", "Europe/Berlin", "-actor:svc@example.com", team=OTHER_TEAM),
    ]
    assert all(o.created for o in others)
    assert len(repo.of_team(TEAM)) == 5


def test_losing_the_race_to_another_replica_answers_with_the_one_that_won(world: World, empty_store: Database):
    ours, theirs = HandoffSchedules(empty_store, world.clock), HandoffSchedules(empty_store, world.clock)
    won: list[HandoffSchedule] = []

    def other_replica_first(channel_id: str) -> None:
        won.append(
            theirs.create(team_id=TEAM, channel_id=channel_id, times="09:00", tz="UTC", query="", created_by="U2")
        )

    answer = schedule(ScheduleService(ours, world.catalog, world.clock), "9:00", "UTC", checks=other_replica_first)
    assert not answer.created and answer.schedule == won[0]
    assert [s.id for s in ours.of_team(TEAM)] == [won[0].id]


@pytest.mark.parametrize(
    ("times", "zone", "filters", "error"),
    [
        ("25:00", "UTC", "", ScheduleError),
        ("09:00", "Mars/Olympus", "", ScheduleError),
        ("09:00", "UTC", "action:user_login since:1d", QueryError),
    ],
)
def test_what_cannot_be_read_is_refused_before_the_channel_is_checked(
    world: World, empty_store: Database, times: str, zone: str, filters: str, error: type[Exception]
):
    repo = HandoffSchedules(empty_store, world.clock)
    checks = Checks()
    with pytest.raises(error):
        schedule(ScheduleService(repo, world.catalog, world.clock), times, zone, filters, checks=checks)
    assert checks.asked == [] and repo.of_team(TEAM) == []


def test_a_refused_channel_stores_nothing(world: World, empty_store: Database):
    repo = HandoffSchedules(empty_store, world.clock)
    with pytest.raises(AuditbotError, match="may not post"):
        schedule(ScheduleService(repo, world.catalog, world.clock), "09:00", checks=Checks(SEC))
    assert repo.of_team(TEAM) == []


def test_unschedule_finds_it_by_id_with_or_without_the_prefix(world: World, empty_store: Database):
    repo = HandoffSchedules(empty_store, world.clock)
    svc = ScheduleService(repo, world.catalog, world.clock)
    made = schedule(svc, "09:00").schedule
    tail = made.id.removeprefix("dg-")
    assert svc.find(TEAM, tail.upper()) == made
    with pytest.raises(UnknownId):
        svc.unschedule(OTHER_TEAM, made.id)
    with pytest.raises(MissingId) as missing:
        svc.unschedule(TEAM, "")
    assert missing.value.prefix == "dg-"
    assert svc.unschedule(TEAM, f" {tail} ") == made
    assert repo.get(made.id) is None
    with pytest.raises(UnknownId):
        svc.unschedule(TEAM, made.id)


def test_the_list_is_narrowed_by_text_and_says_when_each_posts_next(world: World, empty_store: Database):
    repo = HandoffSchedules(empty_store, world.clock)
    svc = ScheduleService(repo, world.catalog, world.clock)
    morning = schedule(svc, "09:00", "UTC").schedule
    world.clock.advance(60)
    evening = schedule(svc, "21:00", "Europe/Berlin", "action:user_login", channel=OPS).schedule
    world.clock.advance(60)
    unreadable = repo.create(team_id=TEAM, channel_id=SEC, times="9am", tz="UTC", query="", created_by="U1")
    assert svc.of_team(TEAM) == [morning, evening, unreadable]
    assert svc.of_team(TEAM, text="berlin") == [evening]
    assert svc.of_team(TEAM, text="USER_LOGIN") == [evening]
    assert svc.of_team(OTHER_TEAM) == []
    assert svc.upcoming([morning, evening, unreadable]) == {
        morning.id: datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
        evening.id: datetime(2026, 11, 25, 20, 0, tzinfo=UTC),
        unreadable.id: None,
    }
