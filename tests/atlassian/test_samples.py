"""Every real captured response in the spec's samples parses with the client's models, quirks and all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditbot.atlassian.models import EventActionsPage, EventEnvelope
from auditbot.core.model import SYSTEM_ACTOR_ID, AuditEvent, EventPage
from tests.conftest import SPEC_DIR

SAMPLES = SPEC_DIR / "samples"
FILES = sorted(p for p in SAMPLES.rglob("*") if p.suffix in {".json", ".log"})


def parse_sample(path: Path) -> list[AuditEvent]:
    if path.suffix == ".log":
        return [AuditEvent.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]
    body = path.read_bytes()
    document = json.loads(body)
    if "data" not in document:
        return [AuditEvent.model_validate_json(body)]
    if isinstance(document["data"], dict):
        return [EventEnvelope.model_validate_json(body).data]
    if document["data"] and document["data"][0].get("type") == "eventActions":
        assert EventActionsPage.model_validate_json(body).to_actions()
        return []
    return list(EventPage.model_validate_json(body).data)


def test_there_are_samples_from_every_source():
    assert {p.parent.name for p in FILES} == {
        "elastic-atlassian_cloud",
        "go-atlassian",
        "grove",
        "panther",
        "sumologic",
    }


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SAMPLES)) for p in FILES])
def test_every_sample_parses_and_round_trips(path):
    for event in parse_sample(path):
        again = AuditEvent.model_validate(event.to_api_json())
        assert again == event
        assert event.time.tzinfo is not None


def test_the_real_quirks_are_all_met():
    events = [e for p in FILES for e in parse_sample(p)]
    precisions = {len(e.attributes.time.isoformat()) for e in events}
    assert len(precisions) > 1, "mixed timestamp precision"
    assert any(e.attributes.location is None for e in events), "missing location"
    assert any(i.links and i.links.alt is None for e in events for i in e.context), "null links"
    assert any(e.actor.id == SYSTEM_ACTOR_ID and e.actor.is_system for e in events), "the system actor"
    assert any(e.attributes.processed_at is not None for e in events), "events-stream processedAt"
    assert any(e.links is None for e in events), "no links at all (panther)"


def test_extra_keys_are_kept():
    page = EventPage.model_validate_json((SAMPLES / "grove" / "001.json").read_bytes())
    assert page.meta.model_extra and "total" in page.meta.model_extra
    assert "relations" in (page.data[0].model_extra or {})
    assert "relations" in page.data[0].to_api_json()
