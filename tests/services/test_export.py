from __future__ import annotations

import csv
import io

import pytest

from auditbot.core.errors import ApiNotFound
from auditbot.services.events import EventLookup
from auditbot.services.export import COLUMNS, Exporter, safe_cell
from auditbot.services.search import SearchBusy
from tests.services.world import UTC_ZONE, World


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_an_export_holds_every_event_of_the_query_from_its_first_page(world: World):
    page = world.search.search("action:user_login last:2d", tz=UTC_ZONE)
    second = world.search.open_page(page.next_state or "")
    exported = Exporter(world.search, world.codec).export(second.state)
    rows = read_csv(exported.content)
    expected = [e.id for e in world.everything() if e.action == "user_login"]
    assert [r["event_id"] for r in rows] == expected
    assert exported.rows == len(expected)
    assert not exported.truncated
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["action_name"] == "User login"
    assert exported.filename().startswith("audit-log-") and exported.filename().endswith(".csv")


def test_a_long_export_is_bounded_and_reports_progress(world: World):
    page = world.search.search("last:30d", tz=UTC_ZONE)
    seen: list[int] = []
    exported = Exporter(world.search, world.codec, max_events=1200).export(page.state, progress=seen.append)
    assert exported.rows == 1200
    assert exported.truncated
    assert seen == [500, 1000]


def test_an_export_waits_for_the_rate_limit_instead_of_failing(org):
    world = World(org, per_minute=2)
    page = world.search.search("last:30d", tz=UTC_ZONE)
    exported = Exporter(world.search, world.codec, max_events=2000).export(page.state)
    assert exported.rows == 2000
    assert world.clock.slept, "it waited for the budget"


@pytest.mark.parametrize(
    ("value", "safe"),
    [('=HYPERLINK("x")', '\'=HYPERLINK("x")'), ("+1", "'+1"), ("-2", "'-2"), ("@SUM", "'@SUM"), ("ok", "ok")],
)
def test_formula_cells_are_neutralised(value, safe):
    assert safe_cell(value) == safe


def test_event_lookup_serves_shown_events_without_a_request(world: World):
    page = world.search.search("last:1d", tz=UTC_ZONE)
    lookup = EventLookup(world.client)
    lookup.remember(f.event for f in page.events)
    before = world.client.stats.requests
    assert lookup.get(page.events[0].event.id) == page.events[0].event
    assert world.client.stats.requests == before


def test_event_lookup_asks_the_api_for_other_events(world: World):
    some = world.everything(days=1)[3]
    lookup = EventLookup(world.client)
    assert lookup.get(some.id).id == some.id
    with pytest.raises(ApiNotFound):
        lookup.get("00000000-0000-4000-8000-000000000000")


def test_event_lookup_is_busy_when_the_budget_is_spent(org):
    world = World(org, per_minute=1)
    first, second = world.everything(days=1)[:2]
    lookup = EventLookup(world.client)
    lookup.get(first.id)
    with pytest.raises(SearchBusy):
        lookup.get(second.id)


class MirrorStub:
    """The mirror boundary: events auditbot already holds."""

    def __init__(self, events):
        self.events = {e.id: e for e in events}
        self.asked: list[tuple[str, str]] = []

    def get(self, org_id, event_id):
        self.asked.append((org_id, event_id))
        return self.events.get(event_id)


def test_event_lookup_uses_the_mirror_before_the_api(world: World):
    some = world.everything(days=1)[5]
    mirror = MirrorStub([some])
    lookup = EventLookup(world.client, local=mirror, org_id="org-1")
    before = world.client.stats.requests
    assert lookup.get(some.id) == some
    assert world.client.stats.requests == before
    assert mirror.asked == [("org-1", some.id)]
