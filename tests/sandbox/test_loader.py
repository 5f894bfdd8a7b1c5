"""``--events FILE.jsonl``: recorded events served as they are, with clear errors for bad lines."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditbot.core.clock import ManualClock
from auditbot.sandbox import EventsFileError, SandboxApi, load_events_file
from auditbot.sandbox.loader import parse_event_lines

from .helpers import events_path, jsonl, make_client

SAMPLES = Path(__file__).parents[1] / "fixtures" / "spec" / "samples"
ORG = "0b0e7c2e-2f4b-4c55-9d6e-3b7a1c0d9e11"


def sample_events() -> list[dict[str, Any]]:
    page = json.loads((SAMPLES / "go-atlassian" / "get-organization-audit-events.json").read_text())
    events: list[dict[str, Any]] = page["data"]
    return events


def test_real_samples_load_and_are_served_by_their_own_time(tmp_path: Path) -> None:
    old = sample_events()
    new = [json.loads(p.read_text()) for p in sorted((SAMPLES / "elastic-atlassian_cloud").glob("*.log"))]
    file = tmp_path / "events.jsonl"
    file.write_text(jsonl(*old, *new))
    clock = ManualClock(datetime(2021, 4, 5, tzinfo=UTC))
    api = SandboxApi(load_events_file(file, ORG), org_id=ORG, clock=clock)
    with make_client(api) as client:
        served = client.get(events_path(api), params={"limit": 500}).json()["data"]
        assert [e["id"] for e in served] == [e["id"] for e in old]
        stream = client.get(events_path(api, "events-stream"), params={"limit": 500}).json()["data"]
        first = next(e for e in stream if e["id"] == old[0]["id"])
        assert first["attributes"]["processedAt"] == first["attributes"]["time"]
        clock.set(datetime(2026, 5, 20, tzinfo=UTC))
        served = client.get(events_path(api), params={"limit": 500}).json()["data"]
        assert {e["id"] for e in served} == {e["id"] for e in new}
        failed = client.get(events_path(api), params={"action": "user_login_failed"}).json()["data"]
        assert [e["id"] for e in failed] == [e["id"] for e in new if e["attributes"]["action"] == "user_login_failed"]


def test_missing_type_links_and_context_are_filled_in() -> None:
    bare = {"id": "e-1", "attributes": {"time": "2026-11-01T10:00:00Z", "action": "user_login", "actor": {"id": "a"}}}
    (event,) = parse_event_lines([json.dumps(bare)], ORG)
    assert event.raw["type"] == "events"
    assert event.raw["links"] == {"self": f"https://api.atlassian.com/admin/v1/orgs/{ORG}/events/e-1"}
    assert event.raw["attributes"]["context"] == []
    assert event.processed_us == event.time_us


def line_error(lines: list[str]) -> str:
    with pytest.raises(EventsFileError) as raised:
        parse_event_lines(lines, ORG, name="recorded.jsonl")
    return str(raised.value)


def test_bad_lines_are_named_by_number() -> None:
    good = json.dumps(sample_events()[0])
    assert line_error([good, "", '{"id": "x", "attributes": {'])[:33] == "recorded.jsonl, line 3: not valid"
    assert "line 2: expected a JSON object" in line_error([good, "[1, 2]"])
    missing = copy.deepcopy(sample_events()[1])
    del missing["attributes"]["action"]
    assert "line 1: not an audit event: attributes.action" in line_error([json.dumps(missing)])
    assert "line 3: event id" in line_error([good, "   ", good])


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EventsFileError, match="cannot read events file"):
        load_events_file(tmp_path / "missing.jsonl", ORG)
