from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from auditbot.core.clock import ManualClock
from auditbot.core.errors import ApiUnauthorized
from auditbot.services.keyhealth import KeyHealth, KeyStatus

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def watched(expires: date | None = None) -> tuple[KeyHealth, list[KeyStatus], ManualClock]:
    clock = ManualClock(NOW)
    health = KeyHealth(clock, expires=expires)
    seen: list[KeyStatus] = []
    health.on_change(seen.append)
    return health, seen, clock


def test_unknown_until_used_then_tracks_rejection_and_recovery():
    health, seen, _ = watched()
    assert health.status().ok is None
    health.observe(None)
    assert seen == []
    health.observe(ApiUnauthorized("The Admin API rejected the API key (401)."))
    health.observe(ApiUnauthorized("The Admin API rejected the API key (401)."))
    assert [s.ok for s in seen] == [False]
    assert health.status().problem == "The Admin API rejected the API key (401)."
    health.observe(None)
    assert [s.ok for s in seen] == [False, True]


def test_a_key_rejected_on_first_use_is_reported():
    health, seen, _ = watched()
    health.observe(ApiUnauthorized("rejected"))
    assert [s.ok for s in seen] == [False]


def test_an_expiring_key_is_warned_about_once_a_day_from_two_weeks_before():
    health, seen, clock = watched(expires=date(2026, 12, 20))
    health.observe(None)
    assert seen == [], "25 days left"
    clock.advance(timedelta(days=12).total_seconds())
    health.observe(None)
    health.observe(None)
    assert len(seen) == 1 and seen[0].expiring_soon and seen[0].expires == date(2026, 12, 20)
    clock.advance(timedelta(days=1).total_seconds())
    health.observe(None)
    assert len(seen) == 2
