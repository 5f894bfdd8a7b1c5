"""Digest slots: reading times and zones, and the instants they fall on, across DST in Berlin and New York."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditbot.core.errors import AuditbotError
from auditbot.core.schedule import (
    MAX_TIMES,
    ScheduleError,
    format_times,
    latest_slot,
    looks_like_zone,
    next_slot,
    parse_times,
    parse_zone,
    previous_slot,
    slots_between,
    slots_on,
    split_schedule,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SHIFTS = (time(9), time(21))


def utc(month: int, day: int, hour: int = 0, minute: int = 0, *, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- times ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("09:00,21:00", "09:00,21:00"),
        ("9:00", "09:00"),
        ("21:30", "21:30"),
        ("21:00,9:00,09:00", "09:00,21:00"),
        (" 7:30 , 19:30 ", "07:30,19:30"),
        ("0:00,23:59", "00:00,23:59"),
    ],
)
def test_times_are_read_sorted_without_duplicates(text: str, canonical: str):
    assert format_times(parse_times(text)) == canonical
    assert parse_times(canonical) == parse_times(text)


@pytest.mark.parametrize(
    ("text", "says", "suggestion"),
    [
        ("25:00", "25:00 is not a time of day: hours go from 00 to 23", None),
        ("09:60", "minutes from 00 to 59", None),
        ("9am", "9am is not a time of day", "09:00"),
        ("9pm", "9pm is not a time of day", "21:00"),
        ("0930", "0930 is not a time of day", "09:30"),
        ("9.30", "9.30 is not a time of day", "09:30"),
        ("noon", "noon is not a time of day", None),
        ("09:00,,21:00", "empty time between its commas", None),
        ("", "At what times", None),
        ("09:00:30", "09:00:30 is not a time of day", None),
    ],
)
def test_bad_times_are_refused_with_what_to_write(text: str, says: str, suggestion: str | None):
    with pytest.raises(ScheduleError) as caught:
        parse_times(text)
    assert isinstance(caught.value, AuditbotError)
    assert says in caught.value.message
    assert caught.value.hint is not None and "09:00,21:00" in caught.value.hint
    assert caught.value.suggestions == ((suggestion,) if suggestion else ())


def test_at_most_one_slot_an_hour_on_average():
    every_half_hour = ",".join(f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30))
    with pytest.raises(ScheduleError, match=f"at most {MAX_TIMES} times a day"):
        parse_times(every_half_hour)
    assert len(parse_times(",".join(f"{h}:00" for h in range(24)))) == MAX_TIMES


# -- zones ---------------------------------------------------------------------------------------------


def test_zones_are_iana_names_in_any_case():
    assert parse_zone("Europe/Berlin") == BERLIN
    assert parse_zone("europe/berlin").key == "Europe/Berlin"
    assert parse_zone(" UTC ").key == "UTC"
    assert parse_zone("america/NEW_york").key == "America/New_York"


@pytest.mark.parametrize(
    ("text", "suggested"),
    [("Europe/Berln", "Europe/Berlin"), ("Berlin", "Europe/Berlin"), ("new_york", "America/New_York")],
)
def test_an_unknown_zone_names_an_example_and_the_likely_one(text: str, suggested: str):
    with pytest.raises(ScheduleError) as caught:
        parse_zone(text)
    assert caught.value.message == f"{text} is not a time zone auditbot knows."
    assert suggested in caught.value.suggestions
    assert caught.value.hint is not None and f"Did you mean {suggested}" in caught.value.hint
    assert "Europe/Berlin" in caught.value.hint


@pytest.mark.parametrize("text", ["Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "", "Europe"])
def test_paths_and_made_up_zones_are_refused(text: str):
    with pytest.raises(ScheduleError, match="not a time zone auditbot knows"):
        parse_zone(text)


@pytest.mark.parametrize(
    ("word", "zone"),
    [
        ("Europe/Berlin", True),
        ("utc", True),
        ("Berlin", True),
        ("Mars/Olympus", True),
        ("actor:bob@example.com", False),
        ("-actor:svc@example.com", False),
        ("login", False),
        ('"Europe/Berlin"', False),
    ],
)
def test_what_looks_like_a_zone_in_a_command(word: str, zone: bool):
    assert looks_like_zone(word) is zone


# -- slots on ordinary days ------------------------------------------------------------------------------


def test_the_latest_previous_and_next_slot_on_an_ordinary_winter_day():
    now = utc(11, 25, 12, 0)  # 13:00 in Berlin
    assert latest_slot(SHIFTS, BERLIN, now) == utc(11, 25, 8)
    assert previous_slot(SHIFTS, BERLIN, utc(11, 25, 8)) == utc(11, 24, 20)
    assert next_slot(SHIFTS, BERLIN, now) == utc(11, 25, 20)


def test_a_slot_is_its_own_latest_and_not_its_own_next():
    slot = utc(7, 1, 7)  # 09:00 summer time
    assert latest_slot(SHIFTS, BERLIN, slot) == slot
    assert latest_slot(SHIFTS, BERLIN, slot - timedelta(microseconds=1)) == utc(6, 30, 19)
    assert next_slot(SHIFTS, BERLIN, slot) == utc(7, 1, 19)


def test_one_time_a_day_covers_the_whole_day_before():
    daily = (time(8, 30),)
    slot = latest_slot(daily, NEW_YORK, utc(11, 25, 20))
    assert slot == utc(11, 25, 13, 30)
    assert previous_slot(daily, NEW_YORK, slot) == utc(11, 24, 13, 30)


def test_no_times_no_slots():
    assert latest_slot((), BERLIN, utc(11, 25)) is None
    assert next_slot((), BERLIN, utc(11, 25)) is None
    with pytest.raises(ValueError, match="at least one time"):
        previous_slot((), BERLIN, utc(11, 25))


def test_naive_datetimes_are_a_bug():
    with pytest.raises(ValueError, match="timezone-aware"):
        latest_slot(SHIFTS, BERLIN, datetime(2026, 11, 25, 12))


# -- DST in Europe/Berlin: 29 March 2026 02:00 → 03:00, 25 October 2026 03:00 → 02:00 ------------------------


def test_berlin_spring_forward_the_night_shift_is_an_hour_shorter():
    assert slots_between(SHIFTS, BERLIN, utc(3, 28), utc(3, 30)) == [
        utc(3, 28, 8),
        utc(3, 28, 20),
        utc(3, 29, 7),
        utc(3, 29, 19),
    ]
    morning = utc(3, 29, 7)
    assert morning - previous_slot(SHIFTS, BERLIN, morning) == timedelta(hours=11)


def test_berlin_a_time_in_the_spring_gap_moves_forward_by_the_gap():
    night = (time(2, 30),)
    assert slots_on(datetime(2026, 3, 29).date(), night, BERLIN) == [utc(3, 29, 1, 30)]  # 03:30 CEST
    assert utc(3, 29, 1, 30).astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"
    assert slots_between(night, BERLIN, utc(3, 27), utc(3, 31)) == [
        utc(3, 27, 1, 30),
        utc(3, 28, 1, 30),
        utc(3, 29, 1, 30),
        utc(3, 30, 0, 30),
    ]


def test_berlin_two_times_that_meet_in_the_gap_make_one_slot():
    both = parse_times("02:30,03:30")
    assert slots_on(datetime(2026, 3, 29).date(), both, BERLIN) == [utc(3, 29, 1, 30)]
    assert len(slots_on(datetime(2026, 3, 28).date(), both, BERLIN)) == 2
    assert previous_slot(both, BERLIN, utc(3, 29, 1, 30)) == utc(3, 28, 2, 30)


def test_berlin_a_time_that_happens_twice_in_autumn_is_posted_at_the_first():
    night = (time(2, 30),)
    assert slots_between(night, BERLIN, utc(10, 24), utc(10, 27)) == [
        utc(10, 24, 0, 30),
        utc(10, 25, 0, 30),
        utc(10, 26, 1, 30),
    ]
    second_time_round = utc(10, 25, 1, 45)  # 02:45 CET, after the clocks went back
    assert latest_slot(night, BERLIN, second_time_round) == utc(10, 25, 0, 30)
    assert next_slot(night, BERLIN, second_time_round) == utc(10, 26, 1, 30)
    assert utc(10, 26, 1, 30) - utc(10, 25, 0, 30) == timedelta(hours=25), "the day after is an hour longer"


def test_berlin_autumn_the_night_shift_is_an_hour_longer():
    morning = latest_slot(SHIFTS, BERLIN, utc(10, 25, 12))
    assert morning == utc(10, 25, 8)
    assert morning - previous_slot(SHIFTS, BERLIN, morning) == timedelta(hours=13)


# -- DST in America/New_York: 8 March 2026 02:00 → 03:00, 1 November 2026 02:00 → 01:00 ------------------------


def test_new_york_spring_forward():
    night = (time(2, 30),)
    assert slots_on(datetime(2026, 3, 8).date(), night, NEW_YORK) == [utc(3, 8, 7, 30)]  # 03:30 EDT
    assert previous_slot(night, NEW_YORK, utc(3, 8, 7, 30)) == utc(3, 7, 7, 30)
    assert next_slot(night, NEW_YORK, utc(3, 8, 7, 30)) == utc(3, 9, 6, 30)
    shifts = parse_times("07:00,19:00")
    assert slots_between(shifts, NEW_YORK, utc(3, 7, 12), utc(3, 9)) == [
        utc(3, 7, 12),
        utc(3, 8, 0),
        utc(3, 8, 11),
        utc(3, 8, 23),
    ]


def test_new_york_fall_back_posts_the_repeated_hour_once():
    night = (time(1, 30),)
    assert slots_on(datetime(2026, 11, 1).date(), night, NEW_YORK) == [utc(11, 1, 5, 30)]  # 01:30 EDT
    assert latest_slot(night, NEW_YORK, utc(11, 1, 6, 45)) == utc(11, 1, 5, 30), "01:45 EST: still the same slot"
    assert next_slot(night, NEW_YORK, utc(11, 1, 6)) == utc(11, 2, 6, 30)


# -- properties ------------------------------------------------------------------------------------------

ZONES = [BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("Asia/Kathmandu"), ZoneInfo("UTC")]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.lists(st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 59])), min_size=1, max_size=6),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)),
)
def test_slots_are_consistent_everywhere(tz: ZoneInfo, times: list[time], now: datetime):
    latest = latest_slot(times, tz, now)
    upcoming = next_slot(times, tz, now)
    assert latest is not None and upcoming is not None
    assert latest <= now < upcoming
    assert slots_between(times, tz, latest, upcoming + timedelta(microseconds=1)) == [latest, upcoming]
    before = previous_slot(times, tz, latest)
    assert slots_between(times, tz, before, latest) == [before]
    assert latest - before <= timedelta(hours=26)
    day = now.astimezone(tz).date()
    assert 1 <= len(slots_on(day, times, tz)) <= len(set(times))


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("", ("", None, "")),
        ("09:00", ("09:00", None, "")),
        (
            "09:00,21:00 Europe/Berlin -actor:svc@example.com",
            ("09:00,21:00", "Europe/Berlin", "-actor:svc@example.com"),
        ),
        ("09:00, 21:00 utc", ("09:00,21:00", "utc", "")),
        ("09:00 ,21:00 action:user_login", ("09:00,21:00", None, "action:user_login")),
        ("9am Europe/Berlin", ("9am", "Europe/Berlin", "")),
        ("09:00 action:user_login  actor:a@b.c", ("09:00", None, "action:user_login  actor:a@b.c")),
    ],
)
def test_a_schedule_as_typed_splits_into_times_zone_and_filters(typed: str, parts: tuple[str, str | None, str]):
    assert split_schedule(typed) == parts
