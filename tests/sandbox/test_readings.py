"""The fake API's own readings of an event (``product=`` and ``q``) against auditbot's.

The sandbox keeps its own implementation of both, so a search that reads the mirror and one that
asks the fake API agree because both follow the same rule, not because they run the same code. This
checks that they do agree, event by event, over the whole seeded org and a few hand-made events.
"""

from __future__ import annotations

from typing import Any

import pytest

from auditbot.core import products as core_products
from auditbot.core.match import searchable_text
from auditbot.core.model import AuditEvent
from auditbot.sandbox import GeneratedOrg
from auditbot.sandbox.freetext import search_text
from auditbot.sandbox.products import PRODUCTS, event_products

from .helpers import ANCHOR

ODD: list[dict[str, Any]] = [
    {
        "id": "odd-1",
        "attributes": {
            "time": "2026-11-25T10:00:00Z",
            "action": "guard_detect_alert_raised",
            "actor": {"id": "a-1", "name": "Ana Ruiz", "email": "Ana@Example.COM"},
            "location": {"ip": "2001:db8::1", "city": "São Paulo", "countryName": "Brazil", "geo": "x"},
            "context": [
                {"id": "ctx-9", "attributes": {"product": "Confluence", "flag": True, "count": 3, "ratio": 0.5}},
                {"attributes": {"nested": {"deep": "unread"}, "none": None}},
            ],
            "container": [{"id": "site-1", "type": "sites", "attributes": {"product": "guard_detect"}}],
        },
        "message": {"content": "Straße GEÖFFNET", "format": "simple"},
    },
    {
        "id": "odd-2",
        "attributes": {"time": "2026-11-25T10:00:00Z", "action": "user_login", "actor": {"id": "a-2"}},
    },
]


def test_the_enum_is_the_one_auditbot_knows() -> None:
    assert PRODUCTS == core_products.PRODUCTS


def test_products_and_free_text_agree_with_auditbot_over_the_seeded_org(org: GeneratedOrg) -> None:
    events = org.index(ANCHOR).by_time
    assert len(events) > 1000
    for indexed in events:
        event = AuditEvent.model_validate(indexed.raw)
        assert indexed.products == core_products.event_products(event), indexed.id
        assert indexed.text.split() == searchable_text(event).split(), indexed.id


@pytest.mark.parametrize("raw", ODD, ids=lambda raw: raw["id"])
def test_products_and_free_text_agree_with_auditbot_on_odd_events(raw: dict[str, Any]) -> None:
    event = AuditEvent.model_validate(raw)
    assert event_products(raw) == core_products.event_products(event)
    assert search_text(raw).split() == searchable_text(event).split()


def test_free_text_is_case_folded_and_reads_scalars_and_ids_but_not_nested_values() -> None:
    text = search_text(ODD[0])
    for word in ("ana@example.com", "são", "brazil", "ctx-9", "true", "3", "0.5", "strasse", "site-1"):
        assert word in text.split(), word
    assert "unread" not in text
    assert "x" not in text.split()
