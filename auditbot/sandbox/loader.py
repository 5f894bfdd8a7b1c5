"""Serve recorded events: load a JSON-lines file of API-shaped events (``--events FILE.jsonl``).

One event per line, as ``/events-stream`` returns it; blank lines are skipped. Each line must
parse as an ``AuditEvent``. Light normalisation so every served event is spec-shaped:
a missing ``processedAt`` is the event ``time``; a missing ``type`` is ``"events"``; missing
``links`` get the canonical ``self`` URL; a missing ``context`` is ``[]``. A bad line raises
``EventsFileError`` naming the file and line number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from auditbot.core.model import AuditEvent
from auditbot.sandbox.builders import API, Json
from auditbot.sandbox.store import IndexedEvent, StaticEventSource


class EventsFileError(ValueError):
    """An events file could not be used; the message names the file and line."""


def load_events_file(path: str | Path, org_id: str) -> StaticEventSource:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise EventsFileError(f"cannot read events file {file}: {error}") from error
    return StaticEventSource(parse_event_lines(text.splitlines(), org_id, name=str(file)))


def parse_event_lines(lines: Iterable[str], org_id: str, *, name: str = "<events>") -> list[IndexedEvent]:
    events: list[IndexedEvent] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        event = _parse_line(line, org_id, f"{name}, line {number}")
        if event.id in seen:
            raise EventsFileError(f"{name}, line {number}: event id {event.id} already on line {seen[event.id]}")
        seen[event.id] = number
        events.append(event)
    return events


def _parse_line(line: str, org_id: str, where: str) -> IndexedEvent:
    try:
        raw = json.loads(line)
    except ValueError as error:
        raise EventsFileError(f"{where}: not valid JSON ({error})") from error
    if not isinstance(raw, dict):
        raise EventsFileError(f"{where}: expected a JSON object (one event), got {type(raw).__name__}")
    try:
        model = AuditEvent.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "event"
        raise EventsFileError(f"{where}: not an audit event: {field}: {first['msg']}") from error
    _normalise(raw, org_id)
    return IndexedEvent.build(raw, model.time, model.processed_at)


def _normalise(raw: Json, org_id: str) -> None:
    attributes = raw["attributes"]
    attributes.setdefault("processedAt", attributes["time"])
    attributes.setdefault("context", [])
    raw.setdefault("type", "events")
    if not isinstance(raw.get("links"), dict) or not raw["links"].get("self"):
        raw["links"] = {"self": f"{API}/admin/v1/orgs/{org_id}/events/{raw['id']}"}
