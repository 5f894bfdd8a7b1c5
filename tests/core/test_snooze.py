"""When a snooze ends: elapsed hours, and 09:00 on the next calendar day in the person's zone, DST included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from auditbot.core.errors import AuditbotError
from auditbot.core.snooze import CHOICES, FOUR_HOURS, ONE_HOUR, TOMORROW_MORNING, snooze_until

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def local(tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def test_hours_are_elapsed_time_in_utc():
    now = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)
    assert snooze_until(ONE_HOUR, now, BERLIN) == datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert snooze_until(FOUR_HOURS, now, BERLIN) == datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    assert snooze_until(ONE_HOUR, now, BERLIN).tzinfo is UTC


def test_an_hour_across_the_spring_change_is_still_sixty_minutes():
    now = local(BERLIN, 2026, 3, 29, 1, 30)  # clocks jump from 02:00 to 03:00
    until = snooze_until(ONE_HOUR, now, BERLIN)
    assert until - now == timedelta(hours=1)
    assert until.astimezone(BERLIN).hour == 3 and until.astimezone(BERLIN).minute == 30


def test_tomorrow_at_half_past_eleven_is_the_next_morning():
    now = local(BERLIN, 2026, 11, 24, 23, 30)
    until = snooze_until(TOMORROW_MORNING, now, BERLIN)
    assert until == local(BERLIN, 2026, 11, 25, 9, 0)
    assert until == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert until - now == timedelta(hours=9, minutes=30)


def test_tomorrow_at_half_past_midnight_is_the_day_after_the_one_just_begun():
    now = local(BERLIN, 2026, 11, 25, 0, 30)  # 23:30 UTC the day before
    assert now.astimezone(UTC).day == 24
    until = snooze_until(TOMORROW_MORNING, now, BERLIN)
    assert until == local(BERLIN, 2026, 11, 26, 9, 0)
    assert until - now == timedelta(hours=32, minutes=30)


def test_tomorrow_is_read_in_the_persons_zone_not_utc():
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 21:00 on the 24th in New York
    assert snooze_until(TOMORROW_MORNING, now, NEW_YORK) == local(NEW_YORK, 2026, 11, 25, 9, 0)
    assert snooze_until(TOMORROW_MORNING, now, BERLIN) == local(BERLIN, 2026, 11, 26, 9, 0)


@pytest.mark.parametrize(
    ("tz", "evening", "morning_utc", "wait"),
    [
        # spring forward: the night is an hour shorter
        (BERLIN, (2026, 3, 28, 23, 30), datetime(2026, 3, 29, 7, 0, tzinfo=UTC), timedelta(hours=8, minutes=30)),
        (NEW_YORK, (2026, 3, 7, 23, 30), datetime(2026, 3, 8, 13, 0, tzinfo=UTC), timedelta(hours=8, minutes=30)),
        # fall back: an hour longer
        (BERLIN, (2026, 10, 24, 23, 30), datetime(2026, 10, 25, 8, 0, tzinfo=UTC), timedelta(hours=10, minutes=30)),
        (NEW_YORK, (2026, 10, 31, 23, 30), datetime(2026, 11, 1, 14, 0, tzinfo=UTC), timedelta(hours=10, minutes=30)),
    ],
    ids=["berlin-spring", "new-york-spring", "berlin-autumn", "new-york-autumn"],
)
def test_tomorrow_morning_across_a_dst_change(tz, evening, morning_utc, wait):
    now = local(tz, *evening)
    until = snooze_until(TOMORROW_MORNING, now, tz)
    assert until == morning_utc
    assert (until.astimezone(tz).hour, until.astimezone(tz).minute) == (9, 0)
    assert until - now == wait


@pytest.mark.parametrize("tz", [BERLIN, NEW_YORK, ZoneInfo("Asia/Kolkata"), ZoneInfo("Australia/Lord_Howe")])
def test_tomorrow_is_always_nine_on_the_next_local_date_and_in_the_future(tz):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for step in range(0, 366 * 24, 7):
        now = start + timedelta(hours=step, minutes=13)
        until = snooze_until(TOMORROW_MORNING, now, tz)
        shown = until.astimezone(tz)
        assert (shown.hour, shown.minute) == (9, 0), now
        assert shown.date() == now.astimezone(tz).date() + timedelta(days=1), now
        assert timedelta(hours=8) < until - now < timedelta(hours=34), now


def test_every_offered_choice_is_understood_and_nothing_else():
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert all(snooze_until(choice, now, BERLIN) > now for choice in CHOICES)
    with pytest.raises(AuditbotError, match="Unknown snooze"):
        snooze_until("forever", now, BERLIN)
    with pytest.raises(ValueError, match="aware"):
        snooze_until(ONE_HOUR, datetime(2026, 11, 24, 12), BERLIN)
