"""``Repositories(db, clock)``: one instance of each repository over a database, built once per process.

Every part of a process that needs the store (the Slack listeners, ingest, delivery, the schedules
worker) takes its repository from here, so each is constructed in one place and all share one clock.
"""

from __future__ import annotations

from auditbot.core.clock import Clock
from auditbot.store.alert_states import AlertStates
from auditbot.store.audit_trail import AuditTrail
from auditbot.store.cursors import StreamCursors
from auditbot.store.db import Database
from auditbot.store.handoff_counts import HandoffCounts
from auditbot.store.leases import Leases
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource
from auditbot.store.mirror_summary import MirrorSummary
from auditbot.store.outbox import Outbox
from auditbot.store.schedules import HandoffSchedules
from auditbot.store.snoozes import Snoozes
from auditbot.store.subscriptions import Subscriptions


class Repositories:
    """The repositories over ``db``; attributes only, nothing is read or written until one is used."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.subscriptions = Subscriptions(db, clock)
        self.outbox = Outbox(db, clock)
        self.alert_states = AlertStates(db)
        self.snoozes = Snoozes(db, clock)
        self.mirror = EventMirror(db, clock=clock)
        self.cursors = StreamCursors(db, clock=clock)
        self.schedules = HandoffSchedules(db, clock)
        self.trail = AuditTrail(db, clock)
        self.leases = Leases(db, clock)
        self.handoff_counts = HandoffCounts(db)
        self.mirror_summary = MirrorSummary(db, clock=clock)
        self.mirror_search = MirrorSearchSource(db, self.mirror, self.cursors)
        """Search over the mirror, and the mirror's status (how far ingest has read)."""
