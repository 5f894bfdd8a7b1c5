"""Query parameters of ``/events`` and ``/events-stream``: parsing, validation and event matching.

Choices where the API documentation is silent (each is what the reference notes call the likely
behaviour, or the most tolerant reading):

- ``from`` / ``to`` are epoch milliseconds, digits only, both inclusive at millisecond precision;
  anything else, or ``from > to``, is ``ADMIN-400-3``.
- ``actor``, ``ip``, ``product`` are comma-separated lists under one key (``actor=a,b``);
  repeated keys are merged too. An actor matches the account id exactly or the e-mail
  case-insensitively; an IP matches exactly. Repeated ``action`` keys mean any of them.
- ``product`` values outside the spec's enum are ``ADMIN-400-19``.
- ``location`` is JSON text (URL-encoded): a list of objects, or one object, with string values
  for ``city``, ``countryName`` and/or ``regionName``. An entry matches when every key it gives
  equals the event's value, case-insensitively; any entry may match. Anything else is ``ADMIN-400-19``.
- ``q`` is split on whitespace; every word must occur (case-insensitively) in the message, the
  action id, the actor's id, name or e-mail, the IP, city, region or country, or any attribute
  value of a context or container item.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from auditbot.sandbox.products import PRODUCTS
from auditbot.sandbox.responses import problem
from auditbot.sandbox.store import IndexedEvent

Params = Mapping[str, list[str]]
LOCATION_KEYS = ("city", "countryName", "regionName")
MAX_LIMIT = 500
_DIGITS = re.compile(r"[0-9]{1,16}")


def parse_params(query: str) -> dict[str, list[str]]:
    """A raw query string as a multi-dict (blank values kept, ``+`` read as a space)."""
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(key, []).append(value)
    return params


def first(params: Params, name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def listed(params: Params, name: str) -> tuple[str, ...]:
    """Every value of a list parameter, from comma lists and repeated keys, blanks dropped."""
    return tuple(part.strip() for raw in params.get(name, ()) for part in raw.split(",") if part.strip())


def parse_limit(params: Params) -> int | None:
    """``limit`` as an int in 1..500, ``None`` when absent; otherwise ``ADMIN-400-19``."""
    raw = first(params, "limit")
    if raw is None:
        return None
    if not _DIGITS.fullmatch(raw.strip()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise problem("ADMIN-400-19", f"limit must be an integer from 1 to {MAX_LIMIT}, got {raw!r}")
    return int(raw)


def parse_window(params: Params) -> tuple[int | None, int | None]:
    """``from`` and ``to`` in epoch milliseconds; ``ADMIN-400-3`` when either is not, or from > to."""
    bounds: list[int | None] = []
    for name in ("from", "to"):
        raw = first(params, name)
        if raw is not None and not _DIGITS.fullmatch(raw):
            raise problem("ADMIN-400-3", f"{name} must be a UNIX epoch time in milliseconds, got {raw!r}")
        bounds.append(None if raw is None else int(raw))
    start, end = bounds
    if start is not None and end is not None and start > end:
        raise problem("ADMIN-400-3", f"from ({start}) is later than to ({end})")
    return start, end


def parse_sort_order(params: Params) -> str:
    order = first(params, "sortOrder") or "asc"
    if order not in ("asc", "desc"):
        raise problem("ADMIN-400-19", f"sortOrder must be asc or desc, got {order!r}")
    return order


def parse_locations(raw: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The ``location`` parameter as entries of (key, lower-cased value) pairs."""
    try:
        value = json.loads(raw)
    except ValueError as error:
        example = '[{"city":"Sydney","countryName":"Australia"}]'
        raise problem("ADMIN-400-19", f"location must be JSON like {example}") from error
    entries = [value] if isinstance(value, dict) else value
    if not isinstance(entries, list):
        raise problem("ADMIN-400-19", "location must be a JSON list of objects")
    parsed = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry:
            raise problem("ADMIN-400-19", "each location must be a non-empty object")
        for key, item in entry.items():
            if key not in LOCATION_KEYS or not isinstance(item, str) or not item:
                raise problem("ADMIN-400-19", f"location keys are {', '.join(LOCATION_KEYS)} with text values")
        parsed.append(tuple(sorted((key, item.lower()) for key, item in entry.items())))
    return tuple(parsed)


@dataclass(frozen=True)
class EventFilter:
    """What an ``/events`` query asks for; also what its cursors carry."""

    words: tuple[str, ...] = ()
    start_ms: int | None = None
    end_ms: int | None = None
    actions: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    locations: tuple[tuple[tuple[str, str], ...], ...] = ()

    @classmethod
    def from_params(cls, params: Params) -> EventFilter:
        start, end = parse_window(params)
        products = listed(params, "product")
        unknown = sorted(set(products) - set(PRODUCTS))
        if unknown:
            raise problem("ADMIN-400-19", f"unknown product {unknown[0]!r}; expected one of {', '.join(PRODUCTS)}")
        location = first(params, "location")
        return cls(
            words=tuple(" ".join(params.get("q", ())).casefold().split()),
            start_ms=start,
            end_ms=end,
            actions=tuple(a for a in params.get("action", ()) if a),
            actors=listed(params, "actor"),
            ips=listed(params, "ip"),
            products=products,
            locations=parse_locations(location) if location else (),
        )

    def to_json(self) -> dict[str, Any]:
        """Compact JSON for a cursor (empty fields left out)."""
        fields = {
            "q": list(self.words),
            "from": self.start_ms,
            "to": self.end_ms,
            "action": list(self.actions),
            "actor": list(self.actors),
            "ip": list(self.ips),
            "product": list(self.products),
            "location": [[list(pair) for pair in entry] for entry in self.locations],
        }
        return {key: value for key, value in fields.items() if value not in (None, [])}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EventFilter:
        """The inverse of ``to_json``; ``ValueError`` (or ``TypeError``) when the data is not one."""
        texts = {key: tuple(_text(v) for v in data.get(key, ())) for key in ("q", "action", "actor", "ip", "product")}
        return cls(
            words=texts["q"],
            start_ms=_optional_int(data.get("from")),
            end_ms=_optional_int(data.get("to")),
            actions=texts["action"],
            actors=texts["actor"],
            ips=texts["ip"],
            products=texts["product"],
            locations=tuple(tuple((_text(k), _text(v)) for k, v in entry) for entry in data.get("location", ())),
        )

    @property
    def is_empty(self) -> bool:
        """True when nothing but (perhaps) the time window is asked for."""
        return not (self.words or self.actions or self.actors or self.ips or self.products or self.locations)

    def matches(self, event: IndexedEvent) -> bool:
        """Whether ``event`` passes every filter except the time window (callers bound that by position)."""
        if self.actions and event.action not in self.actions:
            return False
        if self.actors and not any(a == event.actor_id or a.lower() == event.actor_email for a in self.actors):
            return False
        if self.ips and event.ip not in self.ips:
            return False
        if self.products and not event.products.intersection(self.products):
            return False
        if self.locations and not any(all(event.place[k] == v for k, v in entry) for entry in self.locations):
            return False
        return all(word in event.text for word in self.words)


def window_us(start_ms: int | None, end_ms: int | None) -> tuple[int, int]:
    """Inclusive ms bounds as a half-open µs range ``[low, high)``."""
    low = start_ms * 1000 if start_ms is not None else 0
    high = (end_ms + 1) * 1000 if end_ms is not None else 2**62
    return low, high


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _optional_int(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected an integer")
    return value
