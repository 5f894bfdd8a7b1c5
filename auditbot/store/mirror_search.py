"""``MirrorSearchSource``: the event mirror and the stream cursors as search's ``MirrorSource``.

The status of an org's mirror comes from its stream cursor, read in one query: ``newest_processed_at``,
``updated_at``, ``read_to_end_at`` and ``failed_at`` as stored, and ``covered_from`` - the start of what
the mirror holds: the backfill's start, moved forward by pruning (``StreamCursors.cover``). A cursor
row written before migration 0002 has no ``covered_from``; for it the status falls back to the time of
the oldest event mirrored for the org: right after a complete backfill, but an over-estimate of
coverage if the backfill window began in a quiet stretch (it then starts at the first event rather
than the window's start, which only sends a few more searches live).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from ipaddress import IPv4Address, IPv4Network, IPv6Address

from cachetools import LRUCache
from sqlalchemy import String, bindparam, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from auditbot.core.match import Criteria
from auditbot.core.model import AuditEvent
from auditbot.store.cursors import StreamCursors
from auditbot.store.db import Database
from auditbot.store.handoff_counts import term_clauses
from auditbot.store.mirror import EventMirror, WindowFilter
from auditbot.store.schema import events, stream_cursors
from auditbot.store.timestamps import UtcDateTime

_KEPT_FILTERS = 256
"""Searches whose SQL filter is kept, built, for their next pages."""


@dataclass(frozen=True, slots=True)
class MirrorCoverage:
    """What search needs to know about an org's mirror (``services.mirror_source.MirrorStatus``)."""

    covered_from: datetime | None
    newest_processed_at: datetime | None
    updated_at: datetime
    read_to_end_at: datetime | None = None
    failed_at: datetime | None = None


class MirrorSearchSource:
    """Reads for mirror-backed search; implements ``services.mirror_source.MirrorSource``."""

    def __init__(self, db: Database, mirror: EventMirror, cursors: StreamCursors | None = None) -> None:
        """``cursors`` is not read: the status comes from one query over the cursor and the events together."""
        self._db = db
        self._mirror = mirror
        self._filters: LRUCache[Criteria, WindowFilter] = LRUCache(maxsize=_KEPT_FILTERS)
        self._lock = threading.Lock()

    def status(self, org_id: str) -> MirrorCoverage | None:
        """The org's coverage, or ``None`` before its stream reader first committed (one query: it is read for
        every result page)."""
        with self._db.read() as conn:
            row = conn.execute(_STATUS, {"org_id": org_id}).one_or_none()
        if row is None:
            return None
        covered, newest, updated, read_to_end, failed = row
        return MirrorCoverage(covered, newest, updated, read_to_end, failed)

    def oldest_time(self, org_id: str) -> datetime | None:
        """The time of the org's oldest mirrored event (``None``: none)."""
        with self._db.read() as conn:
            oldest: datetime | None = conn.execute(
                select(events.c.time).where(events.c.org_id == org_id).order_by(events.c.time).limit(1)
            ).scalar_one_or_none()
        return oldest

    def page(
        self,
        org_id: str,
        start: datetime,
        end: datetime,
        *,
        limit: int,
        before: tuple[datetime, str] | None = None,
        criteria: Criteria | None = None,
    ) -> list[AuditEvent]:
        """Events with ``start <= time < end`` below ``before``, newest first by (time, id); with
        ``criteria``, only those its actions, actors, exact addresses and products allow (filtered on
        the columns, so bodies that cannot match are never read; the caller still checks every term)."""
        if criteria is None:
            return self._mirror.window(org_id, start, end, limit=limit, before=before)
        columns = _column_terms(criteria)
        with self._db.read() as conn:
            if _looks_up_spellings(columns):  # its clauses depend on the addresses stored: built for this read
                where = WindowFilter([*term_clauses(conn, org_id, start, end, columns), *_range_prefixes(criteria)])
            else:
                where = self._filter(criteria, lambda: term_clauses(conn, org_id, start, end, columns))
            return self._mirror.window(org_id, start, end, limit=limit, before=before, where=where, conn=conn)

    def _filter(self, criteria: Criteria, clauses: Callable[[], list[ColumnElement[bool]]]) -> WindowFilter:
        """The search's ``WindowFilter``, kept while it is paged through (``clauses``: its term clauses)."""
        with self._lock:
            kept = self._filters.get(criteria)
        if kept is None:
            kept = WindowFilter([*clauses(), *_range_prefixes(criteria)])
            with self._lock:
                self._filters[criteria] = kept
        return kept


def _looks_up_spellings(columns: Criteria) -> bool:
    """Whether ``term_clauses`` reads the window's IPv6 spellings of an address (see ``handoff_counts``)."""
    return any(isinstance(v, IPv6Address) for v in (*columns.query.ips, *columns.query.not_ips))


_ORG = bindparam("org_id", type_=String())
_OLDEST = select(func.min(events.c.time)).where(events.c.org_id == _ORG).scalar_subquery()
_STATUS = select(
    func.coalesce(stream_cursors.c.covered_from, _OLDEST, type_=UtcDateTime()),
    stream_cursors.c.newest_processed_at,
    stream_cursors.c.updated_at,
    stream_cursors.c.read_to_end_at,
    stream_cursors.c.failed_at,
).where(stream_cursors.c.org_id == _ORG)
"""An org's mirror status: the cursor's columns, ``covered_from`` falling back to the oldest event's time."""


def _range_prefixes(criteria: Criteria) -> list[ColumnElement[bool]]:
    """When every wanted address is an IPv4 range or address, the rows whose IP starts with one of their
    whole octets (``198.51.100.0/24`` → ``198.51.100.``): a superset, as the rest is checked in Python."""
    ips = criteria.query.ips
    if not ips or not all(isinstance(v, IPv4Network | IPv4Address) for v in ips):
        return []
    prefixes = []
    for value in ips:
        network = value if isinstance(value, IPv4Network) else IPv4Network(value)
        octets = network.prefixlen // 8
        if octets == 0:
            return []
        fixed = str(network.network_address).split(".")[:octets]
        prefixes.append(".".join(fixed) + ("." if octets < 4 else ""))
    return [
        or_(
            *(
                events.c.ip.startswith(p, autoescape=True) if not p[-1:].isdigit() else events.c.ip == p
                for p in prefixes
            )
        )
    ]


def _column_terms(criteria: Criteria) -> Criteria:
    """The criteria's terms the columns answer exactly (IP ranges, places and free text are left out)."""
    query = criteria.query
    exact = tuple(v for v in query.ips if isinstance(v, IPv4Address | IPv6Address))
    not_exact = tuple(v for v in query.not_ips if isinstance(v, IPv4Address | IPv6Address))
    ranges = len(exact) != len(query.ips)  # an address or a range: the range would be lost, so no IP filter
    kept = replace(query, ips=() if ranges else exact, not_ips=not_exact, locations=(), not_locations=(), text=())
    return Criteria(kept, criteria.actions, criteria.not_actions)
