"""The search form's submitted values as a query; a bad field becomes an error shown beside it.

Since and Until are each a day and an optional time of day, picked in the asker's own time zone
(the form names it). They become the terms the asker would have typed, ``since:2026-11-20`` or
``since:2026-11-20T00:00``, which every search reads in the asker's zone, as it reads typed ones: a
day alone runs from its start (Since) or to its end (Until).

Actors must be emails or account ids, and IP addresses addresses or ranges; every entry that is
not is named in the field's error, not only the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from auditbot.core.model import SYSTEM_ACTOR_ID
from auditbot.core.query import Query
from auditbot.core.timespec import DateSpec, DateTimeSpec, TimeSpec, shorten
from auditbot.slack import ids

_ENTRIES = re.compile(r"[,;\n]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_ACCOUNT_ID = re.compile(
    r"[0-9a-f]{24}"  # the older shape
    r"|[0-9A-Za-z]{1,32}(?::[0-9A-Za-z-]{8,})+"  # prefixed: 557058:<uuid>, qm:<uuid>:<uuid>
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    re.IGNORECASE,
)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}")
NAMED_MAX_UNITS = 240
"""Bad entries are named until the error reaches this length; the rest are counted."""


class FormErrors(Exception):
    """Field errors keyed by block id, as ``views.submission`` ``response_action: errors`` wants them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


Values = dict[str, dict[str, dict[str, Any]]]


def query_from_form(values: Values) -> Query:
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    actors, bad_actors = _entries(_text(values, ids.FORM_ACTORS), _is_actor)
    ips, bad_ips = _entries(_text(values, ids.FORM_IPS), _is_ip)
    if len(bad_actors) == 1:
        errors[ids.FORM_ACTORS] = f"{_quoted(bad_actors[0])} is not an email or an account id."
    elif bad_actors:
        errors[ids.FORM_ACTORS] = f"These are not emails or account ids: {_named(bad_actors)}."
    if len(bad_ips) == 1:
        errors[ids.FORM_IPS] = _ip_problem(bad_ips[0])
    elif bad_ips:
        errors[ids.FORM_IPS] = f"These are not IP addresses or ranges: {_named(bad_ips)}."
    fields["actors"], fields["ips"] = actors, ips
    selected = _element(values, ids.FORM_ACTIONS).get("selected_options") or []
    fields["actions"] = tuple(str(option["value"]) for option in selected if option.get("value"))
    text = _text(values, ids.FORM_TEXT).strip()
    fields["text"] = (text,) if text else ()
    fields["since"] = _moment(values, ids.FORM_SINCE, ids.FORM_SINCE_TIME, errors)
    fields["until"] = _moment(values, ids.FORM_UNTIL, ids.FORM_UNTIL_TIME, errors)
    start, end = _wall(fields["since"], end=False), _wall(fields["until"], end=True)
    if start is not None and end is not None and start >= end:
        errors[ids.FORM_UNTIL] = "The end must come after the start."
    if errors:
        raise FormErrors(errors)
    try:
        return Query(**fields)
    except (ValueError, TypeError) as exc:
        raise FormErrors({ids.FORM_TEXT: str(exc)[:150]}) from None


def _entries(text: str, valid: Callable[[str], bool]) -> tuple[tuple[str, ...], list[str]]:
    """The good values in ``text`` (comma, semicolon or line separated; spaces too between good values),
    and the bad entries: a whole entry when none of its words is good ("not an email"), else its bad words."""
    good: list[str] = []
    bad: list[str] = []
    for entry in (e.strip() for e in _ENTRIES.split(text)):
        words = entry.split()
        if not words:
            continue
        fine = [w for w in words if valid(w)]
        good += fine
        bad += [entry] if not fine else [w for w in words if not valid(w)]
    return tuple(dict.fromkeys(good)), list(dict.fromkeys(bad))


def _is_actor(value: str) -> bool:
    if not (_EMAIL.fullmatch(value) or _ACCOUNT_ID.fullmatch(value) or value == SYSTEM_ACTOR_ID):
        return False
    return _problem("actors", value) is None


def _is_ip(value: str) -> bool:
    return _problem("ips", value) is None


def _problem(field: str, value: str) -> str | None:
    """What the query language says of ``value`` in ``field`` (it knows why: host bits, a zone id…)."""
    try:
        Query().replace(**{field: (value,)})
    except (ValueError, TypeError) as exc:
        return str(exc)[:150]
    return None


def _ip_problem(value: str) -> str:
    return _problem("ips", value) or f"{_quoted(value)} is not an IP address or range."


def _quoted(entry: str) -> str:
    return f'"{shorten(entry)}"'


def _named(entries: list[str]) -> str:
    """``"a", "b", "c"``: every bad entry, or as many as fit and ``and 3 more``."""
    quoted = [_quoted(e) for e in entries]
    named: list[str] = []
    for item in quoted:
        if named and sum(len(n) + 2 for n in named) + len(item) > NAMED_MAX_UNITS:
            break
        named.append(item)
    rest = len(quoted) - len(named)
    return ", ".join(named) + (f" and {rest} more" if rest else "")


def _element(values: Values, block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(block_id, {}) or {}


def _text(values: Values, block_id: str) -> str:
    return str(_element(values, block_id).get("value") or "")


def _moment(values: Values, day_block: str, time_block: str, errors: dict[str, str]) -> TimeSpec | None:
    """A day alone, or a day and a time of day, as the asker would type them (read later in their zone)."""
    day_text = _element(values, day_block).get("selected_date")
    time_text = _element(values, time_block).get("selected_time")
    day = _parsed(day_text, _DAY, date.fromisoformat)
    at = _parsed(time_text, _TIME, time.fromisoformat)
    if day_text and day is None:
        errors[day_block] = "Pick a day from the calendar."
    if time_text and at is None:
        errors[time_block] = "Pick a time from the list, like 09:30."
    if day is None:
        if at is not None and not day_text:
            errors[time_block] = "Pick a day for this time too."
        return None
    try:
        return DateSpec(day) if at is None else DateTimeSpec(datetime.combine(day, at))
    except ValueError:
        errors[day_block] = "Pick a day from the calendar."
        return None


T = TypeVar("T")


def _parsed(text: object, shape: re.Pattern[str], parse: Callable[[str], T]) -> T | None:
    """``parse(text)`` for a ``text`` of the picker's ``shape``; None for anything else."""
    if not isinstance(text, str) or not shape.fullmatch(text):
        return None
    try:
        return parse(text)
    except ValueError:
        return None


def _wall(spec: TimeSpec | None, *, end: bool) -> datetime | None:
    """The wall-clock time ``spec`` stands for in the asker's zone (a day as Until: its end)."""
    if isinstance(spec, DateSpec):
        return datetime.combine(spec.day + timedelta(days=int(end)), time())
    return spec.value if isinstance(spec, DateTimeSpec) else None
