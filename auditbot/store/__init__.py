"""The store: SQLAlchemy tables, alembic migrations and small repositories over SQLite or PostgreSQL.

``Database(url)`` opens it (``default_url(data_dir)`` is the SQLite file used when no URL is set) and
``Database.migrate()`` brings its schema up to date. The repositories take a ``Database`` and hand
out plain domain values: ``EventMirror`` (the local copy of the audit log), ``StreamCursors`` (where
the stream reader stands), ``Leases`` (who may work on what, with fencing tokens) and ``AuditTrail``
(auditbot's own audit trail). ``Repositories(db, clock)`` builds one of each for a process.
"""

from auditbot.store.audit_trail import AuditTrail
from auditbot.store.cursors import StreamCursor, StreamCursors
from auditbot.store.db import Database
from auditbot.store.errors import StaleLeaseError, StoreError
from auditbot.store.leases import Lease, Leases, check_lease
from auditbot.store.mirror import EventMirror
from auditbot.store.repositories import Repositories
from auditbot.store.urls import default_url, mask_url

__all__ = [
    "AuditTrail",
    "Database",
    "EventMirror",
    "Lease",
    "Leases",
    "Repositories",
    "StaleLeaseError",
    "StoreError",
    "StreamCursor",
    "StreamCursors",
    "check_lease",
    "default_url",
    "mask_url",
]
