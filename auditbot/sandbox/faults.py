"""Scriptable faults: what the sandbox does wrong, on purpose, to the next requests.

Kinds: ``500`` (an ``ADMIN-500-1`` error), ``slow`` (the answer is held back ``slow_seconds``),
``drop`` (the connection closes with no answer) and ``malformed`` (status 200 with a truncated,
invalid JSON body). A plan is a queue of the next faults, used first, in order (deterministic, for
tests), plus per-kind rates rolled with a seeded RNG for every request the queue does not cover.

Which requests: only ``GET`` requests to the four API routes draw from the plan (control and
unknown paths never do). ``500`` and ``drop`` stand for a failure in front of the API: they are
answered before authentication and do not count against the rate limit. ``slow`` and ``malformed``
happen to a request the API really served, so it is authenticated and counted as usual;
``malformed`` always answers 200 with the first half of whatever body the API produced.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any, Literal

FaultKind = Literal["500", "slow", "drop", "malformed"]
FAULT_KINDS: tuple[FaultKind, ...] = ("500", "slow", "drop", "malformed")


class FaultSpecError(ValueError):
    """A fault plan could not be read; the message says what is wrong."""


def parse_kind(text: object) -> FaultKind:
    if text not in FAULT_KINDS:
        raise FaultSpecError(f"unknown fault kind {text!r}; expected one of {', '.join(FAULT_KINDS)}")
    return text


def parse_rates(spec: str) -> dict[FaultKind, float]:
    """Rates from text like ``500=0.05,slow=0.02,drop=0.02,malformed=0.02``."""
    rates: dict[FaultKind, float] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise FaultSpecError(f"fault rate {part!r} should look like KIND=RATE, e.g. 500=0.05")
        try:
            rates[parse_kind(name.strip())] = float(value)
        except ValueError as error:
            if isinstance(error, FaultSpecError):
                raise
            raise FaultSpecError(f"fault rate {part!r}: {value.strip()!r} is not a number") from error
    return check_rates(rates)


def check_rates(rates: Mapping[FaultKind, float]) -> dict[FaultKind, float]:
    for kind, rate in rates.items():
        if not 0.0 <= rate <= 1.0:
            raise FaultSpecError(f"fault rate for {kind} must be between 0 and 1, got {rate}")
    if sum(rates.values()) > 1.0 + 1e-9:
        raise FaultSpecError("fault rates add up to more than 1")
    return dict(rates)


class FaultPlan:
    """Thread-safe; shared by every mount of one ``SandboxApi``."""

    def __init__(
        self,
        *,
        rates: Mapping[FaultKind, float] | None = None,
        queue: Iterable[FaultKind] = (),
        seed: int = 0,
        slow_seconds: float = 2.0,
    ) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(f"auditbot-sandbox-faults:{seed}")
        self._rates = check_rates(rates or {})
        self._queue: deque[FaultKind] = deque(parse_kind(k) for k in queue)
        self.slow_seconds = slow_seconds

    def push(self, *kinds: FaultKind) -> None:
        """Queue faults for the next requests, after any already queued."""
        checked = [parse_kind(k) for k in kinds]
        with self._lock:
            self._queue.extend(checked)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rates = {}

    def next_fault(self) -> FaultKind | None:
        """The fault for the request being served now, if any."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            if not self._rates:
                return None
            roll, total = self._rng.random(), 0.0
            for kind in FAULT_KINDS:
                total += self._rates.get(kind, 0.0)
                if roll < total:
                    return kind
            return None

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {"next": list(self._queue), "rates": dict(self._rates), "slow_seconds": self.slow_seconds}

    def update(self, data: object) -> None:
        """Apply a control request: ``{"next": [...], "rates": {...}, "slow_seconds": n}``; given keys replace."""
        if not isinstance(data, dict):
            raise FaultSpecError('expected a JSON object like {"next": ["500"], "rates": {"drop": 0.1}}')
        unknown = set(data) - {"next", "rates", "slow_seconds"}
        if unknown:
            raise FaultSpecError(f"unknown key {sorted(unknown)[0]!r}; expected next, rates or slow_seconds")
        queue = data.get("next", None)
        rates = data.get("rates", None)
        if queue is not None and not isinstance(queue, list):
            raise FaultSpecError('"next" must be a list of fault kinds')
        if rates is not None and not isinstance(rates, dict):
            raise FaultSpecError('"rates" must be an object of kind: rate')
        new_queue = None if queue is None else [parse_kind(k) for k in queue]
        new_rates = None if rates is None else check_rates({parse_kind(k): _rate(v) for k, v in rates.items()})
        slow = data.get("slow_seconds", self.slow_seconds)
        if isinstance(slow, bool) or not isinstance(slow, int | float) or slow < 0:
            raise FaultSpecError('"slow_seconds" must be a number of seconds')
        with self._lock:
            if new_queue is not None:
                self._queue = deque(new_queue)
            if new_rates is not None:
                self._rates = new_rates
            self.slow_seconds = float(slow)


def _rate(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultSpecError(f"fault rate must be a number, got {value!r}")
    return float(value)
