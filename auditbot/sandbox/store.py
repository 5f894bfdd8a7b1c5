"""Events held for serving: each with its sort keys, filter fields and cached JSON, in two orders.

``EventIndex`` is immutable; a live source swaps in an extended copy as time moves on, so a
request that is reading one index never sees it change. ``EventSource`` is what the API reads
from: a generated live org (``generate.py``) or a fixed list loaded from a file (``loader.py``).
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from auditbot.sandbox.builders import Json, to_us
from auditbot.sandbox.freetext import search_text
from auditbot.sandbox.products import event_products

RETENTION = timedelta(days=180)
"""Events older than this (by event time) are not served."""
RETENTION_US = RETENTION // timedelta(microseconds=1)


def dumps(value: Any) -> bytes:
    """Compact JSON as the API sends it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(slots=True, eq=False)
class IndexedEvent:
    """One event: its API JSON (with ``processedAt``) plus what sorting and filtering need."""

    raw: Json
    id: str
    time_us: int
    processed_us: int
    action: str
    actor_id: str
    actor_email: str
    ip: str
    place: Mapping[str, str]
    """Lower-cased ``city``, ``countryName`` and ``regionName`` of the event's location."""
    products: frozenset[str]
    text: str
    """Case-folded text that ``q``'s words are looked for in (``freetext.search_text``)."""
    _page_json: bytes | None = field(default=None, repr=False)
    _stream_json: bytes | None = field(default=None, repr=False)

    @classmethod
    def build(cls, raw: Json, time: datetime, processed: datetime) -> IndexedEvent:
        attributes = raw["attributes"]
        actor = attributes.get("actor") or {}
        location = attributes.get("location") or {}
        place = {key: str(location.get(key) or "").lower() for key in ("city", "countryName", "regionName")}
        return cls(
            raw=raw,
            id=str(raw["id"]),
            time_us=to_us(time),
            processed_us=to_us(processed),
            action=str(attributes.get("action", "")),
            actor_id=str(actor.get("id", "")),
            actor_email=str(actor.get("email") or "").lower(),
            ip=str(location.get("ip") or ""),
            place=place,
            products=event_products(raw),
            text=search_text(raw),
        )

    @property
    def time_key(self) -> tuple[int, str]:
        return (self.time_us, self.id)

    @property
    def processed_key(self) -> tuple[int, str]:
        return (self.processed_us, self.id)

    def page_json(self) -> bytes:
        """The event as ``/events`` and ``/events/{id}`` serve it (without ``processedAt``)."""
        if self._page_json is None:
            attributes = {k: v for k, v in self.raw["attributes"].items() if k != "processedAt"}
            self._page_json = dumps({**self.raw, "attributes": attributes})
        return self._page_json

    def stream_json(self) -> bytes:
        """The event as ``/events-stream`` serves it (with ``processedAt``)."""
        if self._stream_json is None:
            self._stream_json = dumps(self.raw)
        return self._stream_json

    def visible(self, now_us: int) -> bool:
        """Processed by ``now`` and inside the retention period."""
        return self.processed_us <= now_us and self.time_us >= now_us - RETENTION_US


class EventIndex:
    """Events sorted by (time, id) and by (processedAt, id), and by id. Never changes once built."""

    def __init__(self, by_time: list[IndexedEvent], by_processed: list[IndexedEvent]) -> None:
        self.by_time = by_time
        self.by_processed = by_processed
        self._by_id = {e.id: e for e in by_time}

    @classmethod
    def build(cls, events: Iterable[IndexedEvent]) -> EventIndex:
        items = list(events)
        return cls(
            sorted(items, key=lambda e: e.time_key),
            sorted(items, key=lambda e: e.processed_key),
        )

    def extended(self, events: Iterable[IndexedEvent]) -> EventIndex:
        """A new index with ``events`` added (Timsort merges the already-sorted runs in linear time)."""
        items = list(events)
        return EventIndex(
            sorted(self.by_time + items, key=lambda e: e.time_key),
            sorted(self.by_processed + items, key=lambda e: e.processed_key),
        )

    def __len__(self) -> int:
        return len(self.by_time)

    def get(self, event_id: str) -> IndexedEvent | None:
        return self._by_id.get(event_id)

    def time_position(self, key: tuple[int, str], *, after: bool = False) -> int:
        """Where ``key`` would go in ``by_time`` (after equal keys when ``after``)."""
        find = bisect_right if after else bisect_left
        return find(self.by_time, key, key=lambda e: e.time_key)

    def processed_position(self, key: tuple[int, str], *, after: bool = False) -> int:
        find = bisect_right if after else bisect_left
        return find(self.by_processed, key, key=lambda e: e.processed_key)


class EventSource(Protocol):
    """Where the API's events come from."""

    def index(self, now: datetime) -> EventIndex:
        """Every event that exists by ``now`` (visibility is still checked per event)."""
        ...


class StaticEventSource:
    """A fixed set of events, e.g. loaded from a JSON-lines file."""

    def __init__(self, events: Iterable[IndexedEvent]) -> None:
        self._index = EventIndex.build(events)

    def index(self, now: datetime) -> EventIndex:
        return self._index
