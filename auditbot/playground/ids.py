"""Identifiers the workspace issues: Slack-looking ids, message timestamps, tokens, view hashes.

Ids come from counters, so a run is reproducible; tokens and hashes from the injected random
source; message ``ts`` values from the injected clock, strictly increasing across the workspace.
"""

from __future__ import annotations

import itertools
import random
import threading

from auditbot.core.clock import Clock


class Ids:
    def __init__(self, clock: Clock, rng: random.Random, lock: threading.RLock) -> None:
        self._clock = clock
        self._rng = rng
        self._lock = lock
        self._counters: dict[str, itertools.count[int]] = {}
        self._last_ts_us = 0

    def new(self, prefix: str) -> str:
        """``V0PG000001``-style ids: Slack's one-letter kind, then a fixed marker and a counter."""
        with self._lock:
            counter = self._counters.setdefault(prefix, itertools.count(1))
            return f"{prefix}0PG{next(counter):06d}"

    def token(self, length: int = 24) -> str:
        with self._lock:
            return "".join(self._rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(length))

    def ts(self) -> str:
        """A message timestamp (``1764072000.000100``) from the clock, later than every earlier one."""
        with self._lock:
            now_us = int(self._clock.now().timestamp() * 1_000_000)
            self._last_ts_us = max(now_us, self._last_ts_us + 1)
            return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def view_hash(self) -> str:
        return f"{int(self._clock.now().timestamp())}.{self.token(8)}"

    def trigger_id(self) -> str:
        with self._lock:
            counter = self._counters.setdefault("trigger", itertools.count(1))
            return f"{next(counter)}.{int(self._clock.now().timestamp())}.{self.token(32)}"
