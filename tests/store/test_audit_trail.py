"""AuditTrail: every entry kept with who, what, where, when and outcome; read back newest first and filtered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auditbot.services.bot_trail import TrailEntry
from auditbot.store import AuditTrail


@pytest.fixture
def trail(store, clock):
    return AuditTrail(store, clock)


@pytest.fixture
def filled(trail, clock):
    entries = [
        dict(user_id="U1", kind="query", outcome="ok", query="action:user_logged_in from:-1d", channel_id="C1"),
        dict(user_id="U2", kind="denied", outcome="denied", query="actor:Boss@Example.com", detail="not a viewer"),
        dict(user_id="U1", kind="share", outcome="ok", query="ip:203.0.113.7", channel_id="C2"),
        dict(user_id="U1", kind="export", outcome="error", detail="Rate LIMITED by the API (100%_used)"),
        dict(user_id="U3", kind="subscribe", outcome="ok", query="action:group_deleted", channel_id="C9"),
    ]
    for entry in entries:
        trail.record(team_id="T1", **entry)
        clock.advance(60)
    return trail


def test_an_entry_is_recorded_with_every_field(trail, clock):
    trail.record(team_id="T1", user_id="U1", kind="query", outcome="ok", query="q", channel_id="C1", detail="d")
    [entry] = trail.recent()
    assert entry == TrailEntry(entry.id, clock.now(), "T1", "U1", "query", "ok", "q", "C1", "d")
    assert entry.at.tzname() == "UTC"


def test_recent_is_newest_first_and_limited(filled):
    assert [e.kind for e in filled.recent()] == ["subscribe", "export", "share", "denied", "query"]
    assert [e.kind for e in filled.recent(limit=2)] == ["subscribe", "export"]


def test_entries_recorded_in_the_same_instant_keep_their_order(trail):
    for kind in ("query", "share", "export"):
        trail.record(team_id="T1", user_id="U1", kind=kind, outcome="ok")
    assert [e.kind for e in trail.recent()] == ["export", "share", "query"]


def test_recent_filters_by_user_kind_and_time(filled, clock):
    assert [e.kind for e in filled.recent(user_id="U1")] == ["export", "share", "query"]
    assert [e.user_id for e in filled.recent(kind="denied")] == ["U2"]
    assert [e.kind for e in filled.recent(since=clock.now() - timedelta(seconds=120))] == ["subscribe", "export"]
    assert filled.recent(user_id="U1", kind="denied") == []


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("boss@example", ["denied"]),
        ("rate limited", ["export"]),
        ("100%_", ["export"]),
        ("%", ["export"]),
        ("_", ["subscribe", "export", "query"]),
        ("ACTION:", ["subscribe", "query"]),
        ("nothing like this", []),
    ],
)
def test_text_matches_query_or_detail_ignoring_case_and_wildcards(filled, text, kinds):
    assert [e.kind for e in filled.recent(text=text)] == kinds


def test_bad_outcomes_kinds_and_limits_are_refused(trail):
    with pytest.raises(ValueError, match="outcome"):
        trail.record(team_id="T1", user_id="U1", kind="query", outcome="maybe")
    with pytest.raises(ValueError, match="kind"):
        trail.record(team_id="T1", user_id="U1", kind="", outcome="ok")
    with pytest.raises(ValueError, match="limit"):
        trail.recent(limit=0)
    assert trail.recent() == []


def test_nul_characters_from_hostile_text_are_dropped(trail):
    trail.record(team_id="T1", user_id="U1", kind="query", outcome="ok", query="a\x00b", detail="\x00")
    [entry] = trail.recent()
    assert (entry.query, entry.detail) == ("ab", "")


@pytest.mark.parametrize(("text", "kinds"), [("export", ["export"]), ("DENIED", ["denied"]), ("error", ["export"])])
def test_text_matches_the_kind_and_the_outcome_too(filled, text, kinds):
    assert [e.kind for e in filled.recent(text=text)] == kinds


def test_pages_read_up_to_an_entry_hold_still_while_new_ones_arrive(filled):
    newest = filled.recent(limit=1)[0].id
    filled.record(team_id="T1", user_id="U9", kind="query", outcome="ok")
    assert [e.kind for e in filled.recent(limit=2, up_to_id=newest)] == ["subscribe", "export"]
    assert [e.kind for e in filled.recent(limit=2, up_to_id=newest, offset=2)] == ["share", "denied"]
    with pytest.raises(ValueError, match="offset"):
        filled.recent(offset=-1)
