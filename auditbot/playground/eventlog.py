"""The workspace's ordered log of what happened, for a UI to poll or long-poll with a cursor."""

from __future__ import annotations

import threading

from auditbot.playground.model import Event, EventBatch, JsonDict


class EventLog:
    """Append-only; ``since(cursor)`` returns what came after ``cursor`` (0 = the beginning)."""

    def __init__(self, lock: threading.RLock) -> None:
        self._changed = threading.Condition(lock)
        self._events: list[Event] = []

    def add(self, kind: str, data: JsonDict, *, channel: str = "", user: str = "") -> Event:
        with self._changed:
            event = Event(len(self._events) + 1, kind, channel, user, data)
            self._events.append(event)
            self._changed.notify_all()
            return event

    def since(self, cursor: int = 0) -> EventBatch:
        with self._changed:
            start = max(0, min(cursor, len(self._events)))
            return EventBatch(self._events[start:], len(self._events))

    def wait(self, cursor: int, timeout: float) -> bool:
        """Block up to ``timeout`` real seconds until there is an event after ``cursor`` (for a UI's long poll)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._events) > cursor, timeout)
