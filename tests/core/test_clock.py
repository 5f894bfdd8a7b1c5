"""The offset clock: real time plus an offset that only grows."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from auditbot.core.clock import OffsetClock

A_MINUTE = timedelta(minutes=1)
"""Generous bound on the real time a few statements take."""


def test_skipping_moves_now_and_the_monotonic_clock_forward_together():
    clock = OffsetClock()
    now, ticks = clock.now(), clock.monotonic()
    skipped_to = clock.skip(timedelta(minutes=30))
    assert timedelta(minutes=30) <= skipped_to - now < timedelta(minutes=30) + A_MINUTE
    assert skipped_to <= clock.now() < skipped_to + A_MINUTE
    assert 1800 <= clock.monotonic() - ticks < 1800 + A_MINUTE.total_seconds()
    assert clock.offset == timedelta(minutes=30)


def test_it_only_skips_ahead():
    clock = OffsetClock()
    with pytest.raises(ValueError, match="only skips ahead"):
        clock.skip(timedelta(seconds=-1))
    assert clock.offset == timedelta(0)


def test_a_copy_keeps_the_same_clock():
    clock = OffsetClock()
    assert copy.deepcopy({"clock": clock})["clock"] is clock
