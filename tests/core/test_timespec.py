"""Time values: parsing, canonical text, and resolution in several zones, DST days included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from auditbot.core.timespec import (
    DateSpec,
    DateTimeSpec,
    DaySpec,
    NowSpec,
    RelativeSpec,
    TimeSpec,
    TimeSpecError,
    TimeWindow,
    WeekdaySpec,
    day_boundary,
    local_to_utc,
    order_problem,
    parse_timespec,
    resolve,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "spec", "canonical"),
    [
        ("15m", RelativeSpec(((15, "m"),)), "15m"),
        ("2h", RelativeSpec(((2, "h"),)), "2h"),
        ("7d", RelativeSpec(((7, "d"),)), "7d"),
        ("2w", RelativeSpec(((2, "w"),)), "2w"),
        ("90s", RelativeSpec(((90, "s"),)), "90s"),
        ("1h30m", RelativeSpec(((1, "h"), (30, "m"))), "1h30m"),
        ("2d12h", RelativeSpec(((2, "d"), (12, "h"))), "2d12h"),
        ("24hours", RelativeSpec(((24, "h"),)), "24h"),
        ("3Days", RelativeSpec(((3, "d"),)), "3d"),
        ("10min", RelativeSpec(((10, "m"),)), "10m"),
        ("1week", RelativeSpec(((1, "w"),)), "1w"),
        ("007d", RelativeSpec(((7, "d"),)), "7d"),
        ("0m", RelativeSpec(((0, "m"),)), "0m"),
        ("3660d", RelativeSpec(((3660, "d"),)), "3660d"),
        ("2026-11-20", DateSpec(date(2026, 11, 20)), "2026-11-20"),
        ("2026-11-20T14:00", DateTimeSpec(datetime(2026, 11, 20, 14, 0)), "2026-11-20T14:00"),
        ("2026-11-20t14:00", DateTimeSpec(datetime(2026, 11, 20, 14, 0)), "2026-11-20T14:00"),
        ("2026-11-20 14:00", DateTimeSpec(datetime(2026, 11, 20, 14, 0)), "2026-11-20T14:00"),
        ("2026-11-20T14:00:30", DateTimeSpec(datetime(2026, 11, 20, 14, 0, 30)), "2026-11-20T14:00:30"),
        ("2026-11-20T14:00:00", DateTimeSpec(datetime(2026, 11, 20, 14, 0)), "2026-11-20T14:00"),
        ("2026-11-20T14:00:30.120", DateTimeSpec(datetime(2026, 11, 20, 14, 0, 30, 120000)), "2026-11-20T14:00:30.12"),
        ("2026-11-20T14:00:00.000001", DateTimeSpec(datetime(2026, 11, 20, 14, 0, 0, 1)), "2026-11-20T14:00:00.000001"),
        ("2026-11-20T14:00:30.123456789Z", DateTimeSpec(utc(2026, 11, 20, 14, 0, 30, 123456)), None),
        ("2026-11-20T14:00Z", DateTimeSpec(utc(2026, 11, 20, 14, 0)), "2026-11-20T14:00Z"),
        ("2026-11-20T14:00+02:00", DateTimeSpec(utc(2026, 11, 20, 12, 0)), "2026-11-20T12:00Z"),
        ("2026-11-20T14:00-0500", DateTimeSpec(utc(2026, 11, 20, 19, 0)), "2026-11-20T19:00Z"),
        ("2026-11-20T00:30+05", DateTimeSpec(utc(2026, 11, 19, 19, 30)), "2026-11-19T19:30Z"),
        ("now", NowSpec(), "now"),
        ("NOW", NowSpec(), "now"),
        ("today", DaySpec("today"), "today"),
        ("Yesterday", DaySpec("yesterday"), "yesterday"),
        ("monday", WeekdaySpec(0), "monday"),
        ("mon", WeekdaySpec(0), "monday"),
        ("tue", WeekdaySpec(1), "tuesday"),
        ("tues", WeekdaySpec(1), "tuesday"),
        ("Wed", WeekdaySpec(2), "wednesday"),
        ("thurs", WeekdaySpec(3), "thursday"),
        ("fri", WeekdaySpec(4), "friday"),
        ("saturday", WeekdaySpec(5), "saturday"),
        ("sun", WeekdaySpec(6), "sunday"),
    ],
)
def test_parse_and_canonical_text(text: str, spec: TimeSpec, canonical: str | None) -> None:
    parsed = parse_timespec(text)
    assert parsed == spec
    assert parse_timespec(parsed.text) == parsed
    assert str(parsed) == parsed.text
    if canonical is not None:
        assert parsed.text == canonical


@pytest.mark.parametrize(
    ("text", "fragment", "suggestion"),
    [
        ("", "Unknown time", None),
        ("7x", "Unknown time unit", None),
        ("7dayz", "Unknown time unit", "7d"),
        ("3mo", "Months and years are not supported", None),
        ("1y", "Months and years are not supported", None),
        ("30m1h", "Units out of order", None),
        ("1h1h", "Units out of order", None),
        ("3661d", "too long ago", None),
        ("99999999999999999999w", "too long ago", None),
        ("yesterdy", "Unknown time", "yesterday"),
        ("tomorow", "Unknown time", None),
        ("mondy", "Unknown time", "monday"),
        ("2026-02-30", "not a valid date", None),
        ("2026-11-20T25:00", "not a valid date or time", None),
        ("2026-11-20T14:60", "not a valid date or time", None),
        ("1969-12-31", "out of range", None),
        ("3000-01-01", "out of range", None),
        ("1970-01-01T00:30+01:00", "out of range", None),
        ("2026-11-20T14:00+19:00", "invalid UTC offset", None),
        ("2026-11-20Z", "Unknown time", None),
        ("12:30", "Unknown time", None),
        ("20261120", "Unknown time", None),
        ("-7d", "Unknown time", None),
        ("7 d", "Unknown time", None),
        ("\u0663d", "Unknown time", None),  # Arabic-Indic digit three: only ASCII digits count
    ],
)
def test_invalid_values(text: str, fragment: str, suggestion: str | None) -> None:
    with pytest.raises(TimeSpecError) as info:
        parse_timespec(text)
    assert fragment in info.value.message
    assert info.value.hint
    if suggestion is not None:
        assert suggestion in info.value.suggestions


@pytest.mark.parametrize(
    ("make", "args"),
    [
        (RelativeSpec, ((),)),
        (RelativeSpec, (((30, "m"), (1, "h")),)),
        (RelativeSpec, (((1, "y"),),)),
        (RelativeSpec, (((1, "dh"),),)),
        (RelativeSpec, (((-1, "d"),),)),
        (RelativeSpec, (((3661, "d"),),)),
        (DateSpec, (date(1969, 1, 1),)),
        (DateTimeSpec, (datetime(3000, 1, 1),)),
        (WeekdaySpec, (7,)),
        (DaySpec, ("tomorrow",)),
    ],
)
def test_constructors_refuse_values_without_canonical_text(make: type[TimeSpec], args: tuple[object, ...]) -> None:
    with pytest.raises(ValueError):
        make(*args)


# (spec text, zone, now, start, end): what each value resolves to as a start and as an end
RESOLUTIONS = [
    ("24h", BERLIN, NOW, utc(2026, 11, 24, 12), utc(2026, 11, 24, 12)),
    ("1h30m", UTC_ZONE, NOW, utc(2026, 11, 25, 10, 30), utc(2026, 11, 25, 10, 30)),
    ("now", SYDNEY, NOW, NOW, NOW),
    ("2026-11-20", UTC_ZONE, NOW, utc(2026, 11, 20), utc(2026, 11, 21)),
    ("2026-11-20", BERLIN, NOW, utc(2026, 11, 19, 23), utc(2026, 11, 20, 23)),
    ("2026-11-20", NEW_YORK, NOW, utc(2026, 11, 20, 5), utc(2026, 11, 21, 5)),
    ("2026-11-20", SYDNEY, NOW, utc(2026, 11, 19, 13), utc(2026, 11, 20, 13)),
    ("2026-11-20T14:00", BERLIN, NOW, utc(2026, 11, 20, 13), utc(2026, 11, 20, 13)),
    ("2026-11-20T14:00Z", SYDNEY, NOW, utc(2026, 11, 20, 14), utc(2026, 11, 20, 14)),
    ("today", BERLIN, NOW, utc(2026, 11, 24, 23), utc(2026, 11, 25, 23)),
    ("yesterday", BERLIN, NOW, utc(2026, 11, 23, 23), utc(2026, 11, 24, 23)),
    # 23:30 UTC is already the 26th in Sydney and still the 25th in New York
    ("today", SYDNEY, utc(2026, 11, 25, 23, 30), utc(2026, 11, 25, 13), utc(2026, 11, 26, 13)),
    ("today", NEW_YORK, utc(2026, 11, 25, 23, 30), utc(2026, 11, 25, 5), utc(2026, 11, 26, 5)),
    ("yesterday", SYDNEY, utc(2026, 11, 25, 23, 30), utc(2026, 11, 24, 13), utc(2026, 11, 25, 13)),
    # weekdays: the most recent such day, today included (NOW is a Wednesday)
    ("wednesday", UTC_ZONE, NOW, utc(2026, 11, 25), utc(2026, 11, 26)),
    ("monday", UTC_ZONE, NOW, utc(2026, 11, 23), utc(2026, 11, 24)),
    ("thursday", UTC_ZONE, NOW, utc(2026, 11, 19), utc(2026, 11, 20)),
    ("sunday", NEW_YORK, NOW, utc(2026, 11, 22, 5), utc(2026, 11, 23, 5)),
    ("thu", SYDNEY, utc(2026, 11, 25, 23, 30), utc(2026, 11, 25, 13), utc(2026, 11, 26, 13)),
    # Berlin spring forward (2026-03-29 02:00 -> 03:00): a 23-hour day; 02:30 does not exist
    ("2026-03-29", BERLIN, NOW, utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)),
    ("2026-03-29T02:30", BERLIN, NOW, utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 1, 30)),
    ("2026-03-29T03:00", BERLIN, NOW, utc(2026, 3, 29, 1), utc(2026, 3, 29, 1)),
    # Berlin fall back (2026-10-25 03:00 -> 02:00): a 25-hour day; 02:30 happens twice
    ("2026-10-25", BERLIN, NOW, utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)),
    ("2026-10-25T02:30", BERLIN, NOW, utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),
    # New York spring forward (2026-03-08 02:00 -> 03:00) and fall back (2026-11-01 02:00 -> 01:00)
    ("2026-03-08", NEW_YORK, NOW, utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)),
    ("2026-03-08T02:30", NEW_YORK, NOW, utc(2026, 3, 8, 7, 30), utc(2026, 3, 8, 7, 30)),
    ("2026-11-01", NEW_YORK, NOW, utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)),
    ("2026-11-01T01:30", NEW_YORK, NOW, utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)),
    # Sydney fall back (2026-04-05 03:00 -> 02:00) and spring forward (2026-10-04 02:00 -> 03:00)
    ("2026-04-05", SYDNEY, NOW, utc(2026, 4, 4, 13), utc(2026, 4, 5, 14)),
    ("2026-04-05T02:30", SYDNEY, NOW, utc(2026, 4, 4, 15, 30), utc(2026, 4, 4, 16, 30)),
    ("2026-10-04", SYDNEY, NOW, utc(2026, 10, 3, 14), utc(2026, 10, 4, 13)),
    ("2026-10-04T02:30", SYDNEY, NOW, utc(2026, 10, 3, 16, 30), utc(2026, 10, 3, 16, 30)),
    # relative values are elapsed time, even across a DST change
    ("1d", BERLIN, utc(2026, 3, 29, 12), utc(2026, 3, 28, 12), utc(2026, 3, 28, 12)),
    # today and weekdays on a DST day cover the real (23 h) day
    ("today", BERLIN, utc(2026, 3, 29, 12), utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)),
    ("sunday", NEW_YORK, utc(2026, 11, 2, 12), utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)),
]


@pytest.mark.parametrize(("text", "tz", "now", "start", "end"), RESOLUTIONS)
def test_resolve(text: str, tz: ZoneInfo, now: datetime, start: datetime, end: datetime) -> None:
    spec = parse_timespec(text)
    got_start = resolve(spec, now=now, tz=tz, end=False)
    got_end = resolve(spec, now=now, tz=tz, end=True)
    assert (got_start, got_end) == (start, end)
    assert got_start.tzinfo is UTC and got_end.tzinfo is UTC


def test_resolve_takes_now_in_any_zone_but_not_naive() -> None:
    spec = parse_timespec("today")
    in_tokyo = NOW.astimezone(ZoneInfo("Asia/Tokyo"))
    assert resolve(spec, now=in_tokyo, tz=BERLIN, end=False) == resolve(spec, now=NOW, tz=BERLIN, end=False)
    with pytest.raises(ValueError):
        resolve(spec, now=datetime(2026, 11, 25, 12), tz=BERLIN, end=False)


@pytest.mark.parametrize(
    ("zone", "day", "local_start"),
    [
        ("America/Santiago", date(2026, 9, 6), datetime(2026, 9, 6, 1)),  # midnight does not exist
        ("America/Havana", date(2026, 3, 8), datetime(2026, 3, 8, 1)),
        ("Asia/Beirut", date(2026, 3, 29), datetime(2026, 3, 29, 1)),
    ],
)
def test_a_day_without_midnight_starts_when_the_clock_jumps(zone: str, day: date, local_start: datetime) -> None:
    tz = ZoneInfo(zone)
    start = day_boundary(day, tz, end=False)
    assert start.astimezone(tz).replace(tzinfo=None) == local_start
    assert day_boundary(day - timedelta(days=1), tz, end=True) == start


def test_local_to_utc_gap_and_fold() -> None:
    gap = datetime(2026, 3, 29, 2, 30)
    assert local_to_utc(gap, BERLIN, later=False) == local_to_utc(gap, BERLIN, later=True) == utc(2026, 3, 29, 1, 30)
    fold = datetime(2026, 10, 25, 2, 30)
    assert local_to_utc(fold, BERLIN, later=False) == utc(2026, 10, 25, 0, 30)
    assert local_to_utc(fold, BERLIN, later=True) == utc(2026, 10, 25, 1, 30)


@pytest.mark.parametrize(
    ("since", "until", "problem"),
    [
        ("2026-11-08", "2026-11-01", True),
        ("2026-11-01", "2026-11-08", False),
        ("2026-11-08", "2026-11-08", False),  # one whole day
        ("2026-11-08T10:00", "2026-11-08", False),
        ("2026-11-09", "2026-11-08T10:00", True),
        ("2026-11-08T10:00", "2026-11-08T09:00", True),
        ("2026-11-08T10:00Z", "2026-11-08T09:00Z", True),
        ("2026-11-08T10:00Z", "2026-11-01", False),  # fixed instant vs local day: decided when run
        ("2h", "3h", True),
        ("3h", "2h", False),
        ("2h", "120m", False),
        ("7d", "2026-11-01", False),
        ("monday", "yesterday", False),
    ],
)
def test_order_problem(since: str, until: str, problem: bool) -> None:
    assert (order_problem(parse_timespec(since), parse_timespec(until)) is not None) is problem


def test_is_day() -> None:
    assert [parse_timespec(t).is_day for t in ("2026-11-01", "today", "yesterday", "fri")] == [True] * 4
    assert [parse_timespec(t).is_day for t in ("7d", "now", "2026-11-01T10:00")] == [False] * 3


def test_time_window() -> None:
    window = TimeWindow(datetime(2026, 11, 25, 13, tzinfo=BERLIN), NOW)
    assert window.start == utc(2026, 11, 25, 12) and window.start.tzinfo is UTC
    assert window.duration == timedelta(0)
    assert NOW not in TimeWindow(NOW - timedelta(hours=1), NOW)
    assert NOW - timedelta(hours=1) in TimeWindow(NOW - timedelta(hours=1), NOW)
    assert "x" not in window
    with pytest.raises(ValueError):
        TimeWindow(datetime(2026, 11, 25), NOW)


def test_specs_are_hashable_and_compare_by_value() -> None:
    specs = {parse_timespec(t) for t in ("7d", "7days", "168h", "mon", "monday", "2026-11-20T14:00+01:00")}
    assert specs == {
        RelativeSpec(((7, "d"),)),
        RelativeSpec(((168, "h"),)),
        WeekdaySpec(0),
        DateTimeSpec(utc(2026, 11, 20, 13)),
    }
