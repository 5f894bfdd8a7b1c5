"""WaitLimit: waits pass through until the allowance is spent; then a clear error, not a longer wait."""

from __future__ import annotations

import pytest

from auditbot.core.clock import ManualClock
from auditbot.core.errors import ApiError
from auditbot.terminal.deadline import WaitedTooLong, WaitLimit


def test_waits_pass_through_and_long_ones_are_announced():
    clock = ManualClock()
    said: list[str] = []
    limit = WaitLimit(clock, 60, say=said.append)
    limit.sleep(0.5)
    limit.sleep(30)
    limit.sleep(0)
    assert clock.slept == [0.5, 30]
    assert said == ["auditbot: waiting 30 s for the Admin API (gives up after 60 s)"]
    assert limit.now() == clock.now() and limit.monotonic() == clock.monotonic()


def test_a_wait_that_would_end_past_the_limit_is_refused_before_it_starts():
    clock = ManualClock()
    limit = WaitLimit(clock, 60)
    limit.sleep(45)
    with pytest.raises(WaitedTooLong) as info:
        limit.sleep(20)
    assert clock.monotonic() == 45, "no time is spent on a wait that cannot finish in time"
    assert isinstance(info.value, ApiError)
    assert "after 45 s of waiting it asked for 20 s more" in info.value.message
    assert "--max-wait" in (info.value.hint or "")


def test_restart_gives_a_fresh_allowance_after_progress():
    clock = ManualClock()
    limit = WaitLimit(clock, 60)
    limit.sleep(50)
    limit.restart()
    limit.sleep(50)
    assert clock.monotonic() == 100
    with pytest.raises(WaitedTooLong):
        limit.sleep(11)


def test_a_negative_limit_is_a_programming_error():
    with pytest.raises(ValueError):
        WaitLimit(ManualClock(), -1)
