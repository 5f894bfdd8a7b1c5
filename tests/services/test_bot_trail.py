"""BotTrailService over the real store, on a SQLite file and on PostgreSQL: entries are kept and read back
newest first as ``TrailEntry`` values, each is handed to the mirror, and a store that refuses one does
not break the request it describes."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from auditbot.core.clock import ManualClock
from auditbot.core.paging import PageStateError
from auditbot.services.bot_trail import BotTrailService, NewTrailEntry, TrailEntry
from auditbot.services.trail_pages import TrailPageCodec
from auditbot.store import AuditTrail, Database
from tests.services.world import ANCHOR
from tests.store.conftest import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    """A fresh, migrated database for each test."""
    if request.param == "sqlite":
        with Database(f"sqlite:///{tmp_path / 'auditbot.db'}") as database:
            database.migrate()
            yield database
        return
    with postgres_schema() as url, Database(url) as database:
        database.migrate()
        yield database


class Told:
    """A ``TrailMirror`` that keeps what it is told (the security channel's stand-in)."""

    def __init__(self) -> None:
        self.entries: list[NewTrailEntry] = []

    def mirror(self, entry: NewTrailEntry) -> None:
        self.entries.append(entry)


def test_entries_are_kept_and_read_back_newest_first(db: Database):
    clock = ManualClock(ANCHOR)
    trail = BotTrailService(AuditTrail(db, clock))
    trail.record(NewTrailEntry("T1", "U1", "query", query="action:user_login since:2d", channel_id="C1"))
    clock.advance(60)
    trail.record(NewTrailEntry("T1", "U2", "denied", "denied", channel_id="C2", detail="export: not an admin"))

    newest, oldest = trail.recent()
    denial = "export: not an admin"
    assert newest == TrailEntry(newest.id, clock.now(), "T1", "U2", "denied", "denied", None, "C2", denial)
    assert oldest == TrailEntry(oldest.id, ANCHOR, "T1", "U1", "query", "ok", "action:user_login since:2d", "C1", None)
    assert [e.user_id for e in trail.recent(text="LOGIN")] == ["U1"], "text is found ignoring case"
    assert [e.user_id for e in trail.recent(limit=1)] == ["U2"]
    assert [e.user_id for e in trail.recent(text="")] == ["U2", "U1"], "no text: everything"


def test_each_entry_is_handed_to_the_mirror(db: Database):
    trail = BotTrailService(AuditTrail(db, ManualClock(ANCHOR)))
    told = Told()
    entry = NewTrailEntry("T1", "U1", "share", query="action:user_login since:2d")
    trail.record(entry, mirror=told)
    trail.record(NewTrailEntry("T1", "U1", "query"))
    assert told.entries == [entry], "only where a mirror was given"


def test_an_entry_the_store_refuses_is_logged_and_still_mirrored(db: Database, caplog: pytest.LogCaptureFixture):
    trail = BotTrailService(AuditTrail(db, ManualClock(ANCHOR)))
    told = Told()
    refused = NewTrailEntry("T1", "U1", "query", outcome="maybe")  # not an outcome the store keeps
    with caplog.at_level(logging.ERROR, logger="auditbot.services.bot_trail"):
        trail.record(refused, mirror=told)
    assert "could not record query in the audit trail" in caplog.text
    assert told.entries == [refused]
    assert trail.recent() == []


def test_the_trail_is_read_a_page_at_a_time_with_signed_buttons(db: Database):
    clock = ManualClock(ANCHOR)
    trail = BotTrailService(AuditTrail(db, clock), pages=TrailPageCodec(b"k" * 32))
    for n in range(5):
        trail.record(NewTrailEntry("T1", "U1", "query", query=f"q{n}"))
        clock.advance(1)
    first = trail.first_page(size=2)
    assert [e.query for e in first.entries] == ["q4", "q3"]
    assert (first.number, first.previous) == (1, None) and first.next is not None
    trail.record(NewTrailEntry("T1", "U1", "query", query="later"))
    second = trail.open_page(first.next, size=2)
    assert [e.query for e in second.entries] == ["q2", "q1"], "later entries wait for a fresh first page"
    assert second.previous is not None and second.next is not None
    third = trail.open_page(second.next, size=2)
    assert ([e.query for e in third.entries], third.next) == (["q0"], None)
    assert [e.query for e in trail.open_page(second.previous, size=2).entries] == ["q4", "q3"]
    other = BotTrailService(AuditTrail(db, clock), pages=TrailPageCodec(b"o" * 32))
    with pytest.raises(PageStateError, match="changed"):
        other.open_page(first.next)


def test_a_filtered_page_keeps_its_filter(db: Database):
    trail = BotTrailService(AuditTrail(db, ManualClock(ANCHOR)))
    for n in range(3):
        trail.record(NewTrailEntry("T1", "U1", "export" if n % 2 else "query", query=f"q{n}"))
    page = trail.first_page("EXPORT", size=1)
    assert ([e.query for e in page.entries], page.text, page.next) == (["q1"], "EXPORT", None)
