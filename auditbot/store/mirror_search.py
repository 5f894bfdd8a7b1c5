"""``MirrorSearchSource``: the event mirror and the stream cursors as search's ``MirrorSource``.

The status of an org's mirror comes from its stream cursor: ``newest_processed_at``, ``updated_at``,
``read_to_end_at`` and ``failed_at`` as stored, and ``covered_from`` - the start of what the mirror holds - from the
cursor's own ``covered_from`` when the ingest schema has one. Until then it falls back to the
time of the oldest event mirrored for the org: right after a complete backfill, but an
over-estimate of coverage if the backfill window began in a quiet stretch (it then starts at the
first event rather than the window's start, which only sends a few more searches live).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from ipaddress import IPv4Address, IPv4Network, IPv6Address

from sqlalchemy import or_, select
from sqlalchemy.sql.elements import ColumnElement

from auditbot.core.match import Criteria
from auditbot.core.model import AuditEvent
from auditbot.store.cursors import StreamCursors
from auditbot.store.db import Database
from auditbot.store.digest_queries import filter_clauses
from auditbot.store.mirror import EventMirror
from auditbot.store.schema import events


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

    def __init__(self, db: Database, mirror: EventMirror, cursors: StreamCursors) -> None:
        self._db = db
        self._mirror = mirror
        self._cursors = cursors

    def status(self, org_id: str) -> MirrorCoverage | None:
        """The org's coverage, or ``None`` before its stream reader first committed."""
        cursor = self._cursors.get(org_id)
        if cursor is None:
            return None
        covered: datetime | None = getattr(cursor, "covered_from", None)
        if covered is None:
            covered = self.oldest_time(org_id)
        return MirrorCoverage(
            covered, cursor.newest_processed_at, cursor.updated_at, cursor.read_to_end_at, cursor.failed_at
        )

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
        with self._db.read() as conn:
            where = [*filter_clauses(conn, org_id, start, end, _column_terms(criteria)), *_range_prefixes(criteria)]
            return self._mirror.window(org_id, start, end, limit=limit, before=before, where=where, conn=conn)


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
