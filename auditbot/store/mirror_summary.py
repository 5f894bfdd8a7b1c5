"""``MirrorSummary``: a mirror search's whole result counted in SQL - its total, busiest actors and addresses.

It is ``HandoffCounts`` asked a smaller question: the same read transaction (one snapshot on both
dialects), the same predicates built from the search's ``Criteria`` (which match ``core.match``) and the
same ranking and labelling queries, over the columns ``actor_id``, ``actor_email`` and ``ip``. So the
summary equals ``core.summary.count_events`` over the events the search would list, page after page.

Criteria the columns cannot filter on (see ``HandoffCounts``) give ``None``: the caller must then not
claim a total it did not count.

One pass groups the rows by (actor, address); the total and both rankings are added up from it, and
each named actor's label is read from its newest event. Every page of a result shows the same summary,
so it is kept for a while, keyed by the org's stream cursor (its newest stored ``processedAt`` and where
its coverage starts) besides the search: a stored event moves the cursor, and the result is counted again.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Hashable, Sequence
from datetime import datetime

from cachetools import TTLCache
from sqlalchemy import Connection, func, select

from auditbot.core.clock import Clock, SystemClock
from auditbot.core.handoff import Tally, actor_label
from auditbot.core.match import Criteria
from auditbot.core.model import AuditEvent
from auditbot.core.summary import TOP, ResultCounts
from auditbot.store.db import Database
from auditbot.store.handoff_counts import Clause, HandoffCounts, NeedsScan, check_filterable, filter_clauses
from auditbot.store.schema import events, stream_cursors


class MirrorSummary(HandoffCounts):
    """Implements ``services.result_summary.MirrorCounter`` over one ``Database``'s event mirror."""

    def __init__(self, db: Database, *, clock: Clock | None = None, cache_seconds: float = 300.0) -> None:
        super().__init__(db)
        self._kept: TTLCache[Hashable, ResultCounts] = TTLCache(
            maxsize=256, ttl=cache_seconds, timer=(clock or SystemClock()).monotonic
        )
        self._lock = threading.Lock()

    def counts(
        self, org_id: str, start: datetime, end: datetime, criteria: Criteria, *, top: int = TOP
    ) -> ResultCounts | None:
        """The counts of the org's events with ``start <= time < end`` matching ``criteria``; ``None`` when
        the criteria have terms SQL cannot filter on here."""
        try:
            check_filterable(criteria)
        except NeedsScan:
            return None
        with self._read() as conn:
            cursor = conn.execute(
                select(stream_cursors.c.newest_processed_at, stream_cursors.c.covered_from).where(
                    stream_cursors.c.org_id == org_id
                )
            ).one_or_none()
            key = (
                org_id,
                start,
                end,
                criteria.query.canonical,
                criteria.actions,
                criteria.not_actions,
                top,
                *(cursor or ()),
            )
            with self._lock:
                kept = self._kept.get(key)
            if kept is not None:
                return kept
            counted = self._count(conn, org_id, start, end, criteria, top)
        with self._lock:
            self._kept[key] = counted
        return counted

    def _count(
        self, conn: Connection, org_id: str, start: datetime, end: datetime, criteria: Criteria, top: int
    ) -> ResultCounts:
        where = filter_clauses(conn, org_id, start, end, criteria)
        pairs = conn.execute(
            select(events.c.actor_id, events.c.ip, func.count()).where(*where).group_by(events.c.actor_id, events.c.ip)
        ).all()
        actors: Counter[str] = Counter()
        ips: Counter[str] = Counter()
        for actor_id, ip, count in pairs:
            actors[actor_id] += count
            if ip:
                ips[ip] += count
        total = actors.total()
        if not total or top <= 0:
            return ResultCounts(total, (), ())
        top_actors = _top(actors, top)
        labels = {key: self._label(conn, where, key) for key, _ in top_actors}
        return ResultCounts(
            total,
            tuple(Tally(key, labels[key], n) for key, n in top_actors),
            tuple(Tally(key, key, n) for key, n in _top(ips, top)),
        )

    def _label(self, conn: Connection, where: Sequence[Clause], actor_id: str) -> str:
        """The actor's label from its newest event among the rows ``where``, ties on time by the greatest id in
        code-point order. A busy actor's newest time is found at once walking the window's index from its end."""
        mine = [*where, events.c.actor_id == actor_id]
        newest = conn.execute(select(events.c.time).where(*mine).order_by(events.c.time.desc()).limit(1)).scalar()
        if newest is None:
            return actor_id
        tied = conn.execute(select(events.c.id, events.c.body).where(*mine, events.c.time == newest)).all()
        _, body = max(tied)
        return actor_label(AuditEvent.model_validate_json(body))


def _top(counts: Counter[str], top: int) -> list[tuple[str, int]]:
    """Busiest first, ties by key in code-point order (as ``HandoffCounts`` and ``core.summary`` rank); no empty key."""
    return sorted(((k, n) for k, n in counts.items() if k), key=lambda item: (-item[1], item[0]))[:top]
