"""The mirror's freshness: read to the end recently, not the age of the newest event."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from auditbot.core.timespec import TimeWindow
from auditbot.services.mirror_source import behind_note, mirror_freshness, mirror_usable, uncovered_note

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LIMIT = timedelta(minutes=2)
DAY = TimeWindow(NOW - timedelta(days=1), NOW)


@dataclass(frozen=True)
class Status:
    covered_from: datetime | None = NOW - timedelta(days=30)
    newest_processed_at: datetime | None = NOW - timedelta(hours=5)
    updated_at: datetime = NOW - timedelta(seconds=20)
    read_to_end_at: datetime | None = NOW - timedelta(seconds=20)
    failed_at: datetime | None = None


def test_a_quiet_org_read_to_the_end_just_now_is_up_to_date():
    quiet = Status()  # the newest event is five hours old: nothing happened since
    assert mirror_freshness(quiet, NOW, LIMIT).fresh
    assert mirror_usable(quiet, DAY, NOW, LIMIT)
    assert behind_note(quiet, NOW, LIMIT) == "from auditbot's copy of the log, up to date"


def test_a_mirror_that_last_read_to_the_end_long_ago_is_behind_by_that_much():
    late = Status(read_to_end_at=NOW - timedelta(minutes=7))
    state = mirror_freshness(late, NOW, LIMIT)
    assert not state.fresh
    assert state.behind == timedelta(minutes=7)
    assert state.text() == "7 min behind"
    assert not mirror_usable(late, DAY, NOW, LIMIT)


def test_a_mirror_that_never_read_to_the_end_never_answers():
    backfilling = Status(read_to_end_at=None, newest_processed_at=NOW - timedelta(seconds=1))
    assert not mirror_freshness(backfilling, NOW, LIMIT).fresh
    assert not mirror_usable(backfilling, DAY, NOW, LIMIT)
    assert not mirror_usable(backfilling, TimeWindow(NOW - timedelta(days=3), NOW - timedelta(days=2)), NOW, LIMIT)
    assert "has not read the audit log to its end" in mirror_freshness(backfilling, NOW, LIMIT).text()
    assert not mirror_freshness(None, NOW, LIMIT).fresh


def test_a_clock_that_jumped_back_stops_the_mirror_claiming_freshness():
    ahead = Status(read_to_end_at=NOW + timedelta(hours=1))
    state = mirror_freshness(ahead, NOW, LIMIT)
    assert not state.fresh and state.behind is None
    assert "clock" in state.text()
    assert mirror_freshness(Status(read_to_end_at=NOW + timedelta(seconds=5)), NOW, LIMIT).fresh, "skew is not a jump"


def test_a_clock_that_jumped_forward_makes_the_mirror_behind():
    later = NOW + timedelta(days=2)
    assert not mirror_freshness(Status(), later, LIMIT).fresh
    assert not mirror_usable(Status(), DAY, later, LIMIT)


def test_a_failed_pass_after_the_last_read_to_the_end_stops_freshness_until_the_next_one():
    failed = Status(failed_at=NOW - timedelta(seconds=5))
    state = mirror_freshness(failed, NOW, LIMIT)
    assert not state.fresh
    assert state.text() == "20 s behind: its last update failed"
    assert not mirror_usable(failed, DAY, NOW, LIMIT)
    recovered = replace(failed, read_to_end_at=NOW - timedelta(seconds=1))
    assert mirror_freshness(recovered, NOW, LIMIT).fresh


def test_the_window_must_start_inside_the_copy():
    assert not mirror_usable(Status(), TimeWindow(NOW - timedelta(days=31), NOW), NOW, LIMIT)
    assert not mirror_usable(Status(covered_from=None), DAY, NOW, LIMIT)


def test_what_a_copy_that_starts_late_cannot_cover():
    window = TimeWindow(NOW - timedelta(days=400), NOW - timedelta(days=200))
    status = Status(covered_from=datetime(2026, 3, 1, tzinfo=UTC))
    assert uncovered_note(status, window) == (
        "The copy starts on 2026-03-01; earlier events are not available (the Admin API keeps 180 days)."
    )
    assert uncovered_note(Status(covered_from=window.start), window) is None
