"""The handoff digest over the seeded sandbox org: its incidents stand out, quiet shifts say so, and the
mirror's numbers agree with the ones read live."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from auditbot.core.clock import ManualClock
from auditbot.core.handoff import Aggregates
from auditbot.core.model import AuditEvent
from auditbot.core.query import parse
from auditbot.core.timespec import TimeWindow
from auditbot.core.triage import Reason
from auditbot.sandbox import GeneratedOrg
from auditbot.services.handoff import Handoff, HandoffService, OpenAlert, RunningSnooze
from auditbot.services.ingest import Ingestor
from auditbot.slack.render.handoff import render_handoff
from auditbot.store import Database, EventMirror
from auditbot.store.cursors import StreamCursors
from auditbot.store.handoff_counts import HandoffCounts
from auditbot.store.ingest_store import SqlIngestStore
from auditbot.store.mirror_search import MirrorSearchSource
from tests.services.world import ANCHOR, UTC_ZONE, World

DAYS = 45


class Mirrored:
    """The sandbox org's 45 days ingested into a SQLite mirror, and handoff services over it and over the API."""

    def __init__(self, path: Path) -> None:
        self.org = GeneratedOrg(7, anchor=ANCHOR, days=DAYS)
        self.world = World(self.org)
        self.clock: ManualClock = self.world.clock
        self.db = Database(f"sqlite:///{path / 'handoff.db'}")
        self.db.migrate()
        ingest = Ingestor(
            self.world.client,
            SqlIngestStore(self.db, self.clock),
            self.clock,
            org_id=self.org.org_id,
            owner="test",
            backfill=timedelta(days=DAYS),
        )
        assert ingest.run_once().error is None
        self.mirror = EventMirror(self.db, clock=self.clock)
        source = MirrorSearchSource(self.db, self.mirror, StreamCursors(self.db, clock=self.clock))
        org_id = self.org.org_id
        self.service = HandoffService(
            self.world.client,
            self.world.catalog,
            self.clock,
            org_id=org_id,
            digest=HandoffCounts(self.db),
            mirror=source,
        )
        self.live = HandoffService(self.world.client, self.world.catalog, self.clock, org_id=org_id, max_api_pages=200)

    def around(self, name: str, hours: float = 6) -> TimeWindow:
        times = [e.attributes.time for e in self.incident_events(name)]
        return TimeWindow(min(times) - timedelta(hours=hours), max(times) + timedelta(hours=hours))

    def incident_events(self, name: str) -> list[AuditEvent]:
        events = [self.mirror.get(self.org.org_id, i) for i in self.org.incident(name).event_ids]
        assert all(events), f"{name} is in the mirror"
        return [e for e in events if e is not None]


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mirrored]:
    made = Mirrored(tmp_path_factory.mktemp("handoff"))
    try:
        yield made
    finally:
        made.db.close()


def standing_out(handoff: Handoff) -> set[str]:
    """Every event id, actor, IP address and country the digest names as notable or new."""
    a: Aggregates = handoff.aggregates
    named = {e.id for e in a.notable}
    for tallies in (a.new_actors, a.new_ips, a.new_countries, a.failed_login_bursts):
        named |= {t.key for t in tallies}
    return named


@pytest.mark.parametrize(
    "name",
    [
        "admin_granted_at_night",
        "failed_login_burst",
        "api_token_unusual_ip",
        "auth_policy_deleted",
        "user_impersonation",
    ],
)
def test_every_woven_in_incident_stands_out_in_the_handoff_of_its_shift(mirrored: Mirrored, name: str):
    handoff = mirrored.service.handoff_window(parse(""), mirrored.around(name))
    assert handoff.source == "mirror"
    events = mirrored.incident_events(name)
    marks = {e.id for e in events} | {e.actor.id for e in events} | {e.ip for e in events if e.ip}
    marks |= {e.attributes.location.country_name or "" for e in events if e.attributes.location}
    assert marks & standing_out(handoff), f"{name}: {mirrored.org.incident(name).summary}"


def test_each_incident_is_named_the_way_a_person_would_look_for_it(mirrored: Mirrored):
    night = mirrored.service.handoff_window(parse(""), mirrored.around("admin_granted_at_night"))
    assert "added_org_admin" in {e.action for e in night.aggregates.notable}
    burst = mirrored.service.handoff_window(parse(""), mirrored.around("failed_login_burst"))
    target = mirrored.incident_events("failed_login_burst")[0].actor.id
    assert target in {t.key for t in burst.aggregates.failed_login_bursts}
    token = mirrored.service.handoff_window(parse(""), mirrored.around("api_token_unusual_ip", hours=30))
    away = mirrored.incident_events("api_token_unusual_ip")[-1].ip
    assert away in {t.key for t in token.aggregates.new_ips}, "the key was used from an address never seen"


def test_a_quiet_window_says_it_was_quiet(mirrored: Mirrored):
    window = TimeWindow(ANCHOR - timedelta(hours=12), ANCHOR)
    handoff = mirrored.service.handoff_window(parse("action:export_audit_log"), window)
    assert handoff.aggregates.total == 0 and handoff.quiet
    assert handoff.previous_total == 0


def test_the_previous_shift_is_counted_for_the_change(mirrored: Mirrored):
    window = TimeWindow(ANCHOR - timedelta(hours=12), ANCHOR)
    handoff = mirrored.service.handoff_window(parse(""), window)
    before = mirrored.service.handoff_window(parse(""), TimeWindow(window.start - timedelta(hours=12), window.start))
    assert handoff.previous_total == before.aggregates.total > 0


@pytest.mark.parametrize("query", ["", "action:user_login_failed,user_login", "-actor:system ip:198.51.100.0/24"])
def test_the_mirror_and_the_api_count_the_same(mirrored: Mirrored, query: str):
    window = TimeWindow(ANCHOR - timedelta(hours=36), ANCHOR - timedelta(hours=12))
    from_mirror = mirrored.service.handoff_window(parse(query), window)
    live = mirrored.live.handoff_window(parse(query), window)
    assert (from_mirror.source, live.source) == ("mirror", "live")
    assert live.aggregates.complete and live.aggregates.total > 0
    for field in ("total", "by_action", "top_actors", "notable_total", "failed_login_bursts"):
        assert getattr(from_mirror.aggregates, field) == getattr(live.aggregates, field), field
    # /events and /events-stream show an event with different fields (processedAt): compare ids
    assert [e.id for e in from_mirror.aggregates.notable] == [e.id for e in live.aggregates.notable]
    assert not live.aggregates.knows_new and from_mirror.aggregates.knows_new


def test_the_handoff_reads_twelve_hours_by_default_and_a_bare_duration(mirrored: Mirrored):
    default = mirrored.service.handoff("", tz=UTC_ZONE)
    assert default.window == TimeWindow(ANCHOR - timedelta(hours=12), ANCHOR)
    day = mirrored.service.handoff("24h action:user_login", tz=UTC_ZONE)
    assert day.window.start == ANCHOR - timedelta(hours=24) and day.query == "action:user_login"


def test_new_for_the_org_names_the_days_it_was_measured_against_when_the_copy_starts_later(mirrored: Mirrored):
    status = StreamCursors(mirrored.db, clock=mirrored.clock).get(mirrored.org.org_id)
    assert status is not None and status.covered_from is not None
    start = status.covered_from + timedelta(days=10, hours=1)
    handoff = mirrored.service.handoff_window(parse(""), TimeWindow(start, start + timedelta(hours=12)))
    assert handoff.source == "mirror" and handoff.baseline_days == 10
    assert "auditbot's copy of the log holds only 10 days before this shift." in handoff.notes
    text = json.dumps(render_handoff(handoff).blocks)
    assert "not seen in the 10 days before" in text and "30 days" not in text
    full = mirrored.service.handoff_window(parse(""), TimeWindow(ANCHOR - timedelta(hours=12), ANCHOR))
    assert full.baseline_days == 30, "a copy that reaches back far enough measures against 30 days"


class SnoozedExports:
    asked: tuple[datetime, datetime] | None = None

    """Alert state with one running snooze, of an action the window may not hold."""

    def open_alerts(self, team_id: str, since: datetime) -> Sequence[OpenAlert]:
        return ()

    def snoozes(self, team_id: str) -> Sequence[RunningSnooze]:
        return (RunningSnooze("sub-1", "jane@example.com", "export_audit_log", ANCHOR + timedelta(hours=1)),)

    def resolved_between(self, team_id: str, start: datetime, end: datetime) -> Mapping[Reason, int]:
        self.asked = (start, end)
        return {Reason.REMEDIATED: 1, Reason.FALSE_POSITIVE: 2, Reason.OTHER: 0}


def test_every_action_the_digest_names_is_named_as_the_catalog_names_it(mirrored: Mirrored):
    service = HandoffService(
        mirrored.world.client,
        mirrored.world.catalog,
        mirrored.clock,
        org_id=mirrored.org.org_id,
        digest=HandoffCounts(mirrored.db),
        mirror=MirrorSearchSource(mirrored.db, mirrored.mirror, StreamCursors(mirrored.db, clock=mirrored.clock)),
        alerts=(state := SnoozedExports()),
    )
    window = mirrored.around("admin_granted_at_night")
    handoff = service.handoff_window(parse(""), window, team_id="T1")
    assert handoff.resolved == ((Reason.FALSE_POSITIVE, 2), (Reason.REMEDIATED, 1)), "most first, none left out"
    assert state.asked == (window.start, window.end)
    snapshot = mirrored.world.catalog.snapshot()
    named = {e.action for e in handoff.aggregates.notable} | {"export_audit_log"}
    assert {a: handoff.action_names[a] for a in named} == {a: snapshot.get(a).display_name for a in named}
    assert handoff.action_names["export_audit_log"] == "Export audit log"
