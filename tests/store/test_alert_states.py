"""AlertStates on SQLite and PostgreSQL: a missing row is open, writes are compare-and-set (the first
insert and each update name the version they read), burst items know their burst, and the migration
turns yesterday's acknowledgements into acknowledged states."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from auditbot.core.clock import ManualClock
from auditbot.core.triage import AlertKey, Reason, State, StoredTriage, Triage
from auditbot.store.alert_states import AlertStates
from auditbot.store.db import Database
from auditbot.store.migrate import downgrade, upgrade
from auditbot.store.outbox import Outbox
from auditbot.store.schema import alert_states, outbox, subscriptions
from auditbot.store.subscriptions import Subscriptions
from tests.store.events import ANCHOR

ALERT = AlertKey.event("C1", "e1")
MAYA, RAVI = "U0MAYA", "U0RAVI"


def acked(by: str) -> Triage:
    return Triage(State.ACKNOWLEDGED, changed_by=by, changed_at=ANCHOR)


def test_an_alert_never_touched_is_open_at_version_zero(store: Database):
    assert AlertStates(store).get(ALERT) == StoredTriage(ALERT, Triage(), 0)


def test_the_first_write_inserts_and_the_next_names_its_version(store: Database):
    states = AlertStates(store)
    assert states.compare_and_set(ALERT, acked(MAYA), expected=0) == StoredTriage(ALERT, acked(MAYA), 1)
    resolved = Triage(State.RESOLVED, "U0LEE", Reason.MALICIOUS, "rotated «keys»", RAVI, ANCHOR + timedelta(1))
    assert states.compare_and_set(ALERT, resolved, expected=1) == StoredTriage(ALERT, resolved, 2)
    assert states.get(ALERT) == StoredTriage(ALERT, resolved, 2)


def test_a_write_from_a_stale_read_is_a_conflict_and_changes_nothing(store: Database):
    one, two = AlertStates(store), AlertStates(store)
    assert one.compare_and_set(ALERT, acked(MAYA), expected=0) is not None
    assert two.compare_and_set(ALERT, acked(RAVI), expected=0) is None, "two first inserts: one wins"
    assert one.compare_and_set(ALERT, Triage(State.OPEN, MAYA, None, None, MAYA, ANCHOR), expected=1) is not None
    assert two.compare_and_set(ALERT, acked(RAVI), expected=1) is None, "version 1 is gone"
    assert one.get(ALERT).version == 2 and one.get(ALERT).triage.assignee == MAYA


def test_alerts_are_per_channel_and_per_kind(store: Database):
    states = AlertStates(store)
    for alert in (ALERT, AlertKey.event("C2", "e1"), AlertKey.burst("C1", "e1")):
        assert states.compare_and_set(alert, acked(MAYA), expected=0) is not None
    assert states.get(AlertKey.event("C3", "e1")).version == 0


def test_an_event_posted_in_a_burst_is_its_item(store: Database, clock: ManualClock):
    sub = Subscriptions(store, clock).create(team_id="T1", channel_id="C1", query="x", created_by=MAYA)
    box = Outbox(store, clock)
    with store.begin() as conn:
        box.add(conn, "org", [(sub.id, "e1"), (sub.id, "e2")])
    ids = [p.id for p in box.pending(box.pending_channels()[0])]
    box.attempt(ids, "b-1")
    box.sent(ids, "2.0", thread_ts="1.0")
    states = AlertStates(store)
    assert states.burst_events("C1", "b-1") == ["e1", "e2"]
    assert states.burst_events("C2", "b-1") == []
    states.compare_and_set(AlertKey.event("C1", "e2"), acked(RAVI), expected=0)
    assert states.items("C1", "b-1") == [StoredTriage(AlertKey.event("C1", "e2"), acked(RAVI), 1, "b-1")]


def sent(
    sub: str, event: str, *, batch: str | None = None, by: str | None = None, at: datetime | None = None
) -> dict[str, object]:
    """An outbox row as delivery leaves it: in a burst's thread when it has a batch."""
    return {
        "subscription_id": sub,
        "event_id": event,
        "org_id": "org",
        "created_at": ANCHOR,
        "status": "sent",
        "batch": batch,
        "thread_ts": f"1.{batch}" if batch else None,
        "acked_by": by,
        "acked_at": at,
    }


def test_the_migration_makes_acknowledged_alerts_acknowledged_by_their_first_acknowledger(db: Database):
    upgrade(db, "0007")
    sub = {"team_id": "T1", "created_by": MAYA, "created_at": ANCHOR}
    later = ANCHOR + timedelta(minutes=5)
    with db.begin() as conn:
        conn.execute(
            subscriptions.insert(),
            [
                {**sub, "id": "s1", "channel_id": "C1", "query": "a", "query_hash": "h1"},
                {**sub, "id": "s2", "channel_id": "C1", "query": "b", "query_hash": "h2"},
                {**sub, "id": "s3", "channel_id": "C2", "query": "a", "query_hash": "h3"},
            ],
        )
        conn.execute(
            outbox.insert(),
            [
                # one event in C1 on two subscriptions, acknowledged by Ravi later and Maya first
                sent("s1", "e1", by=RAVI, at=later),
                sent("s2", "e1", by=MAYA, at=ANCHOR),
                # never acknowledged: stays open (no row)
                sent("s3", "e1"),
                # a burst in C1 acknowledged whole, and one in C2 only in part
                sent("s1", "e2", batch="b1", by=RAVI, at=later),
                sent("s1", "e3", batch="b1", by=RAVI, at=later),
                sent("s3", "e2", batch="b2", by=MAYA, at=later),
                sent("s3", "e3", batch="b2"),
            ],
        )
    db.migrate()
    with db.read() as conn:
        rows = conn.execute(
            select(
                alert_states.c.channel_id,
                alert_states.c.kind,
                alert_states.c.alert_key,
                alert_states.c.parent,
                alert_states.c.changed_by,
                alert_states.c.changed_at,
            )
        ).all()
    assert {tuple(r) for r in rows} == {
        ("C1", "event", "e1", None, MAYA, ANCHOR),
        ("C1", "event", "e2", "b1", RAVI, later),
        ("C1", "event", "e3", "b1", RAVI, later),
        ("C1", "burst", "b1", None, RAVI, later),
        ("C2", "event", "e2", "b2", MAYA, later),
    }
    states = AlertStates(db)
    assert states.get(AlertKey.event("C1", "e1")) == StoredTriage(AlertKey.event("C1", "e1"), acked(MAYA), 1)
    assert states.get(AlertKey.event("C2", "e1")).version == 0
    downgrade(db, "0007")
    with db.read() as conn:
        assert conn.execute(select(outbox.c.acked_by).where(outbox.c.event_id == "e1")).scalars().all() == [
            RAVI,
            MAYA,
            None,
        ]
