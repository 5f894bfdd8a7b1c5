"""``AlertListService`` on SQLite and PostgreSQL: posted alerts by view (open, mine, resolved), newest
first, with their events, filtered by channel and text, paged ten at a time under a signed, pinned state."""

from __future__ import annotations

import pytest

from auditbot.core.errors import AuditbotError
from auditbot.core.paging import PageStateError
from auditbot.core.query import QueryError
from auditbot.core.triage import AlertKey, Reason, State
from auditbot.services.alert_list import AlertListPage, AlertListService, read_view
from auditbot.services.events import EventLookup
from auditbot.services.plan import resolve
from auditbot.services.triage import TriageService
from auditbot.store import Database
from auditbot.store.alert_states import AlertStates
from auditbot.store.outbox import Channel, Outbox
from auditbot.store.subscriptions import Subscriptions
from tests.services.world import World

TEAM, HERE, THERE = "T1", "C0ALERTS", "C0OTHERS"
JANE, RAVI = "U0JANE", "U0RAVI"


class Posted:
    """A workspace whose channels got alerts the way delivery posts them."""

    def __init__(self, db: Database, world: World) -> None:
        self.db, self.world = db, world
        self.outbox = Outbox(db, world.clock)
        self.subscriptions = Subscriptions(db, world.clock)
        self.triage = TriageService(AlertStates(db), world.clock)
        self.service = AlertListService(
            AlertStates(db),
            EventLookup(world.client),
            lambda action: action.replace("_", " ").capitalize(),
            lambda query: resolve(query, world.catalog.snapshot()),
        )
        self.events = world.everything(days=2)

    def post(self, channel: str, event_ids: list[str]) -> None:
        sub = self.subscriptions.create(team_id=TEAM, channel_id=channel, query=f"q{event_ids[0]}", created_by=JANE)
        for event_id in event_ids:
            with self.db.begin() as conn:
                self.outbox.add(conn, "org", [(sub.id, event_id)])
            rows = [p.id for p in self.outbox.pending(Channel(TEAM, channel))]
            self.outbox.attempt(rows, f"b-{event_id}")
            self.outbox.sent(rows, f"1.{event_id}")


@pytest.fixture
def posted(empty_store: Database, world: World) -> Posted:
    return Posted(empty_store, world)


def ids_of(page: AlertListPage) -> list[str]:
    return [a.event_id for a in page.alerts]


def test_each_view_lists_its_alerts_newest_first_with_their_events(posted: Posted):
    a, b, c, d = (e.id for e in posted.events[:4])
    posted.post(HERE, [a, b, c])
    posted.post(THERE, [d])
    posted.triage.assign(AlertKey.event(HERE, b), RAVI, JANE)
    posted.triage.resolve(AlertKey.event(HERE, c), Reason.REMEDIATED, None, JANE)

    open_page = posted.service.first_page(TEAM, JANE, "open")
    assert ids_of(open_page) == [d, b, a] and open_page.next is None and open_page.previous is None
    assert open_page.alerts[1].triage.assignee == RAVI and open_page.alerts[1].event is not None
    assert open_page.alerts[0].action_name
    assert ids_of(posted.service.first_page(TEAM, RAVI, "mine")) == [b]
    assert ids_of(posted.service.first_page(TEAM, JANE, "mine")) == []
    resolved = posted.service.first_page(TEAM, JANE, "resolved")
    assert ids_of(resolved) == [c] and resolved.alerts[0].triage.state is State.RESOLVED
    assert ids_of(posted.service.first_page(TEAM, JANE, "open", channel_id=THERE)) == [d]
    assert [a.event_id for a in posted.service.assigned_to(TEAM, RAVI)] == [b]


def test_filters_in_the_query_language_match_each_alerts_event(posted: Posted):
    first = posted.events[0]
    other = next(e for e in posted.events if e.action != first.action and e.actor.id != first.actor.id)
    posted.post(HERE, [first.id, other.id])
    service = posted.service
    assert ids_of(service.first_page(TEAM, JANE, "open", text=f"action:{first.action}")) == [first.id]
    assert ids_of(service.first_page(TEAM, JANE, "open", text=f"-action:{first.action}")) == [other.id]
    assert ids_of(service.first_page(TEAM, JANE, "open", text=f"actor:{other.actor.id}")) == [other.id]
    assert ids_of(service.first_page(TEAM, JANE, "open", text='"no such thing at all"')) == []
    with pytest.raises(AuditbotError, match="time terms"):
        service.first_page(TEAM, JANE, "open", text="last:7d")
    with pytest.raises(QueryError):
        service.first_page(TEAM, JANE, "open", text="action:no_such_action_here")


def test_pages_of_ten_hold_still_while_new_alerts_arrive(posted: Posted):
    events = [e.id for e in posted.events[:13]]
    posted.post(HERE, events[:12])
    first = posted.service.first_page(TEAM, JANE, "open")
    assert ids_of(first) == events[:12][::-1][:10] and first.next is not None
    posted.post(HERE, events[12:])
    second = posted.service.open_page(TEAM, JANE, first.next)
    assert ids_of(second) == events[:2][::-1] and second.number == 2 and second.next is None
    assert second.previous is not None
    assert ids_of(posted.service.open_page(TEAM, JANE, second.previous)) == ids_of(first)
    with pytest.raises(PageStateError):
        posted.service.open_page(TEAM, JANE, first.next.replace("|open|", "|resolved|"))


def test_the_first_word_names_the_view():
    assert read_view("") == ("open", "")
    assert read_view("Mine  jane") == ("mine", "jane")
    assert read_view("resolved") == ("resolved", "")
    assert read_view("jane@example.com") == ("open", "jane@example.com")
