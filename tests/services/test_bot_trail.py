"""BotTrailService over the real store, on a SQLite file and on PostgreSQL: entries are kept and read back
newest first as ``TrailEntry`` values, each is handed to the mirror, and a store that refuses one does
not break the request it describes."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from auditbot.core.clock import ManualClock
from auditbot.services.bot_trail import BotTrailService, NewTrailEntry, TrailEntry
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
