"""``Ingestor``: follow one org's ``/events-stream`` into the local mirror, under a lease, without loss or duplicates.

One run (``run_once``) holds the lease ``ingest:<org_id>`` (acquired, or renewed when already ours),
then reads the stream from the stored cursor - or, on the very first start, from ``now - backfill``,
which it records first as the start of the mirror's coverage - and commits every page in ONE store
transaction: the events (upserted by id), the page's outbox rows (the store's hook) and, last, the
stream cursor, behind the lease's fencing check. So a crash at any moment leaves the mirror and the
cursor consistent: the next run re-reads at most the page that was in flight, and re-reading is
idempotent.

The stream is ordered by processing time, so late-processed events (an old ``time``, a new
``processedAt``) simply arrive later on the stream; the reader never moves its cursor by event time.
A run stops at the first empty page (the cursor of the last non-empty page is kept, to poll again
from; the time that page was asked for is stored as when the stream was last read to its end, which
is what makes the mirror fresh), when the API keeps rate limiting beyond ``max_wait`` or keeps failing (5xx, timeouts,
malformed answers, after the client's bounded retries): the last committed cursor stays, so the next
run resumes with no gap and no duplicate; the failure is stored, so the mirror stops claiming to be
fresh until a later run reads to the end again. Retention pruning runs once per run; the retention
may exceed the 180 days the API keeps (the backfill may not).

This module stays free of storage details: it talks to an ``IngestStore`` (``auditbot.store.ingest_store``
implements it over SQL) and to a ``StreamSource`` (``AdminApiClient`` is one).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from auditbot.core.clock import Clock
from auditbot.core.errors import ApiError, ApiRateLimited
from auditbot.core.model import AuditEvent, EventPage
from auditbot.core.ports import SortOrder
from auditbot.services.repeat import repeat

logger = logging.getLogger(__name__)

MAX_BACKFILL = timedelta(days=180)
NOT_THE_LEADER = "not the leader"
LEASE_LOST = "lease lost to another worker"


class StreamSource(Protocol):
    """What ingest needs from the Admin API: one page of ``/events-stream``."""

    def poll_events(
        self,
        *,
        cursor: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        sort_order: SortOrder | None = None,
        max_wait: float | None = None,
    ) -> EventPage: ...


@dataclass(frozen=True, slots=True)
class IngestLease:
    """A lease held by this worker; ``token`` is the fencing token every write presents."""

    name: str
    owner: str
    token: int
    expires_at: datetime
    ttl_seconds: float


@dataclass(frozen=True, slots=True)
class StreamPosition:
    """Where the org's stream reader stands."""

    cursor: str | None
    covered_from: datetime | None
    newest_processed_at: datetime | None


class IngestStore(Protocol):
    """Storage for ingest. Every write takes the lease and returns ``None`` when its fencing check fails."""

    def acquire_lease(self, name: str, owner: str, ttl_seconds: float) -> IngestLease | None: ...

    def renew_lease(self, lease: IngestLease) -> IngestLease | None: ...

    def release_lease(self, lease: IngestLease) -> bool: ...

    def position(self, org_id: str) -> StreamPosition | None: ...

    def cover(self, org_id: str, covered_from: datetime, lease: IngestLease) -> bool:
        """Record the start of the mirror's coverage (moving it forward only)."""
        ...

    def commit_page(
        self,
        org_id: str,
        events: Sequence[AuditEvent],
        cursor: str | None,
        newest_processed_at: datetime | None,
        lease: IngestLease,
    ) -> int | None:
        """Events, outbox rows and the cursor, last, in one transaction; how many events were new.

        Outbox rows: the store's ``write_outbox`` hook, called inside this transaction (subscriptions
        plug in there), so an alert is queued exactly when its event is committed.
        """
        ...

    def finish_pass(
        self, org_id: str, lease: IngestLease, *, read_to_end_at: datetime | None, failure: str | None
    ) -> bool:
        """Record how a pass ended: when it read the stream to its end, or why it failed."""
        ...

    def prune(self, org_id: str, older_than: datetime, lease: IngestLease) -> int | None:
        """Delete events older than ``older_than`` and move the coverage start up to it."""
        ...


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one run did."""

    pages: int = 0
    events_new: int = 0
    events_seen: int = 0
    lag_seconds: float | None = None
    """Now minus the newest ``processedAt`` seen so far; ``None`` before any event."""
    leader: bool = False
    error: str | None = None
    pruned: int = 0
    lease_token: int | None = None
    read_to_end_at: datetime | None = None
    """When this pass asked for the page that showed the stream's end; ``None``: it stopped before."""

    def summary(self) -> str:
        """One line for logs and the terminal."""
        if not self.leader:
            return f"ingest: {self.error or NOT_THE_LEADER}"
        lag = "unknown" if self.lag_seconds is None else f"{self.lag_seconds:.0f} s"
        line = f"ingest: {self.pages} pages, {self.events_new} new of {self.events_seen} events, lag {lag}"
        if self.pruned:
            line += f", {self.pruned} pruned"
        return line + (f"; stopped: {self.error}" if self.error else "")


class Ingestor:
    """Follows one org's audit log into the mirror; one ``Ingestor`` per worker and org."""

    def __init__(
        self,
        api: StreamSource,
        store: IngestStore,
        clock: Clock,
        *,
        org_id: str,
        owner: str,
        backfill: timedelta = timedelta(days=7),
        retention: timedelta = MAX_BACKFILL,
        page_limit: int = 500,
        lease_ttl: float = 30.0,
        max_wait: float = 60.0,
    ) -> None:
        if not timedelta(0) < backfill <= MAX_BACKFILL:
            raise ValueError("backfill must be more than 0 and at most 180 days")
        if retention < backfill:
            raise ValueError("retention must be at least the backfill")
        if not 1 <= page_limit <= 500:
            raise ValueError("page_limit must be between 1 and 500")
        if lease_ttl <= 0:
            raise ValueError("lease_ttl must be positive")
        self._api = api
        self._store = store
        self._clock = clock
        self.org_id = org_id
        self.owner = owner
        self.lease_name = f"ingest:{org_id}"
        self._backfill = backfill
        self._retention = retention
        self._page_limit = page_limit
        self._lease_ttl = lease_ttl
        self._max_wait = max_wait
        self._lease: IngestLease | None = None

    @property
    def lease(self) -> IngestLease | None:
        """The lease this worker believes it holds (it may have gone stale since)."""
        return self._lease

    def run_once(self, max_pages: int | None = None) -> IngestReport:
        """Take or keep the lease, read the stream until an empty page (or ``max_pages``), prune once."""
        lease = self._hold()
        if lease is None:
            return IngestReport(leader=False, error=NOT_THE_LEADER)
        position = self._store.position(self.org_id)
        if position is None or (position.cursor is None and position.covered_from is None):
            start = (self._clock.now() - self._backfill).replace(microsecond=0)
            if not self._store.cover(self.org_id, start, lease):
                return self._lost(lease)
            position = StreamPosition(None, start, None)
        run = _Run(cursor=position.cursor, newest=position.newest_processed_at)
        error = self._read(lease, position.covered_from, run, max_pages)
        if error == LEASE_LOST:
            return self._lost(lease, run)
        if not self._store.finish_pass(
            self.org_id, self._lease or lease, read_to_end_at=run.read_to_end_at, failure=error
        ):
            return self._lost(lease, run)
        pruned = self._store.prune(self.org_id, self._clock.now() - self._retention, self._lease or lease)
        if pruned is None:
            return self._lost(lease, run)
        return IngestReport(
            pages=run.pages,
            events_new=run.new,
            events_seen=run.seen,
            lag_seconds=self._lag(run.newest),
            leader=True,
            error=error,
            pruned=pruned,
            lease_token=lease.token,
            read_to_end_at=run.read_to_end_at,
        )

    def run_forever(
        self,
        stop: threading.Event,
        interval: float = 30.0,
        on_report: Callable[[IngestReport], None] | None = None,
    ) -> None:
        """Run, wait ``interval`` seconds, repeat until ``stop``; release the lease at the end."""
        repeat(
            self.run_once,
            stop=stop,
            clock=self._clock,
            interval=interval,
            failed=lambda exc: IngestReport(leader=self._lease is not None, error=exc.message),
            on_report=on_report,
            release=self.release,
        )

    def release(self) -> None:
        """Give the lease up (if still ours), so another worker can take over at once."""
        if self._lease is not None:
            self._store.release_lease(self._lease)
            self._lease = None

    # -- internals ------------------------------------------------------------------------

    def _hold(self) -> IngestLease | None:
        if self._lease is not None:
            self._lease = self._store.renew_lease(self._lease)
        if self._lease is None:
            self._lease = self._store.acquire_lease(self.lease_name, self.owner, self._lease_ttl)
        return self._lease

    def _keep(self, lease: IngestLease) -> IngestLease | None:
        """Renew the lease when half its time has run out; ``None`` when it is no longer ours."""
        remaining = (lease.expires_at - self._clock.now()).total_seconds()
        if remaining > self._lease_ttl / 2:
            return lease
        self._lease = self._store.renew_lease(lease)
        return self._lease

    def _read(self, lease: IngestLease, start: datetime | None, run: _Run, max_pages: int | None) -> str | None:
        """Read and commit pages; the reason the run stopped early, or ``None`` at an empty page."""
        while max_pages is None or run.pages < max_pages:
            held = self._keep(lease)
            if held is None:
                return LEASE_LOST
            lease = held
            asked = self._clock.now()
            try:
                page = self._fetch(run.cursor, start)
            except ApiRateLimited as exc:
                return f"rate limited beyond {self._max_wait:.0f} s ({exc.message})"
            except ApiError as exc:
                return f"the API failed ({exc.message})"
            run.pages += 1
            if not page.data:
                run.read_to_end_at = asked
                return None
            newest = max(event.processed_at for event in page.data)
            cursor = page.next_cursor or run.cursor  # no cursor: this page is re-read next run (idempotent)
            new = self._store.commit_page(self.org_id, page.data, cursor, newest, lease)
            if new is None:
                return LEASE_LOST
            run.new += new
            run.seen += len(page.data)
            run.cursor = cursor
            if run.newest is None or newest > run.newest:
                run.newest = newest
            if page.next_cursor is None:
                run.read_to_end_at = asked
                return None  # nothing to follow: poll again next run
        return None

    def _fetch(self, cursor: str | None, start: datetime | None) -> EventPage:
        if cursor is not None:
            return self._api.poll_events(cursor=cursor, limit=self._page_limit, max_wait=self._max_wait)
        return self._api.poll_events(start=start, limit=self._page_limit, sort_order="asc", max_wait=self._max_wait)

    def _lost(self, lease: IngestLease, run: _Run | None = None) -> IngestReport:
        logger.warning("ingest lease lost", extra={"org_id": self.org_id, "token": lease.token})
        self._lease = None
        run = run or _Run(cursor=None, newest=None)
        return IngestReport(pages=run.pages, events_new=run.new, events_seen=run.seen, leader=False, error=LEASE_LOST)

    def _lag(self, newest: datetime | None) -> float | None:
        return None if newest is None else max(0.0, (self._clock.now() - newest).total_seconds())


@dataclass(slots=True)
class _Run:
    cursor: str | None
    newest: datetime | None
    pages: int = 0
    new: int = 0
    seen: int = 0
    read_to_end_at: datetime | None = None
