"""AlertStateService over the real store, on a SQLite file and on PostgreSQL: the first acknowledgement
stays and later clicks are told whose it was, a burst is acknowledged at once, a snooze reaches every
subscription still posting in the channel, and two replicas clicking at once agree on one person."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from auditbot.core.clock import ManualClock
from auditbot.core.errors import AuditbotError
from auditbot.core.model import AuditEvent
from auditbot.core.snooze import FOUR_HOURS, ONE_HOUR
from auditbot.core.triage import AlertKey, Reason
from auditbot.services.alert_state import AlertStateService, BurstAcknowledged
from auditbot.services.delivery import AlertItem
from auditbot.services.events import EventLookup
from auditbot.services.handoff import OpenAlert, RunningSnooze
from auditbot.services.subscriptions import Subscription, SubscriptionPreview, SubscriptionService
from auditbot.services.triage import TriageService
from auditbot.store import Database
from auditbot.store.alert_states import AlertStates
from auditbot.store.outbox import Channel, Outbox
from auditbot.store.snoozes import Snoozes
from auditbot.store.subscriptions import Subscriptions
from tests.services.world import ANCHOR, World

TEAM, HERE, ELSEWHERE = "T1", "C0ALERTS", "C0OTHER"
JANE, RAVI = "U0JANE", "U0RAVI"
_QUERIES = count()
UTC_ZONE = ZoneInfo("UTC")


class Replica:
    """One process's view of the store: its own connections, repositories and alert state service."""

    def __init__(self, url: str, world: World, *, outbox: type[Outbox] = Outbox, triaged: bool = False) -> None:
        self.db = Database(url)
        clock = world.clock
        self.outbox = outbox(self.db, clock)
        self.snoozes = Snoozes(self.db, clock)
        self.subscriptions = Subscriptions(self.db, clock)
        self.states = AlertStates(self.db)
        self.triage = TriageService(self.states, clock)
        self.service = AlertStateService(
            self.outbox,
            self.snoozes,
            self.subscriptions,
            EventLookup(world.client),
            clock,
            action_name=lambda action: world.catalog.snapshot().get(action).display_name,
            actor_label=lambda event: event.actor.label,
            triage=self.triage if triaged else None,
            states=self.states if triaged else None,
        )


class Alerts:
    """A workspace whose channel got alerts the way delivery posts them."""

    def __init__(self, url: str, world: World) -> None:
        self.url = url
        self.world = world
        self.clock: ManualClock = world.clock
        self.replica = Replica(url, world)
        self.service = self.replica.service
        self._ts = 0

    def close(self) -> None:
        self.replica.db.close()

    def subscribe(self, channel: str = HERE) -> Subscription:
        """A subscription of its own query (a channel is subscribed to a query once)."""
        query = f"x{next(_QUERIES)}"
        return self.replica.subscriptions.create(team_id=TEAM, channel_id=channel, query=query, created_by=JANE)

    def events(self, n: int) -> list[AuditEvent]:
        return self.world.everything(days=1)[:n]

    def post(self, events: Sequence[AuditEvent], *subscriptions: Subscription, burst: bool = False) -> str:
        """Queue the events for the subscriptions, post them as one message (a burst: a summary and one
        part in its thread) and mark them sent; the ts of the message people click on."""
        outbox = self.replica.outbox
        with self.replica.db.begin() as conn:
            outbox.add(conn, "org", [(s.id, e.id) for s in subscriptions for e in events])
        wanted = {e.id for e in events}
        rows = [p.id for p in outbox.pending(Channel(TEAM, subscriptions[0].channel_id)) if p.event_id in wanted]
        top = self._next_ts()
        outbox.attempt(rows, f"b-{top}")
        if burst:
            outbox.sent(rows, self._next_ts(), thread_ts=top)
        else:
            outbox.sent(rows, top)
        return top

    def acked(self) -> set[tuple[str, str | None]]:
        since = ANCHOR - timedelta(days=1)
        return {(p.event_id, p.acked_by) for p in self.replica.outbox.posted(TEAM, since=since)}

    def _next_ts(self) -> str:
        self._ts += 1
        return f"1764072000.{self._ts:06d}"


@pytest.fixture
def alerts(db_url: str, world: World) -> Iterator[Alerts]:
    made = Alerts(db_url, world)
    yield made
    made.close()


# -- acknowledge ------------------------------------------------------------------------------------------


def test_the_first_acknowledgement_stays_and_a_later_click_is_told_whose_it_was(alerts: Alerts):
    sub = alerts.subscribe()
    (event,) = alerts.events(1)
    alerts.post([event], sub)

    first = alerts.service.acknowledge(HERE, event.id, JANE, subscription_ids=[sub.id])
    assert (first.by, first.at) == (JANE, ANCHOR)
    name = alerts.world.catalog.snapshot().get(event.action).display_name
    assert first.alert == AlertItem(event, name, (sub.id,)), "the alert to show again"

    alerts.clock.advance(600)
    second = alerts.service.acknowledge(HERE, event.id, RAVI)
    assert (second.by, second.at) == (JANE, ANCHOR)
    assert second.alert is not None and second.alert.subscription_ids == ()
    assert alerts.acked() == {(event.id, JANE)}


def test_an_alert_matching_two_subscriptions_is_acknowledged_for_both(alerts: Alerts):
    one, two = alerts.subscribe(), alerts.subscribe()
    (event,) = alerts.events(1)
    alerts.post([event], one, two)
    alerts.service.acknowledge(HERE, event.id, JANE)
    since = ANCHOR - timedelta(days=1)
    assert {(p.subscription_id, p.acked_by) for p in alerts.replica.outbox.posted(TEAM, since=since)} == {
        (one.id, JANE),
        (two.id, JANE),
    }


def test_an_alert_the_channel_never_got_is_not_acknowledged(alerts: Alerts):
    here, there = alerts.subscribe(), alerts.subscribe(ELSEWHERE)
    posted, elsewhere = alerts.events(2)
    alerts.post([posted], here)
    alerts.post([elsewhere], there)
    for channel, event_id in ((HERE, elsewhere.id), (ELSEWHERE, posted.id), (HERE, "no-such-event")):
        with pytest.raises(AuditbotError, match="no record of this alert in this channel"):
            alerts.service.acknowledge(channel, event_id, JANE)
    assert alerts.acked() == {(posted.id, None), (elsewhere.id, None)}


def test_an_alert_whose_event_cannot_be_read_now_is_acknowledged_all_the_same(alerts: Alerts):
    sub = alerts.subscribe()
    (event,) = alerts.events(1)
    gone = event.model_copy(update={"id": "event-the-api-does-not-know"})
    alerts.post([gone], sub)
    done = alerts.service.acknowledge(HERE, gone.id, JANE)
    assert (done.by, done.at, done.alert) == (JANE, ANCHOR, None)


def test_acknowledge_all_takes_every_alert_of_the_burst_once(alerts: Alerts):
    sub = alerts.subscribe()
    burst = alerts.events(5)
    summary = alerts.post(burst, sub, burst=True)
    batch = f"b-{summary}"

    first = alerts.service.acknowledge_burst(HERE, batch, JANE, message_ts=summary)
    assert (first.by, first.at, first.new) == (JANE, ANCHOR, 5)
    alerts.clock.advance(60)
    again = alerts.service.acknowledge_burst(HERE, batch, RAVI, message_ts=summary)
    assert (again.by, again.at, again.new) == (JANE, ANCHOR, 0), "a stale copy's click is told who was first"
    assert alerts.acked() == {(e.id, JANE) for e in burst}

    for channel, which, ts in ((ELSEWHERE, batch, summary), (HERE, "b-unknown", "1.2"), (HERE, "b-unknown", "")):
        with pytest.raises(AuditbotError, match="no record of these alerts"):
            alerts.service.acknowledge_burst(channel, which, RAVI, message_ts=ts)


# -- two replicas, one database ---------------------------------------------------------------------------


def outbox_that(before: str, meanwhile: Callable[[], object]) -> type[Outbox]:
    """An outbox whose method ``before`` first lets ``meanwhile`` run: another replica's click landing
    at that point of this one (explicitly, so no thread timing decides the order)."""

    class Interleaved(Outbox):
        def acknowledge(self, channel_id: str, event_id: str, user_id: str) -> datetime | None:
            if before == "acknowledge":
                meanwhile()
            return super().acknowledge(channel_id, event_id, user_id)

        def first_acknowledgement(self, channel_id: str, event_id: str) -> tuple[str, datetime] | None:
            if before == "first_acknowledgement":
                meanwhile()
            return super().first_acknowledgement(channel_id, event_id)

        def acknowledge_batch(self, channel_id: str, batch: str, user_id: str) -> int:
            if before == "acknowledge_batch":
                meanwhile()
            return super().acknowledge_batch(channel_id, batch, user_id)

    return Interleaved


@pytest.mark.parametrize(
    ("ravi_lands_before", "first"),
    [("acknowledge", RAVI), ("first_acknowledgement", JANE)],
    ids=["before-janes-write", "between-janes-write-and-her-read"],
)
def test_two_replicas_clicking_at_the_same_moment_agree_on_who_was_first(
    alerts: Alerts, world: World, ravi_lands_before: str, first: str
):
    sub = alerts.subscribe()
    (event,) = alerts.events(1)
    alerts.post([event], sub)
    ravi = Replica(alerts.url, world)
    told: list[str] = []
    jane = Replica(
        alerts.url,
        world,
        outbox=outbox_that(ravi_lands_before, lambda: told.append(ravi.service.acknowledge(HERE, event.id, RAVI).by)),
    )
    try:
        janes = jane.service.acknowledge(HERE, event.id, JANE)  # the clock stands still: the same moment
    finally:
        jane.db.close()
        ravi.db.close()
    assert told == [first] and janes.by == first, "both are told the same person"
    assert alerts.acked() == {(event.id, first)}


def test_two_replicas_acknowledging_one_burst_at_once_take_it_once(alerts: Alerts, world: World):
    sub = alerts.subscribe()
    burst = alerts.events(3)
    summary = alerts.post(burst, sub, burst=True)
    ravi = Replica(alerts.url, world)
    told: list[BurstAcknowledged] = []
    jane = Replica(
        alerts.url,
        world,
        outbox=outbox_that(
            "acknowledge_batch",
            lambda: told.append(ravi.service.acknowledge_burst(HERE, f"b-{summary}", RAVI, message_ts=summary)),
        ),
    )
    try:
        janes = jane.service.acknowledge_burst(HERE, f"b-{summary}", JANE, message_ts=summary)
    finally:
        jane.db.close()
        ravi.db.close()
    [ravis] = told
    assert (ravis.by, ravis.new) == (RAVI, 3)
    assert (janes.by, janes.new) == (RAVI, 0)
    assert alerts.acked() == {(e.id, RAVI) for e in burst}


# -- snooze -----------------------------------------------------------------------------------------------


def test_a_snooze_reaches_every_subscription_posting_in_the_channel(alerts: Alerts):
    one, two, there = alerts.subscribe(), alerts.subscribe(), alerts.subscribe(ELSEWHERE)
    (event,) = alerts.events(1)
    ts = alerts.post([event], one, two)

    snoozed = alerts.service.snooze(TEAM, HERE, JANE, event_id=event.id, choice=ONE_HOUR, tz=UTC_ZONE, message_ts=ts)

    assert snoozed.subscription_ids == tuple(sorted([one.id, two.id]))
    name = alerts.world.catalog.snapshot().get(event.action).display_name
    assert (snoozed.actor, snoozed.action, snoozed.action_name) == (event.actor.label, event.action, name)
    assert snoozed.until == ANCHOR + timedelta(hours=1)
    records = alerts.replica.snoozes.of_team(TEAM)
    assert sorted(s.subscription_id for s in records) == sorted([one.id, two.id]), f"not {there.id}"
    for record in records:
        assert (record.actor_id, record.action, record.until) == (event.actor.id, event.action, snoozed.until)
        assert (record.created_by, record.message_ts, record.actor_label) == (JANE, ts, event.actor.label)


def test_a_snooze_keeps_to_the_named_subscriptions_that_still_post_here(alerts: Alerts):
    one, two, there = alerts.subscribe(), alerts.subscribe(), alerts.subscribe(ELSEWHERE)
    (event,) = alerts.events(1)
    alerts.post([event], one, two)
    snoozed = alerts.service.snooze(
        TEAM, HERE, JANE, event_id=event.id, choice=ONE_HOUR, tz=UTC_ZONE, subscription_ids=[two.id, there.id]
    )
    assert snoozed.subscription_ids == (two.id,)
    with pytest.raises(AuditbotError, match="nothing to snooze"):
        alerts.service.snooze(
            TEAM, HERE, JANE, event_id=event.id, choice=ONE_HOUR, tz=UTC_ZONE, subscription_ids=[there.id]
        )
    assert [s.subscription_id for s in alerts.replica.snoozes.of_team(TEAM)] == [two.id]


def test_snoozing_again_moves_the_end_of_the_same_record(alerts: Alerts):
    sub = alerts.subscribe()
    (event,) = alerts.events(1)
    alerts.post([event], sub)
    alerts.service.snooze(TEAM, HERE, JANE, event_id=event.id, choice=ONE_HOUR, tz=UTC_ZONE)
    (before,) = alerts.replica.snoozes.of_team(TEAM)
    alerts.service.snooze(TEAM, HERE, RAVI, event_id=event.id, choice=FOUR_HOURS, tz=UTC_ZONE)
    (after,) = alerts.replica.snoozes.of_team(TEAM)
    assert (after.id, after.until, after.created_by) == (before.id, ANCHOR + timedelta(hours=4), RAVI)


def test_an_alert_acknowledged_while_snoozed_says_so_and_an_ended_snooze_is_not_shown(alerts: Alerts):
    sub, elsewhere = alerts.subscribe(), alerts.subscribe("C0ELSEWHERE")
    (event,) = alerts.events(1)
    alerts.post([event], sub)
    assert alerts.service.acknowledge(HERE, event.id, JANE, subscription_ids=[sub.id]).snoozed is None
    alerts.service.snooze(TEAM, HERE, RAVI, event_id=event.id, choice=FOUR_HOURS, tz=UTC_ZONE)
    done = alerts.service.acknowledge(HERE, event.id, JANE, subscription_ids=[sub.id])
    assert done.snoozed == (RAVI, ANCHOR + timedelta(hours=4))
    other = alerts.service.acknowledge(HERE, event.id, JANE, subscription_ids=[elsewhere.id])
    assert other.snoozed is None, "a snooze on another subscription is not this alert's"
    alerts.clock.advance(4 * 3600 + 1)
    assert alerts.service.acknowledge(HERE, event.id, JANE, subscription_ids=[sub.id]).snoozed is None


# -- what the handoff reads -------------------------------------------------------------------------------


def test_the_handoff_reads_open_alerts_once_per_event_and_the_running_snoozes(alerts: Alerts):
    one, two = alerts.subscribe(), alerts.subscribe()
    acked, open_ = alerts.events(2)
    alerts.post([acked], one)
    ts = alerts.post([open_], one, two)
    alerts.service.acknowledge(HERE, acked.id, JANE)
    alerts.service.snooze(TEAM, HERE, JANE, event_id=open_.id, choice=ONE_HOUR, tz=UTC_ZONE, subscription_ids=[one.id])

    assert alerts.service.open_alerts(TEAM, ANCHOR - timedelta(hours=1)) == [OpenAlert(HERE, open_.id, one.id, ts)]
    assert alerts.service.snoozes(TEAM) == [
        RunningSnooze(
            one.id, open_.actor.label, open_.action, ANCHOR + timedelta(hours=1), f"Any action mentioning “{one.query}”"
        )
    ]
    assert alerts.service.open_alerts("T-other", ANCHOR - timedelta(hours=1)) == []


def test_with_triage_state_an_alert_is_open_until_resolved_and_unassigned_ones_come_first(db_url: str, world: World):
    alerts = Alerts(db_url, world)
    alerts.close()
    alerts.replica = Replica(db_url, world, triaged=True)
    alerts.service = alerts.replica.service
    try:
        sub = alerts.subscribe()
        assigned, acked, fixed, noise, old = alerts.events(5)
        alerts.post([old], sub)
        alerts.clock.advance(3600)
        since = alerts.clock.now()
        ts = {e.id: alerts.post([e], sub) for e in (assigned, acked, fixed, noise)}
        triage = alerts.replica.triage
        triage.assign(AlertKey.event(HERE, assigned.id), RAVI, JANE)
        alerts.service.acknowledge(HERE, acked.id, JANE)
        triage.resolve(AlertKey.event(HERE, fixed.id), Reason.REMEDIATED, None, JANE)
        triage.resolve(AlertKey.event(HERE, noise.id), Reason.FALSE_POSITIVE, "test", JANE)

        found = alerts.service.open_alerts(TEAM, since)
        assert [(a.event_id, a.assignee) for a in found] == [(acked.id, None), (assigned.id, RAVI)]
        assert found[0] == OpenAlert(HERE, acked.id, sub.id, ts[acked.id])
        end = alerts.clock.now() + timedelta(seconds=1)
        assert alerts.service.resolved_between(TEAM, since, end) == {Reason.REMEDIATED: 1, Reason.FALSE_POSITIVE: 1}
        assert alerts.service.resolved_between(TEAM, end, end + timedelta(hours=1)) == {}
        assert alerts.service.resolved_between("T-other", since, end) == {}
        triage.reopen(AlertKey.event(HERE, noise.id), JANE)
        assert alerts.service.resolved_between(TEAM, since, end + timedelta(hours=1)) == {Reason.REMEDIATED: 1}
    finally:
        alerts.replica.db.close()


def test_reasons_are_counted_per_subscription_over_30_days_and_the_list_shows_false_positive_shares(
    db_url: str, world: World
):
    alerts = Alerts(db_url, world)
    alerts.close()
    alerts.replica = Replica(db_url, world, triaged=True)
    try:
        one, two, elsewhere = alerts.subscribe(), alerts.subscribe(), alerts.subscribe(ELSEWHERE)
        a, b, c, d, old = alerts.events(5)
        alerts.post([old], one)
        alerts.post([a, b], one)
        alerts.post([c], one, two)
        alerts.post([d], elsewhere)
        triage = alerts.replica.triage
        triage.resolve(AlertKey.event(HERE, old.id), Reason.FALSE_POSITIVE, None, JANE)
        alerts.clock.advance(31 * 86400)
        for event, reason in ((a, Reason.FALSE_POSITIVE), (b, Reason.REMEDIATED), (c, Reason.FALSE_POSITIVE)):
            triage.resolve(AlertKey.event(HERE, event.id), reason, None, JANE)
        triage.assign(AlertKey.event(ELSEWHERE, d.id), RAVI, JANE)

        since = alerts.clock.now() - timedelta(days=30)
        assert alerts.replica.states.resolved_by_subscription(TEAM, since) == {
            one.id: {Reason.FALSE_POSITIVE: 2, Reason.REMEDIATED: 1},
            two.id: {Reason.FALSE_POSITIVE: 1},
        }, "the alert resolved 31 days ago is left out; an alert counts for each subscription that posted it"
        assert alerts.replica.states.resolved_by_subscription("T-other", since) == {}

        service = SubscriptionService(
            alerts.replica.subscriptions,
            SubscriptionPreview(world.search, world.clock),
            resolved=alerts.replica.states,
            clock=world.clock,
        )
        shares = {s.id: s.false_positives for s in service.of_team(TEAM)}
        assert shares == {one.id: (2, 3), two.id: (1, 1), elsewhere.id: None}
    finally:
        alerts.replica.db.close()
