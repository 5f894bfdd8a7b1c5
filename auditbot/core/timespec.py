"""Time values of the query language, kept symbolic until a query runs.

A ``TimeSpec`` is what a person wrote after ``since:``/``until:``/``last:``. It becomes an instant
only in ``resolve(spec, now=..., tz=..., end=...)``, so a saved ``since:24h`` keeps meaning "the
last 24 hours" whenever it runs. Forms (case-insensitive):

    15m 2h 7d 2w 90s 1h30m   RelativeSpec  before now; units s m h d w (also sec, min, hr, hour(s),
                             day(s), week(s)), several largest first; elapsed time (1d is 24 h
                             even across a DST change); at most 3660d
    2026-11-20               DateSpec      a calendar day in the user's zone (years 1970-2999)
    2026-11-20T14:00[:30]    DateTimeSpec  wall-clock time in the user's zone (a space may replace
                             the T inside quotes); with Z or an offset (+02:00, -0500) a fixed
                             instant, written in UTC (…Z); fractions of a second kept to µs
    now | today yesterday    NowSpec | DaySpec
    monday … sunday          WeekdaySpec   the most recent such day, today included (also mon,
                             tue/tues, wed, thu/thur/thurs, fri, sat, sun)

Days (dates, today, yesterday, weekdays) mean 00:00 as a start and the end of the day (00:00 of
the next day, exclusive) as an end, so ``since:2026-11-01 until:2026-11-08`` covers both days.
DST: a day starts at its first instant (when midnight does not exist, the moment the clock jumps);
a wall-clock time in a spring-forward gap moves forward by the gap, as in java.time; one in an
autumn fold widens the window (the earlier occurrence as a start, the later as an end).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from difflib import get_close_matches
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from auditbot.core.errors import AuditbotError

MAX_RELATIVE = timedelta(days=3660)
"""The longest relative span accepted (about ten years; the Admin API keeps 180 days)."""
MIN_YEAR, MAX_YEAR = 1970, 2999
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_UNITS: dict[str, str] = {"w": "w", "wk": "w", "wks": "w", "week": "w", "weeks": "w"}
_UNITS |= {"d": "d", "day": "d", "days": "d"}
_UNITS |= {"h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h"}
_UNITS |= {"m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m"}
_UNITS |= {"s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s"}
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_UNIT_ORDER = "wdhms"
_CALENDAR_UNITS = {"mo", "mon", "mos", "month", "months", "y", "yr", "yrs", "year", "years"}
_WEEKDAY_NAMES = {name: i for i, name in enumerate(WEEKDAYS)} | {name[:3]: i for i, name in enumerate(WEEKDAYS)}
_WEEKDAY_NAMES |= {"tues": 1, "thur": 3, "thurs": 3}
_KEYWORDS = ("now", "today", "yesterday", *WEEKDAYS)

_PART_RE = re.compile(r"(\d+)([a-z]+)", re.ASCII)
_DURATION_RE = re.compile(r"(?:\d+[a-z]+)+", re.ASCII)
_ISO_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[t ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.ASCII,
)

FORMS_HINT = (
    "Use a duration like 15m, 2h, 7d or 2w; a date like 2026-11-20 or 2026-11-20T14:00; "
    "or now, today, yesterday or a weekday such as monday."
)


class TimeSpecError(AuditbotError):
    """A time value that cannot be understood; ``suggestions`` are corrected values."""

    def __init__(self, message: str, *, hint: str | None = FORMS_HINT, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message, hint=hint)
        self.suggestions = suggestions


class TimeSpec(ABC):
    """A symbolic time value; ``str()`` is its canonical text and ``parse_timespec(str(s)) == s``."""

    __slots__ = ()
    is_day: ClassVar[bool] = False
    """Whether the value names a whole calendar day (so as an end it means the day's end)."""

    @property
    @abstractmethod
    def text(self) -> str:
        """The canonical text of this value."""

    def resolve(self, *, now: datetime, tz: ZoneInfo, end: bool) -> datetime:
        """The instant this value stands for, aware and in UTC."""
        return day_boundary(self.day_of(_utc(now).astimezone(tz).date()), tz, end=end)

    def day_of(self, today: date) -> date:
        """The calendar day a day value names, given the user's today."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class RelativeSpec(TimeSpec):
    """``parts`` before now, e.g. ``((1, "h"), (30, "m"))``; units are ``w d h m s``, largest first."""

    parts: tuple[tuple[int, str], ...]

    def __post_init__(self) -> None:
        order = [_UNIT_ORDER.find(unit) if unit in _UNIT_SECONDS else -1 for _, unit in self.parts]
        if not order or order != sorted(set(order)) or order[0] < 0 or any(n < 0 for n, _ in self.parts):
            raise ValueError(f"relative time parts must be non-negative, units w d h m s largest first: {self.parts}")
        if self.seconds > MAX_RELATIVE.total_seconds():
            raise ValueError(f"relative time {self.text} is longer than {MAX_RELATIVE.days}d")

    @property
    def text(self) -> str:
        return "".join(f"{n}{unit}" for n, unit in self.parts)

    @property
    def seconds(self) -> int:
        return sum(n * _UNIT_SECONDS[unit] for n, unit in self.parts)

    @property
    def delta(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    def resolve(self, *, now: datetime, tz: ZoneInfo, end: bool) -> datetime:
        return _utc(now) - self.delta


@dataclass(frozen=True, slots=True)
class DateSpec(TimeSpec):
    """A calendar day in the user's time zone."""

    day: date
    is_day: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_year(self.day.year)

    @property
    def text(self) -> str:
        return self.day.isoformat()

    def day_of(self, today: date) -> date:
        return self.day


@dataclass(frozen=True, slots=True)
class DateTimeSpec(TimeSpec):
    """A wall-clock time in the user's zone (naive ``value``), or a fixed instant (aware, kept in UTC)."""

    value: datetime

    def __post_init__(self) -> None:
        if self.value.tzinfo is not None:
            object.__setattr__(self, "value", self.value.astimezone(UTC))
        _check_year(self.value.year)

    @property
    def text(self) -> str:
        v = self.value
        seconds = f":{v.second:02d}" if v.second or v.microsecond else ""
        fraction = f".{v.microsecond:06d}".rstrip("0") if v.microsecond else ""
        return f"{v:%Y-%m-%dT%H:%M}{seconds}{fraction}{'Z' if v.tzinfo else ''}"

    def resolve(self, *, now: datetime, tz: ZoneInfo, end: bool) -> datetime:
        if self.value.tzinfo is not None:
            return self.value
        return local_to_utc(self.value, tz, later=end)


@dataclass(frozen=True, slots=True)
class NowSpec(TimeSpec):
    """The moment the query runs."""

    @property
    def text(self) -> str:
        return "now"

    def resolve(self, *, now: datetime, tz: ZoneInfo, end: bool) -> datetime:
        return _utc(now)


@dataclass(frozen=True, slots=True)
class DaySpec(TimeSpec):
    """``today`` or ``yesterday`` in the user's time zone."""

    name: Literal["today", "yesterday"]
    is_day: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.name not in ("today", "yesterday"):
            raise ValueError(f"DaySpec name must be today or yesterday, not {self.name!r}")

    @property
    def text(self) -> str:
        return self.name

    def day_of(self, today: date) -> date:
        return today if self.name == "today" else today - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class WeekdaySpec(TimeSpec):
    """The most recent day with this weekday (0 = Monday), today included."""

    weekday: int
    is_day: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.weekday not in range(7):
            raise ValueError(f"weekday must be 0 (Monday) to 6, not {self.weekday!r}")

    @property
    def text(self) -> str:
        return WEEKDAYS[self.weekday]

    def day_of(self, today: date) -> date:
        return today - timedelta(days=(today.weekday() - self.weekday) % 7)


def resolve(spec: TimeSpec, *, now: datetime, tz: ZoneInfo, end: bool) -> datetime:
    """The aware UTC instant ``spec`` means at ``now`` for a user in ``tz``; ``end`` for an until value."""
    return spec.resolve(now=now, tz=tz, end=end)


def local_to_utc(wall: datetime, tz: ZoneInfo, *, later: bool) -> datetime:
    """A naive wall-clock time in ``tz`` as a UTC instant (gaps move forward; folds by ``later``)."""
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    a, b = first.astimezone(UTC), second.astimezone(UTC)
    if a == b or a.astimezone(tz).replace(tzinfo=None) != wall:  # no change, or a gap: keep the offset before it
        return a
    return max(a, b) if later else min(a, b)


def day_boundary(day: date, tz: ZoneInfo, *, end: bool) -> datetime:
    """The first instant of ``day`` in ``tz``, or of the next day when ``end``."""
    return local_to_utc(datetime.combine(day + timedelta(days=int(end)), time()), tz, later=False)


def parse_timespec(text: str) -> TimeSpec:
    """Read a time value (see the module docstring); raises ``TimeSpecError``."""
    shown, raw = shorten(text.strip()), text.strip().lower()
    if raw == "now":
        return NowSpec()
    if raw in ("today", "yesterday"):
        return DaySpec("today" if raw == "today" else "yesterday")
    if raw in _WEEKDAY_NAMES:
        return WeekdaySpec(_WEEKDAY_NAMES[raw])
    if _DURATION_RE.fullmatch(raw):
        return _parse_duration(shown, raw)
    match = _ISO_RE.fullmatch(raw)
    if match:
        return _parse_iso(shown, match)
    raise TimeSpecError(f'Unknown time "{shown}"', suggestions=tuple(get_close_matches(raw, _KEYWORDS, n=1)))


def _parse_duration(shown: str, raw: str) -> RelativeSpec:
    parts: list[tuple[int, str]] = []
    for match in _PART_RE.finditer(raw):
        unit = _UNITS.get(match[2])
        if unit is None and match[2] in _CALENDAR_UNITS:
            raise TimeSpecError(f'Months and years are not supported in "{shown}"', hint="Use days, e.g. 30d or 365d.")
        if unit is None:
            fixes = tuple(raw.replace(match[2], _UNITS[c]) for c in get_close_matches(match[2], _UNITS, n=1))
            raise TimeSpecError(f'Unknown time unit "{shorten(match[2])}" in "{shown}"', suggestions=fixes)
        if parts and _UNIT_ORDER.index(unit) <= _UNIT_ORDER.index(parts[-1][1]):
            raise TimeSpecError(f'Units out of order in "{shown}"', hint="Write units largest first, e.g. 1h30m.")
        parts.append((int(match[1].lstrip("0")[:13] or 0), unit))
    try:
        return RelativeSpec(tuple(parts))
    except ValueError:
        raise TimeSpecError(f'"{shown}" is too long ago', hint="The longest span accepted is 3660d.") from None


def _parse_iso(shown: str, m: re.Match[str]) -> TimeSpec:
    out_of_range = TimeSpecError(f'"{shown}" is out of range', hint=f"Use a year from {MIN_YEAR} to {MAX_YEAR}.")
    if not MIN_YEAR <= int(m[1]) <= MAX_YEAR:
        raise out_of_range
    try:
        day = date(int(m[1]), int(m[2]), int(m[3]))
        if m[4] is None:
            return DateSpec(day)
        clock = time(int(m[4]), int(m[5]), int(m[6] or 0), int((m[7] or "0").ljust(6, "0")[:6]))
    except ValueError:
        hint = "Write dates as YYYY-MM-DD and times as HH:MM or HH:MM:SS."
        raise TimeSpecError(f'"{shown}" is not a valid date or time', hint=hint) from None
    value = datetime.combine(day, clock)
    if m[8] is not None:
        value = value.replace(tzinfo=_parse_offset(shown, m[8])).astimezone(UTC)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise out_of_range
    return DateTimeSpec(value)


def _parse_offset(shown: str, text: str) -> timezone:
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2] or 0), int(digits[2:] or 0)
    if hours > 18 or minutes > 59:
        raise TimeSpecError(f'"{shown}" has an invalid UTC offset', hint="Offsets look like Z, +02:00 or -0500.")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if text[0] == "-" else offset) if offset else UTC


def order_problem(since: TimeSpec | None, until: TimeSpec | None) -> str | None:
    """Why ``since`` is certainly after ``until`` whatever the time and zone, or None if it may not be."""
    if isinstance(since, RelativeSpec) and isinstance(until, RelativeSpec):
        return f"since:{since} is more recent than until:{until}" if since.delta < until.delta else None
    start, end = _wall(since, end=False), _wall(until, end=True)
    if start is None or end is None or (start.tzinfo is None) != (end.tzinfo is None) or start <= end:
        return None
    return f"since:{since} is after until:{until}"


def _wall(spec: TimeSpec | None, *, end: bool) -> datetime | None:
    if isinstance(spec, DateSpec):
        return datetime.combine(spec.day + timedelta(days=int(end)), time())
    return spec.value if isinstance(spec, DateTimeSpec) else None


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis) for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}..{MAX_YEAR}")


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A half-open interval ``[start, end)`` of aware UTC instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _utc(self.start))
        object.__setattr__(self, "end", _utc(self.end))

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def __contains__(self, when: object) -> bool:
        return isinstance(when, datetime) and self.start <= when < self.end


def duration_text(span: timedelta) -> str:
    """A span as people say it: ``40 s``, ``12 min``, ``5 h``, ``3 days`` (rounded; never negative)."""
    seconds = max(0, round(span.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{round(seconds / 60)} min"
    if seconds < 172_800:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86_400)} days"
