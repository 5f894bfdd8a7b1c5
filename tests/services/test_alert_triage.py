"""Triage over the real store, on a SQLite file and on PostgreSQL: every transition and refusal goes
through the stored state, acknowledging moves it too, and two replicas (two services over one
database) clicking at once, with the other click landing explicitly between this one's read and its
write, end in one final state with no lost update: resolve against resolve, assign against assign,
resolve against assign, and a burst resolved as a whole while one of its items is resolved on its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count

import pytest

from auditbot.core.clock import ManualClock
from auditbot.core.triage import AlertKey, Reason, State, StoredTriage, TransitionRefused, Triage
from auditbot.services.alert_state import AlertStateService
from auditbot.services.events import EventLookup
from auditbot.services.triage import MAX_TRIES, Change, Changed, ChangedMeanwhile, TriageService
from auditbot.store import Database
from auditbot.store.alert_states import AlertStates
from auditbot.store.outbox import Channel, Outbox
from auditbot.store.snoozes import Snoozes
from auditbot.store.subscriptions import Subscriptions
from tests.services.world import ANCHOR, World

TEAM, HERE = "T1", "C0ALERTS"
JANE, RAVI, LEE = "U0JANE", "U0RAVI", "U0LEE"
_QUERIES = count()


def states_that(alert: AlertKey, meanwhile: Callable[[], object]) -> type[AlertStates]:
    """Alert states whose first write for ``alert`` first lets ``meanwhile`` run: another replica's
    click landing between this one's read and its write (explicitly, no thread timing)."""

    class Interleaved(AlertStates):
        pending = True

        def compare_and_set(self, key: AlertKey, triage: Triage, *, expected: int) -> StoredTriage | None:
            if key == alert and self.pending:
                self.pending = False
                meanwhile()
            return super().compare_and_set(key, triage, expected=expected)

    return Interleaved


class Replica:
    """One process: its own connections, repositories and services."""

    def __init__(self, url: str, world: World, states: type[AlertStates] = AlertStates) -> None:
        self.db = Database(url)
        self.outbox = Outbox(self.db, world.clock)
        self.subscriptions = Subscriptions(self.db, world.clock)
        self.triage = TriageService(states(self.db), world.clock)
        self.alerts = AlertStateService(
            self.outbox,
            Snoozes(self.db, world.clock),
            self.subscriptions,
            EventLookup(world.client),
            world.clock,
            action_name=lambda action: action,
            actor_label=lambda event: event.actor.label,
            triage=self.triage,
        )


class Room:
    """A channel that got alerts the way delivery posts them, and the replicas that serve it."""

    def __init__(self, url: str, world: World) -> None:
        self.url, self.world = url, world
        self.clock: ManualClock = world.clock
        self.main = Replica(url, world)
        self.opened = [self.main]
        self._ts = 0

    def replica(self, states: type[AlertStates] = AlertStates) -> Replica:
        made = Replica(self.url, self.world, states)
        self.opened.append(made)
        return made

    def close(self) -> None:
        for replica in self.opened:
            replica.db.close()

    def post(self, n: int, *, burst: bool = False) -> tuple[list[str], str]:
        """``n`` events posted in the channel (as a burst: a summary with its parts in its thread);
        their ids and the post's batch."""
        sub = self.main.subscriptions.create(team_id=TEAM, channel_id=HERE, query=f"q{next(_QUERIES)}", created_by=JANE)
        events = [e.id for e in self.world.everything(days=1)[:n]]
        with self.main.db.begin() as conn:
            self.main.outbox.add(conn, "org", [(sub.id, e) for e in events])
        rows = [p.id for p in self.main.outbox.pending(Channel(TEAM, HERE))]
        self._ts += 1
        top = f"1764072000.{self._ts:06d}"
        self.main.outbox.attempt(rows, f"b-{top}")
        self.main.outbox.sent(rows, f"{top}9" if burst else top, thread_ts=top if burst else None)
        return events, f"b-{top}"


@pytest.fixture
def room(db_url: str, world: World) -> Iterator[Room]:
    made = Room(db_url, world)
    yield made
    made.close()


def one(room: Room, n: int = 1) -> AlertKey:
    events, _ = room.post(n)
    return AlertKey.event(HERE, events[0])


def changes(*clicks: Changed) -> list[Change]:
    return [c.change for c in clicks if c.change is not None]


# -- every transition and refusal -------------------------------------------------------------------------


def test_an_alert_goes_open_acknowledged_assigned_resolved_and_reopened(room: Room):
    alert, triage = one(room), room.main.triage
    assert triage.state_of(alert) == Triage()
    acked = triage.acknowledge(alert, JANE)
    assert acked.change is not None and acked.change.before == Triage()
    assert (acked.triage.state, acked.triage.changed_by, acked.triage.changed_at) == (State.ACKNOWLEDGED, JANE, ANCHOR)
    room.clock.advance(60)
    assert triage.assign(alert, RAVI, JANE).triage.assignee == RAVI
    room.clock.advance(60)
    resolved = triage.resolve(alert, Reason.EXPECTED, "maintenance\nwindow", RAVI)
    assert resolved.change is not None
    assert (resolved.change.transition, resolved.change.by, resolved.change.at) == ("resolve", RAVI, room.clock.now())
    assert (resolved.change.before.state, resolved.change.after.state) == (State.ACKNOWLEDGED, State.RESOLVED)
    assert resolved.triage == Triage(
        State.RESOLVED, RAVI, Reason.EXPECTED, "maintenance window", RAVI, room.clock.now()
    )
    reopened = triage.reopen(alert, JANE).triage
    assert (reopened.state, reopened.assignee, reopened.reason, reopened.comment) == (State.OPEN, RAVI, None, None)
    assert room.main.triage.state_of(alert) == reopened


def test_a_repeated_click_changes_nothing_and_a_resolved_alert_refuses_all_but_reopen(room: Room):
    alert, triage = one(room), room.main.triage
    triage.acknowledge(alert, JANE)
    assert triage.acknowledge(alert, RAVI).change is None, "the first acknowledger stays"
    triage.resolve(alert, Reason.FALSE_POSITIVE, None, JANE)
    for click in (
        lambda: triage.acknowledge(alert, RAVI),
        lambda: triage.assign(alert, RAVI, RAVI),
        lambda: triage.resolve(alert, Reason.OTHER, None, RAVI),
    ):
        with pytest.raises(TransitionRefused, match=r"<@U0JANE> resolved this alert at .* \(False positive\)"):
            click()
    with pytest.raises(TransitionRefused, match="This alert is open") as refused:
        triage.reopen(AlertKey.event(HERE, "never-resolved"), JANE)
    assert refused.value.hint == "Nothing was changed: only a resolved alert can be reopened."


def test_acknowledge_on_the_card_moves_the_state_and_a_resolved_alert_is_not_acknowledged(room: Room):
    events, _ = room.post(2)
    first, second = (AlertKey.event(HERE, e) for e in events)
    acked = room.main.alerts.acknowledge(HERE, events[0], JANE)
    assert acked.by == JANE and acked.change is not None and acked.change.transition == "acknowledge"
    assert room.main.triage.state_of(first).state is State.ACKNOWLEDGED
    assert room.main.alerts.acknowledge(HERE, events[0], RAVI).change is None
    room.main.triage.resolve(second, Reason.REMEDIATED, None, RAVI)
    with pytest.raises(TransitionRefused, match="<@U0RAVI> resolved this alert"):
        room.main.alerts.acknowledge(HERE, events[1], JANE)
    assert room.main.outbox.first_acknowledgement(HERE, events[1]) is None, "nothing was written"


def test_acknowledge_all_on_a_burst_moves_the_burst_and_its_items(room: Room):
    events, batch = room.post(3, burst=True)
    summary = batch.removeprefix("b-")
    room.main.triage.resolve(AlertKey.event(HERE, events[1]), Reason.BENIGN, None, RAVI)
    done = room.main.alerts.acknowledge_burst(HERE, batch, JANE, message_ts=summary)
    assert done.change is not None and done.change.items == (events[0], events[2])
    states = room.main.triage.items_of(HERE, batch)
    assert [t.state for t in states.values()] == [State.ACKNOWLEDGED, State.RESOLVED, State.ACKNOWLEDGED]
    assert room.main.triage.state_of(AlertKey.burst(HERE, batch)).state is State.ACKNOWLEDGED


# -- two replicas, one database ---------------------------------------------------------------------------


def test_resolve_against_resolve_keeps_the_first_and_tells_the_second_who_resolved_it(room: Room):
    alert = one(room)
    ravi = room.replica()
    clicks: list[Changed] = []
    jane = room.replica(
        states_that(alert, lambda: clicks.append(ravi.triage.resolve(alert, Reason.MALICIOUS, "", RAVI)))
    )
    with pytest.raises(ChangedMeanwhile) as refused:
        jane.triage.resolve(alert, Reason.FALSE_POSITIVE, "looks fine", JANE)
    assert refused.value.message == (
        f"Meanwhile, <@U0RAVI> resolved this alert at {ANCHOR:%Y-%m-%d %H:%M} UTC (True positive - malicious)."
    )
    [ravis] = changes(*clicks)
    final = room.main.triage.state_of(alert)
    assert final == ravis.after and final.reason is Reason.MALICIOUS, "Jane's reason did not overwrite Ravi's"


def test_assign_against_assign_both_land_and_the_later_write_wins_having_seen_the_other(room: Room):
    alert = one(room)
    ravi = room.replica()
    clicks: list[Changed] = []
    jane = room.replica(states_that(alert, lambda: clicks.append(ravi.triage.assign(alert, RAVI, RAVI))))
    clicks.append(jane.triage.assign(alert, LEE, JANE))
    ravis, janes = changes(*clicks)
    assert (ravis.before.assignee, ravis.after.assignee) == (None, RAVI)
    assert (janes.before.assignee, janes.after.assignee) == (RAVI, LEE), "Jane's change names what it replaced"
    assert room.main.triage.state_of(alert) == janes.after


def test_resolve_lands_on_top_of_an_assignment_made_meanwhile(room: Room):
    alert = one(room)
    ravi = room.replica()
    clicks: list[Changed] = []
    jane = room.replica(states_that(alert, lambda: clicks.append(ravi.triage.assign(alert, RAVI, RAVI))))
    clicks.append(jane.triage.resolve(alert, Reason.REMEDIATED, None, JANE))
    ravis, janes = changes(*clicks)
    final = room.main.triage.state_of(alert)
    assert (final.state, final.assignee, final.reason) == (State.RESOLVED, RAVI, Reason.REMEDIATED)
    assert janes.before == ravis.after and janes.after == final


def test_assign_is_refused_when_the_alert_was_resolved_meanwhile(room: Room):
    alert = one(room)
    ravi = room.replica()
    clicks: list[Changed] = []
    jane = room.replica(
        states_that(alert, lambda: clicks.append(ravi.triage.resolve(alert, Reason.EXPECTED, None, RAVI)))
    )
    with pytest.raises(ChangedMeanwhile, match=r"Meanwhile, <@U0RAVI> resolved this alert .*Expected / maintenance"):
        jane.triage.assign(alert, JANE, JANE)
    [ravis] = changes(*clicks)
    assert room.main.triage.state_of(alert) == ravis.after and ravis.after.assignee is None


def test_a_burst_resolved_whole_while_one_item_is_resolved_on_its_own_keeps_that_items_reason(room: Room):
    events, batch = room.post(3, burst=True)
    item = AlertKey.event(HERE, events[1])
    ravi = room.replica()
    clicks: list[Changed] = []
    jane = room.replica(
        states_that(item, lambda: clicks.append(ravi.triage.resolve(item, Reason.MALICIOUS, "not her", RAVI)))
    )
    room.clock.advance(30)
    clicks.append(jane.triage.resolve_burst(HERE, batch, Reason.FALSE_POSITIVE, None, JANE))
    ravis, janes = changes(*clicks)
    assert ravis.alert == item and janes.alert == AlertKey.burst(HERE, batch)
    assert janes.items == (events[0], events[2]), "Jane's click moved the items Ravi did not"
    items = room.main.triage.items_of(HERE, batch)
    assert list(items) == events, "every item is still listed"
    assert [(t.state, t.reason, t.changed_by) for t in items.values()] == [
        (State.RESOLVED, Reason.FALSE_POSITIVE, JANE),
        (State.RESOLVED, Reason.MALICIOUS, RAVI),
        (State.RESOLVED, Reason.FALSE_POSITIVE, JANE),
    ]
    assert room.main.triage.state_of(AlertKey.burst(HERE, batch)).reason is Reason.FALSE_POSITIVE


def test_two_replicas_acknowledging_at_once_agree_on_one_acknowledger(room: Room):
    events, _ = room.post(1)
    alert = AlertKey.event(HERE, events[0])
    ravi = room.replica()
    told: list[str] = []
    jane = room.replica(states_that(alert, lambda: told.append(ravi.alerts.acknowledge(HERE, events[0], RAVI).by)))
    janes = jane.alerts.acknowledge(HERE, events[0], JANE)
    assert told == [JANE] and janes.by == JANE
    final = room.main.triage.state_of(alert)
    assert (final.state, final.changed_by) == (State.ACKNOWLEDGED, JANE)


def test_a_click_that_loses_every_round_gives_up_saying_so_and_changes_nothing(room: Room):
    alert = one(room)
    ravi = room.replica()
    picks = iter([RAVI, LEE] * MAX_TRIES)

    class AlwaysBeaten(AlertStates):
        def compare_and_set(self, key: AlertKey, triage: Triage, *, expected: int) -> StoredTriage | None:
            ravi.triage.assign(alert, next(picks), RAVI)
            return super().compare_and_set(key, triage, expected=expected)

    jane = room.replica(AlwaysBeaten)
    with pytest.raises(ChangedMeanwhile, match="kept changing"):
        jane.triage.resolve(alert, Reason.OTHER, None, JANE)
    final = room.main.triage.state_of(alert)
    assert final.state is State.OPEN and final.changed_by == RAVI
