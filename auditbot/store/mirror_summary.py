"""``MirrorSummary``: a mirror search's whole result counted in SQL - its total, busiest actors and addresses.

It is ``MirrorDigest`` asked a smaller question: the same read transaction (one snapshot on both
dialects), the same predicates built from the search's ``Criteria`` (which match ``core.match``) and the
same ranking and labelling queries, over the columns ``actor_id``, ``actor_email`` and ``ip``. So the
summary equals ``core.summary.count_events`` over the events the search would list, page after page.

Criteria the columns cannot filter on (see ``MirrorDigest``) give ``None``: the caller must then not
claim a total it did not count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from auditbot.core.match import Criteria
from auditbot.core.summary import TOP, ResultCounts
from auditbot.store.digest_queries import MirrorDigest, NeedsScan, _check_filterable
from auditbot.store.schema import events


class MirrorSummary(MirrorDigest):
    """Implements ``services.result_summary.MirrorCounter`` over one ``Database``'s event mirror."""

    def counts(
        self, org_id: str, start: datetime, end: datetime, criteria: Criteria, *, top: int = TOP
    ) -> ResultCounts | None:
        """The counts of the org's events with ``start <= time < end`` matching ``criteria``; ``None`` when
        the criteria have terms SQL cannot filter on here."""
        try:
            _check_filterable(criteria)
        except NeedsScan:
            return None
        with self._read() as conn:
            where = self._where(conn, org_id, start, end, criteria)
            total = int(conn.execute(select(func.count()).select_from(events).where(*where)).scalar_one())
            if not total or top <= 0:
                return ResultCounts(total, (), ())
            actors = self._ranking(conn, events.c.actor_id, where, limit=top)
            ips = self._ranking(conn, events.c.ip, where, limit=top)
            labels = self._labels(conn, where, actors.keys())
        return ResultCounts(total, actors.tallies(labels), ips.tallies())
