"""Ingest queues an alert for every (subscription, event) match, in the page's transaction, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from auditbot.core.clock import ManualClock
from auditbot.core.match import text_check
from auditbot.core.model import AuditEvent
from auditbot.core.query import parse
from auditbot.services.alert_matching import AlertMatcher
from auditbot.services.catalog import ActionCatalog
from auditbot.services.ingest import Ingestor
from auditbot.services.plan import resolve
from auditbot.store import Database
from auditbot.store.ingest_store import SqlIngestStore
from auditbot.store.outbox import Outbox, alert_writer
from auditbot.store.schema import events, outbox
from auditbot.store.snoozes import Snoozes
from auditbot.store.subscriptions import Subscriptions
from tests.ingest.helpers import ANCHOR, make_client, make_sandbox

QUERIES = (
    "action:user_login_failed",
    "action:added_org_admin,auth_policy_deleted",
    'group:"API tokens"',
    "ip:203.0.113.0/24 -action:user_login",
    '"logged in as"',
)


def test_ingest_queues_each_matching_event_once_per_subscription(tmp_path):
    clock = ManualClock(ANCHOR)
    api = make_sandbox(clock, days=3)
    client = make_client(api, clock)
    with Database(f"sqlite:///{tmp_path / 'alerts.db'}") as db:
        db.migrate()
        subscriptions = Subscriptions(db, ManualClock(ANCHOR - timedelta(days=4)))
        made = [subscriptions.create(team_id="T1", channel_id="C1", query=q, created_by="U1") for q in QUERIES]
        paused = subscriptions.create(team_id="T1", channel_id="C2", query="action:user_login", created_by="U1")
        subscriptions.pause(paused.id)
        catalog = ActionCatalog(client, org_id=api.org_id, clock=clock, max_wait=None)
        matcher = AlertMatcher(Subscriptions(db, clock), catalog, clock)
        queue = Outbox(db, clock)
        store = SqlIngestStore(db, clock, write_outbox=alert_writer(queue, matcher))
        worker = Ingestor(client, store, clock, org_id=api.org_id, owner="w1", backfill=timedelta(days=2))
        assert worker.run_once().error is None
        assert worker.run_once().events_new == 0, "a second pass re-reads nothing new"

        with db.read() as conn:
            rows = conn.execute(select(outbox.c.subscription_id, outbox.c.event_id)).all()
            mirrored = [AuditEvent.model_validate_json(body) for body in conn.execute(select(events.c.body)).scalars()]
    snapshot = catalog.snapshot()
    expected = set()
    for subscription in made:
        criteria = resolve(parse(subscription.query), snapshot)
        text = text_check(criteria.query.text)
        expected |= {(subscription.id, e.id) for e in mirrored if criteria.matches(e) and (text is None or text(e))}
    assert len(rows) == len(set(rows)), "no pair queued twice"
    assert set(rows) == expected
    assert {s for s, _ in rows} >= {made[0].id, made[2].id}, "the common subscriptions matched"
    assert all(s != paused.id for s, _ in rows), "paused subscriptions get nothing"


def test_a_subscription_hears_only_of_events_processed_after_it_was_made_and_not_of_snoozed_ones(tmp_path):
    clock = ManualClock(ANCHOR)
    api = make_sandbox(clock, days=3)
    client = make_client(api, clock)
    with Database(f"sqlite:///{tmp_path / 'alerts.db'}") as db:
        db.migrate()
        made_at = ANCHOR - timedelta(days=1)
        subscription = Subscriptions(db, ManualClock(made_at)).create(
            team_id="T1", channel_id="C1", query="action:user_login", created_by="U1"
        )
        catalog = ActionCatalog(client, org_id=api.org_id, clock=clock, max_wait=None)
        worker = Ingestor(
            client, SqlIngestStore(db, clock), clock, org_id=api.org_id, owner="w0", backfill=timedelta(days=2)
        )
        assert worker.run_once().error is None
        worker.release()
        with db.read() as conn:
            mirrored = [AuditEvent.model_validate_json(body) for body in conn.execute(select(events.c.body)).scalars()]
        logins = [e for e in mirrored if e.action == "user_login"]
        snoozed_actor = next(e.actor.id for e in logins if e.processed_at >= made_at)
        Snoozes(db, clock).snooze(
            subscription.id,
            actor_id=snoozed_actor,
            action="user_login",
            until=ANCHOR + timedelta(hours=1),
            created_by="U1",
        )
        matcher = AlertMatcher(Subscriptions(db, clock), catalog, clock, snoozes=Snoozes(db, clock))
        found = {event_id for _, event_id in matcher.matches(mirrored)}
        assert found == {e.id for e in logins if e.processed_at >= made_at and e.actor.id != snoozed_actor}
        assert any(e.processed_at < made_at for e in logins), "older logins exist and were left out"
        clock.advance(3601)
        matcher.invalidate()
        assert {event_id for _, event_id in matcher.matches(mirrored)} == {
            e.id for e in logins if e.processed_at >= made_at
        }, "the snooze is over"
