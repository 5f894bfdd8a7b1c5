"""Indexed subscription matching gives exactly what checking every subscription gives."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditbot.core.match import Subscribed, SubscriptionIndex, text_check
from auditbot.core.model import AuditAction, AuditEvent
from auditbot.core.query import parse
from auditbot.sandbox import GeneratedOrg
from auditbot.services.catalog import CatalogSnapshot
from auditbot.services.plan import resolve

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ACTIONS_FILE = Path(__file__).parents[2] / "auditbot" / "sandbox" / "actions.json"


@pytest.fixture(scope="module")
def snapshot() -> CatalogSnapshot:
    data = json.loads(ACTIONS_FILE.read_text())["data"]
    actions = tuple(
        AuditAction(id=a["id"], display_name=a["attributes"]["displayName"], group=a["attributes"]["groupDisplayName"])
        for a in data
    )
    return CatalogSnapshot(actions, ANCHOR)


@pytest.fixture(scope="module")
def events() -> list[AuditEvent]:
    org = GeneratedOrg(3, anchor=ANCHOR, days=3)
    return [AuditEvent.model_validate(e.raw) for e in org.index(ANCHOR).by_time]


def subscribed(snapshot: CatalogSnapshot, n: int, text: str) -> Subscribed:
    return Subscribed(f"s{n:04d}", resolve(parse(text), snapshot))


def naive(subscriptions: list[Subscribed], event: AuditEvent) -> list[str]:
    found = []
    for s in subscriptions:
        text = text_check(s.criteria.query.text)
        if s.criteria.matches(event) and (text is None or text(event)):
            found.append(s.id)
    return sorted(found)


def random_queries(events: list[AuditEvent], rng: random.Random, n: int) -> list[str]:
    actors = sorted({e.actor.email or e.actor.id for e in events})
    ips = sorted({e.ip for e in events if e.ip})
    actions = sorted({e.action for e in events})
    shapes = [
        lambda: f"action:{rng.choice(actions)}",
        lambda: f"action:{rng.choice(actions)},{rng.choice(actions)} -actor:{rng.choice(actors)}",
        lambda: f"actor:{rng.choice(actors)}",
        lambda: f"ip:{rng.choice(ips)}",
        lambda: "ip:198.51.100.0/24 -action:user_login",
        lambda: 'group:"Group management"',
        lambda: 'location:"Sydney, Australia" action:user_login',
        lambda: "product:jira",
        lambda: "-product:jira -location:Germany",
        lambda: f'"{rng.choice(["logged in", "group", "admin", "token"])}"',
        lambda: f"actor:{rng.choice(actors)} admin",
    ]
    return [rng.choice(shapes)() for _ in range(n)]


def test_the_index_finds_exactly_what_a_loop_over_every_subscription_finds(snapshot, events):
    rng = random.Random(11)
    subscriptions = [subscribed(snapshot, n, q) for n, q in enumerate(random_queries(events, rng, 300))]
    index = SubscriptionIndex(subscriptions)
    matched = 0
    for event in events[:1500]:
        expected = naive(subscriptions, event)
        assert index.matching(event) == expected, event.id
        matched += len(expected)
    assert matched > 100, "the subscriptions do match things"


def test_an_event_meets_only_the_subscriptions_that_could_match(snapshot, events):
    subscriptions = [subscribed(snapshot, n, f"action:{a}") for n, a in enumerate(sorted({e.action for e in events}))]
    subscriptions.append(subscribed(snapshot, 999, "ip:203.0.113.0/24"))
    index = SubscriptionIndex(subscriptions)
    event = events[0]
    assert len(index.candidates(event)) == 2, "its own action's subscription and the unfiled range"


def test_subscriptions_can_be_replaced_and_removed(snapshot, events):
    index = SubscriptionIndex([subscribed(snapshot, 1, f"action:{events[0].action}")])
    assert index.matching(events[0]) == ["s0001"]
    other = next(e.action for e in events if e.action != events[0].action)
    index.add(subscribed(snapshot, 1, f"action:{other}"))
    assert index.matching(events[0]) == []
    index.remove("s0001")
    assert len(index) == 0


def test_free_text_needs_every_word_somewhere_in_the_event(events):
    login = next(e for e in events if e.message and e.message.content and "logged in" in e.message.content.lower())
    check = text_check(["LOGGED in"])
    assert check is not None and check(login)
    never = text_check(["logged", "zzz-not-there"])
    assert never is not None and not never(login)
    assert text_check([]) is None
