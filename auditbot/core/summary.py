"""What a whole search result adds up to: how many events, and its busiest actors and IP addresses.

``ResultCounts`` is what a source hands over (the mirror counts it in SQL); ``count_events`` computes
the same from events given newest first, for a result read whole and as the reference the SQL is
tested against. Rankings are busiest first, ties by key in code-point order; an actor's label is the
one of its newest event (``core.digest.actor_label``), as the handoff digest labels actors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from auditbot.core.handoff import Tally, actor_label
from auditbot.core.model import AuditEvent

TOP = 3
"""How many actors and addresses a result's summary names."""


@dataclass(frozen=True, slots=True)
class ResultCounts:
    total: int
    actors: tuple[Tally, ...]
    """Busiest actors first (key: actor id, label: email, else name, else id)."""
    ips: tuple[Tally, ...]
    """Busiest IP addresses first (key and label: the address as the event gives it)."""


def count_events(events: Iterable[AuditEvent], top: int = TOP) -> ResultCounts:
    """The counts of ``events`` (newest first: the first event of an actor gives its label)."""
    actors: Counter[str] = Counter()
    ips: Counter[str] = Counter()
    labels: dict[str, str] = {}
    total = 0
    for event in events:
        total += 1
        if event.actor.id:
            actors[event.actor.id] += 1
            labels.setdefault(event.actor.id, actor_label(event))
        if event.ip:
            ips[event.ip] += 1
    return ResultCounts(total, _top(actors, labels, top), _top(ips, {}, top))


def _top(counts: Counter[str], labels: dict[str, str], top: int) -> tuple[Tally, ...]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[: max(0, top)]
    return tuple(Tally(key, labels.get(key, key), n) for key, n in ranked)
