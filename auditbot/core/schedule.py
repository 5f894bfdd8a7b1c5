"""The times of day a digest is posted at, and the instants they fall on in a time zone.

A digest schedule is a few wall-clock times (``09:00,21:00``) in an IANA time zone
(``Europe/Berlin``). Every calendar day in that zone has one *slot* at each of the times; the digest
posted at a slot covers ``[the slot before it, the slot)``, so consecutive digests neither overlap
nor leave a gap. Slots are returned as aware UTC instants.

Times are written ``H:MM`` or ``HH:MM`` on the 24-hour clock, comma-separated; their canonical text
is sorted, without duplicates, zero-padded: ``09:00,21:00``.

Daylight saving time, in the zone's own rules:

* a time that does not exist on a spring-forward day (``02:30`` in Europe/Berlin on the last Sunday
  of March) is normalised forward by the gap, as ``timespec`` does with wall-clock times: that day
  the slot falls at ``03:30`` local time. A schedule with both ``02:30`` and ``03:30`` has a single
  slot that day, so nothing is posted twice;
* a time that happens twice on a fall-back day (``02:30`` on the last Sunday of October) is the
  first occurrence only: one slot, not two;
* a window spanning a change is measured in real time: the morning digest after a spring-forward
  night covers an hour less than usual, after a fall-back night an hour more.

Nothing here reads a clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from difflib import get_close_matches
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from auditbot.core.errors import AuditbotError
from auditbot.core.timespec import local_to_utc, shorten

MAX_TIMES = 24
"""At most this many slots a day."""
TIMES_EXAMPLE = "09:00,21:00"
ZONE_EXAMPLE = "Europe/Berlin"
TIMES_HINT = f"Give times of day on the 24-hour clock, separated by commas, for example {TIMES_EXAMPLE} or 7:30,19:30."
ZONE_HINT = f"Use an IANA time zone name, for example {ZONE_EXAMPLE}, America/New_York or UTC."

_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)
_WORD = re.compile(r"\S+")
_DAYS_BEHIND = 3
"""Local days looked at before an instant's own: more than any zone's offset and DST change need."""


class ScheduleError(AuditbotError):
    """Times or a time zone that cannot be understood; ``suggestions`` are corrected values."""

    def __init__(self, message: str, *, hint: str | None = None, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message, hint=hint)
        self.suggestions = tuple(suggestions)


# -- reading ----------------------------------------------------------------------------------------


def parse_times(text: str) -> tuple[time, ...]:
    """The times of day in ``text`` (``"09:00,21:00"``, ``"9:00"``, ``"21:30"``), sorted, without duplicates.

    Raises ``ScheduleError`` naming the value that is not a time of day.
    """
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        raise ScheduleError("At what times should the digest be posted?", hint=TIMES_HINT)
    found: set[time] = set()
    for part in parts:
        if not part:
            raise ScheduleError(f"{shorten(text)} has an empty time between its commas.", hint=TIMES_HINT)
        found.add(_parse_time(part))
    if len(found) > MAX_TIMES:
        raise ScheduleError(
            f"That is {len(found)} times a day; a digest can be posted at most {MAX_TIMES} times a day.",
            hint="Pick the shift changes only: each digest covers everything since the one before.",
        )
    return tuple(sorted(found))


def _parse_time(part: str) -> time:
    match = _TIME_RE.fullmatch(part)
    if match is None:
        suggestion = _suggest_time(part)
        raise ScheduleError(
            f"{shorten(part)} is not a time of day.",
            hint=f"Did you mean {suggestion}? {TIMES_HINT}" if suggestion else TIMES_HINT,
            suggestions=(suggestion,) if suggestion else (),
        )
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ScheduleError(
            f"{part} is not a time of day: hours go from 00 to 23, minutes from 00 to 59.", hint=TIMES_HINT
        )
    return time(hour, minute)


def _suggest_time(part: str) -> str | None:
    """``9`` → ``09:00``, ``0930`` → ``09:30``, ``9.30`` or ``9h30`` → ``09:30``, ``9pm`` → ``21:00``."""
    lowered = part.lower()
    match = re.fullmatch(r"(\d{1,2})(?:[.h:]?(\d{2}))?\s*(am|pm)?", lowered)
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3] == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def format_times(times: Iterable[time]) -> str:
    """The canonical text of ``times``: ``09:00,21:00``."""
    return ",".join(f"{t.hour:02d}:{t.minute:02d}" for t in sorted(set(times)))


def parse_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (its case need not match: ``europe/berlin`` is Europe/Berlin).

    Raises ``ScheduleError`` for a name the time zone database does not have, with close names.
    """
    wanted = name.strip()
    zones = _zones()
    key = wanted if wanted in zones else _folded().get(wanted.casefold())
    if key is None:
        close = get_close_matches(wanted.casefold(), list(_folded()), n=3, cutoff=0.7)
        suggestions = _cities().get(wanted.casefold(), []) + [_folded()[c] for c in close]
        suggestions = list(dict.fromkeys(suggestions))[:3]
        hint = f"Did you mean {' or '.join(suggestions)}? {ZONE_HINT}" if suggestions else ZONE_HINT
        raise ScheduleError(
            f"{shorten(wanted) or 'That'} is not a time zone auditbot knows.", hint=hint, suggestions=suggestions
        )
    return ZoneInfo(key)


def looks_like_zone(word: str) -> bool:
    """Whether a word in a command is meant as a time zone: a zone's name (any case), a word shaped
    like one (``Area/City``), or a city that names one (``Berlin``: a mistake ``parse_zone`` explains)."""
    if ":" in word or word.startswith(('"', "'", "-")):
        return False
    folded = word.strip().casefold()
    return "/" in folded or folded in _folded() or folded in _cities()


def split_schedule(text: str) -> tuple[str, str | None, str]:
    """(times, time zone if given, filters) from a schedule as typed after its channel.

    The times are the first word, and the words after it while commas join them (``09:00, 21:00``);
    the next word is a time zone when it is meant as one (``looks_like_zone``); the rest is filters.
    """
    words = list(_WORD.finditer(text))
    if not words:
        return "", None, ""
    taken = 1
    while taken < len(words) and (words[taken - 1][0].endswith(",") or words[taken][0].startswith(",")):
        taken += 1
    times = "".join(w[0] for w in words[:taken])
    zone = None
    if taken < len(words) and looks_like_zone(words[taken][0]):
        zone = words[taken][0]
        taken += 1
    filters = text[words[taken].start() :].strip() if taken < len(words) else ""
    return times, zone, filters


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def _folded() -> dict[str, str]:
    return {key.casefold(): key for key in sorted(_zones())}


@cache
def _cities() -> dict[str, list[str]]:
    """``berlin`` → ``["Europe/Berlin"]``: the last part of each Area/City name."""
    cities: dict[str, list[str]] = {}
    for key in sorted(_zones()):
        if "/" in key and not key.startswith("Etc/"):
            cities.setdefault(key.rsplit("/", 1)[1].casefold(), []).append(key)
    return cities


# -- slots ------------------------------------------------------------------------------------------


def slots_on(day: date, times: Sequence[time], tz: ZoneInfo) -> list[datetime]:
    """The slots of one local calendar day, as UTC instants in order (DST as the module says)."""
    return sorted({local_to_utc(datetime.combine(day, t), tz, later=False) for t in times})


def latest_slot(times: Sequence[time], tz: ZoneInfo, now: datetime) -> datetime | None:
    """The most recent slot at or before ``now`` (UTC); ``None`` when there are no times."""
    candidates = [s for s in _around(times, tz, now) if s <= now]
    return max(candidates) if candidates else None


def previous_slot(times: Sequence[time], tz: ZoneInfo, slot: datetime) -> datetime:
    """The slot before ``slot``: a digest posted at ``slot`` covers ``[previous_slot, slot)``."""
    if not times:
        raise ValueError("a schedule needs at least one time")
    return max(s for s in _around(times, tz, slot) if s < slot)


def next_slot(times: Sequence[time], tz: ZoneInfo, now: datetime) -> datetime | None:
    """The first slot after ``now`` (UTC); ``None`` when there are no times."""
    candidates = [s for s in _around(times, tz, now, ahead=2) if s > now]
    return min(candidates) if candidates else None


def slots_between(times: Sequence[time], tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Every slot in ``[start, end)``, in order."""
    first = _aware(start).astimezone(tz).date() - timedelta(days=1)
    last = _aware(end).astimezone(tz).date() + timedelta(days=1)
    found: set[datetime] = set()
    day = first
    while day <= last:
        found.update(s for s in slots_on(day, times, tz) if start <= s < end)
        day += timedelta(days=1)
    return sorted(found)


def _around(times: Sequence[time], tz: ZoneInfo, when: datetime, *, ahead: int = 1) -> list[datetime]:
    today = _aware(when).astimezone(tz).date()
    days = (today + timedelta(days=offset) for offset in range(-_DAYS_BEHIND, ahead + 1))
    return [s for day in days for s in slots_on(day, times, tz)]


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("slot arithmetic needs timezone-aware datetimes")
    return when.astimezone(UTC)
