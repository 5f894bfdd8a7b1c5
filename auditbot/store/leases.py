"""``Leases``: named, expiring leases with a fencing token, so that one worker at a time does a job.

A lease row holds its owner, its expiry and ``token``, a number that grows by one at every
acquisition and never goes down. A worker that acquires a lease gets its token, and every write it
makes under the lease calls ``check_lease`` in the same transaction: if the stored token is no longer
the worker's (the lease expired and someone else took it, or it was released), ``StaleLeaseError``
rolls the write back. So a worker that paused (GC, a stopped VM, a slow network) and woke up after
losing its lease cannot overwrite its successor's work, whatever the clocks say.

Acquisition and the check cannot interleave. On PostgreSQL the acquirer reads the row ``FOR UPDATE
SKIP LOCKED`` (a row locked by another acquirer, or by a writer inside ``check_lease``, which holds it
``FOR UPDATE`` until it commits, counts as taken), and a missing row is created with ``ON CONFLICT DO
NOTHING``. On SQLite every write transaction is ``BEGIN IMMEDIATE``, which holds the one write lock.

Expiry is judged by the injected ``Clock``. With several replicas on PostgreSQL their clocks must
agree (NTP): skew makes a lease look expired early or late to another host, which can only cost time
or give a slow takeover - never two writers, because the fencing token, not the clock, guards writes.
A lease whose time ran out but that nobody took is still valid for writes and can be renewed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update

from auditbot.core.clock import Clock
from auditbot.store.db import Database
from auditbot.store.errors import StaleLeaseError
from auditbot.store.executor import Executor, insert_or_ignore
from auditbot.store.schema import leases

_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease held: ``token`` is the fencing token to present with every write made under it."""

    name: str
    owner: str
    token: int
    expires_at: datetime
    ttl_seconds: float


class Leases:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def acquire(self, name: str, owner: str, ttl_seconds: float) -> Lease | None:
        """Take the lease if it is free, released or expired; ``None`` while someone else holds it.

        A lease still held by the same ``owner`` is not handed out again: a worker keeps its ``Lease``
        and renews it.
        """
        if ttl_seconds <= 0:
            raise ValueError("a lease needs a positive ttl")
        with self._db.begin() as conn:
            conn.execute(
                insert_or_ignore(conn, leases, [leases.c.name]).values(
                    name=name, owner=None, expires_at=_EPOCH, token=0
                )
            )
            row = conn.execute(
                select(leases.c.owner, leases.c.expires_at, leases.c.token)
                .where(leases.c.name == name)
                .with_for_update(skip_locked=True)
            ).one_or_none()
            now = self._clock.now()
            if row is None or (row.owner is not None and row.expires_at > now):
                return None
            expires_at = now + timedelta(seconds=ttl_seconds)
            token = conn.execute(
                update(leases)
                .where(leases.c.name == name)
                .values(owner=owner, expires_at=expires_at, token=leases.c.token + 1)
                .returning(leases.c.token)
            ).scalar_one()
        return Lease(name=name, owner=owner, token=token, expires_at=expires_at, ttl_seconds=ttl_seconds)

    def renew(self, lease: Lease, ttl_seconds: float | None = None) -> Lease | None:
        """Extend the lease from now; ``None`` when it is no longer ours (taken over or released)."""
        ttl = lease.ttl_seconds if ttl_seconds is None else ttl_seconds
        if ttl <= 0:
            raise ValueError("a lease needs a positive ttl")
        expires_at = self._clock.now() + timedelta(seconds=ttl)
        with self._db.begin() as conn:
            renewed = conn.execute(
                update(leases).where(*_ours(lease)).values(expires_at=expires_at).returning(leases.c.token)
            ).first()
        if renewed is None:
            return None
        return replace(lease, expires_at=expires_at, ttl_seconds=ttl)

    def release(self, lease: Lease) -> bool:
        """Give the lease up now (if still ours); ``True`` when it was. Its token stays where it is."""
        with self._db.begin() as conn:
            released = conn.execute(
                update(leases)
                .where(*_ours(lease))
                .values(owner=None, expires_at=self._clock.now())
                .returning(leases.c.token)
            ).first()
        return released is not None

    def holder(self, name: str) -> Lease | None:
        """Who holds the lease now (unexpired, by the clock), for display; ``None`` if nobody does."""
        with self._db.read() as conn:
            row = conn.execute(select(leases).where(leases.c.name == name)).one_or_none()
        if row is None or row.owner is None or row.expires_at <= self._clock.now():
            return None
        return Lease(name=name, owner=row.owner, token=row.token, expires_at=row.expires_at, ttl_seconds=0.0)

    @staticmethod
    def check(conn: Executor, lease: Lease) -> None:
        """The fencing check; see ``check_lease``."""
        check_lease(conn, lease)


def check_lease(conn: Executor, lease: Lease) -> None:
    """Raise ``StaleLeaseError`` unless ``lease`` is still the current holding of its row.

    Call it inside the write transaction it guards (from ``Database.begin()``), before or after the
    writes: on PostgreSQL the row stays locked until that transaction ends, so nobody can take the
    lease over between this check and the commit; on SQLite the transaction's write lock does the same.
    """
    row = conn.execute(
        select(leases.c.owner, leases.c.token).where(leases.c.name == lease.name).with_for_update()
    ).one_or_none()
    if row is None or row.owner != lease.owner or row.token != lease.token:
        stored = None if row is None or row.owner is None else int(row.token)
        raise StaleLeaseError(lease.name, lease.token, stored)


def _ours(lease: Lease) -> tuple[ColumnElement[bool], ...]:
    return (leases.c.name == lease.name, leases.c.owner == lease.owner, leases.c.token == lease.token)
