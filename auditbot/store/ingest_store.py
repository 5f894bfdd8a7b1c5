"""``SqlIngestStore``: the ``IngestStore`` of ``auditbot.services.ingest`` over the store's repositories.

Every write runs in one ``Database.begin()`` transaction and passes the lease's fencing check there
(``check_lease``, which locks the lease row on PostgreSQL until the commit), so a worker that lost its
lease writes nothing: the method returns ``None`` (or ``False``) instead of raising. A page's events,
its outbox rows (the ``write_outbox`` hook) and the stream cursor are committed together, the cursor last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import delete, update

from auditbot.core.clock import Clock
from auditbot.core.model import AuditEvent
from auditbot.services.ingest import IngestLease, StreamPosition
from auditbot.store.cursors import StreamCursors
from auditbot.store.db import Database
from auditbot.store.errors import StaleLeaseError
from auditbot.store.executor import Executor
from auditbot.store.leases import Lease, Leases, check_lease
from auditbot.store.mirror import EventMirror
from auditbot.store.schema import events, stream_cursors

OutboxWriter = Callable[[Executor, str, Sequence[AuditEvent]], None]
"""Writes the outbox rows for a page's events, in the page's transaction: ``(conn, org_id, events)``."""


class SqlIngestStore:
    """Implements ``auditbot.services.ingest.IngestStore``."""

    def __init__(self, db: Database, clock: Clock, *, write_outbox: OutboxWriter | None = None) -> None:
        self._db = db
        self._clock = clock
        self._leases = Leases(db, clock)
        self._cursors = StreamCursors(db, clock=clock)
        self._mirror = EventMirror(db, clock=clock)
        self.write_outbox = write_outbox
        """The outbox hook: called with each page's events inside its transaction, before the cursor moves."""

    def acquire_lease(self, name: str, owner: str, ttl_seconds: float) -> IngestLease | None:
        return _ours(self._leases.acquire(name, owner, ttl_seconds))

    def renew_lease(self, lease: IngestLease) -> IngestLease | None:
        return _ours(self._leases.renew(_theirs(lease)))

    def release_lease(self, lease: IngestLease) -> bool:
        return self._leases.release(_theirs(lease))

    def position(self, org_id: str) -> StreamPosition | None:
        stored = self._cursors.get(org_id)
        if stored is None:
            return None
        return StreamPosition(stored.cursor, stored.covered_from, stored.newest_processed_at)

    def cover(self, org_id: str, covered_from: datetime, lease: IngestLease) -> bool:
        try:
            with self._db.begin() as conn:
                self._cursors.cover(conn, org_id, covered_from, _theirs(lease))
        except StaleLeaseError:
            return False
        return True

    def commit_page(
        self,
        org_id: str,
        batch: Sequence[AuditEvent],
        cursor: str | None,
        newest_processed_at: datetime | None,
        lease: IngestLease,
    ) -> int | None:
        held = _theirs(lease)
        try:
            with self._db.begin() as conn:
                check_lease(conn, held)  # first: a stale holder does not even try to write
                new = self._mirror.upsert(conn, org_id, batch)
                if self.write_outbox is not None:
                    self.write_outbox(conn, org_id, batch)
                self._cursors.advance(conn, org_id, cursor, newest_processed_at, held)
        except StaleLeaseError:
            return None
        return new

    def finish_pass(
        self, org_id: str, lease: IngestLease, *, read_to_end_at: datetime | None, failure: str | None
    ) -> bool:
        try:
            with self._db.begin() as conn:
                self._cursors.finish_pass(conn, org_id, _theirs(lease), read_to_end_at=read_to_end_at, failure=failure)
        except StaleLeaseError:
            return False
        return True

    def prune(self, org_id: str, older_than: datetime, lease: IngestLease) -> int | None:
        try:
            with self._db.begin() as conn:
                check_lease(conn, _theirs(lease))
                deleted = conn.execute(delete(events).where(events.c.org_id == org_id, events.c.time < older_than))
                conn.execute(
                    update(stream_cursors)
                    .where(stream_cursors.c.org_id == org_id, stream_cursors.c.covered_from < older_than)
                    .values(covered_from=older_than)
                )
        except StaleLeaseError:
            return None
        return int(deleted.rowcount)


def _theirs(lease: IngestLease) -> Lease:
    return Lease(lease.name, lease.owner, lease.token, lease.expires_at, lease.ttl_seconds)


def _ours(lease: Lease | None) -> IngestLease | None:
    if lease is None:
        return None
    return IngestLease(lease.name, lease.owner, lease.token, lease.expires_at, lease.ttl_seconds)
