"""Collapsing repeated rows: the same action by the same actor from the same address in the same minute.

A burst of failed logins lists the same line over and over; a results page shows it once, with its count.
``collapse`` groups a page's events by ``row_key`` and keeps each group where its first event was,
so the page reads in its own order (newest first) and every event is still in exactly one group.
Minutes are UTC minutes (every time zone in use is a whole number of minutes from UTC).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from auditbot.core.model import AuditEvent

T = TypeVar("T")

RowKey = tuple[str, str, str | None, datetime]
"""(action, actor id, IP address, the minute)."""


def row_key(event: AuditEvent) -> RowKey:
    """What makes two rows the same row: action, actor id, address and the minute of the event."""
    minute = event.time.replace(second=0, microsecond=0)
    return event.action, event.actor.id, event.ip, minute


@dataclass(frozen=True, slots=True)
class Collapsed(Generic[T]):
    """One shown row: its items (the first is the one shown), in the order they came."""

    items: tuple[T, ...]

    @property
    def first(self) -> T:
        return self.items[0]

    @property
    def count(self) -> int:
        return len(self.items)


def collapse(items: Sequence[T], key: Callable[[T], Hashable]) -> list[Collapsed[T]]:
    """``items`` grouped by ``key``, each group at the place of its first item, items in their own order."""
    groups: dict[Hashable, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return [Collapsed(tuple(group)) for group in groups.values()]
