"""``StreamCursors``: where each org's ``/events-stream`` reader stands, written only under its lease.

A cursor row holds the stream's opaque cursor, the newest ``processedAt`` seen, when it was written,
when the reader last read the stream to its end and when a pass last failed (``finish_pass``: the
mirror's freshness), the fencing token of the lease it was written under and
``covered_from``, where the mirror's coverage of the org starts (see ``cover``). ``advance``
runs inside the caller's transaction - the one that also stores the page's events and outbox rows -
and checks the lease there first, so a worker that lost its lease cannot move the cursor, and
whatever else it wrote in that transaction is rolled back with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from auditbot.core.clock import Clock, SystemClock
from auditbot.store.db import Database
from auditbot.store.executor import Executor
from auditbot.store.leases import Lease, check_lease
from auditbot.store.schema import stream_cursors


@dataclass(frozen=True, slots=True)
class StreamCursor:
    org_id: str
    cursor: str | None
    """The stream's opaque cursor to resume from; ``None``: start with the backfill."""
    newest_processed_at: datetime | None
    updated_at: datetime
    fencing_token: int
    covered_from: datetime | None = None
    """Start of the window the mirror holds for the org (the backfill start, moved up by pruning)."""
    read_to_end_at: datetime | None = None
    """When the reader last read the stream to its end (``None``: never yet)."""
    failed_at: datetime | None = None
    """When a pass of the reader last failed, and why (``failure``)."""
    failure: str | None = None


class StreamCursors:
    def __init__(self, db: Database, *, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    def get(self, org_id: str) -> StreamCursor | None:
        """The org's stored cursor; ``None`` before the first page was committed."""
        with self._db.read() as conn:
            row = conn.execute(select(stream_cursors).where(stream_cursors.c.org_id == org_id)).one_or_none()
        if row is None:
            return None
        return StreamCursor(
            org_id=row.org_id,
            cursor=row.cursor,
            newest_processed_at=row.newest_processed_at,
            updated_at=row.updated_at,
            fencing_token=row.fencing_token,
            covered_from=row.covered_from,
            read_to_end_at=row.read_to_end_at,
            failed_at=row.failed_at,
            failure=row.failure,
        )

    def advance(
        self,
        conn: Executor,
        org_id: str,
        cursor: str | None,
        newest_processed_at: datetime | None,
        lease: Lease,
    ) -> None:
        """Store the cursor in the caller's write transaction, after the fencing check of ``lease``.

        ``newest_processed_at`` never goes backwards: ``None`` or an older time keeps the stored one.
        Raises ``StaleLeaseError`` when ``lease`` is stale; the caller's transaction then rolls back.
        Advance an org's cursor under one lease name only (ingest uses ``ingest:<org_id>``): tokens
        count per lease name, so only holders of the same name are ordered by them.
        """
        check_lease(conn, lease)
        now = self._clock.now()
        stored = conn.execute(
            select(stream_cursors.c.newest_processed_at, stream_cursors.c.fencing_token).where(
                stream_cursors.c.org_id == org_id
            )
        ).one_or_none()
        if stored is None:
            conn.execute(
                insert(stream_cursors).values(
                    org_id=org_id,
                    cursor=cursor,
                    newest_processed_at=newest_processed_at,
                    updated_at=now,
                    fencing_token=lease.token,
                )
            )
            return
        newest = stored.newest_processed_at
        if newest_processed_at is not None and (newest is None or newest_processed_at > newest):
            newest = newest_processed_at
        conn.execute(
            update(stream_cursors)
            .where(stream_cursors.c.org_id == org_id)
            .values(cursor=cursor, newest_processed_at=newest, updated_at=now, fencing_token=lease.token)
        )

    def cover(self, conn: Executor, org_id: str, covered_from: datetime, lease: Lease) -> None:
        """Record where the mirror's coverage starts, in the caller's transaction, after the fencing check.

        Creates the org's row (with no cursor yet) before the first page, so a backfill that crashes
        resumes from the same start; later calls (retention pruning) only ever move it forward.
        """
        check_lease(conn, lease)
        now = self._clock.now()
        stored = conn.execute(
            select(stream_cursors.c.covered_from).where(stream_cursors.c.org_id == org_id)
        ).one_or_none()
        if stored is None:
            conn.execute(
                insert(stream_cursors).values(
                    org_id=org_id,
                    cursor=None,
                    newest_processed_at=None,
                    updated_at=now,
                    fencing_token=lease.token,
                    covered_from=covered_from,
                )
            )
            return
        if stored.covered_from is not None and stored.covered_from >= covered_from:
            return
        conn.execute(
            update(stream_cursors)
            .where(stream_cursors.c.org_id == org_id)
            .values(covered_from=covered_from, updated_at=now, fencing_token=lease.token)
        )

    def finish_pass(
        self,
        conn: Executor,
        org_id: str,
        lease: Lease,
        *,
        read_to_end_at: datetime | None,
        failure: str | None,
    ) -> None:
        """Record how a pass ended, in the caller's transaction, after the fencing check of ``lease``:
        ``read_to_end_at`` when it read the stream to its end (the time it asked for the last page),
        ``failure`` when it failed (stamped with now). The row exists once the pass began."""
        check_lease(conn, lease)
        values: dict[str, object] = {"updated_at": self._clock.now(), "fencing_token": lease.token}
        if read_to_end_at is not None:
            values["read_to_end_at"] = read_to_end_at
        if failure is not None:
            values["failed_at"] = self._clock.now()
            values["failure"] = failure
        conn.execute(update(stream_cursors).where(stream_cursors.c.org_id == org_id).values(**values))
