"""``HandoffCounts`` against ``EventTally``: the same ``Aggregates`` from SQL as from the events one by one.

The mirror holds 40 days of the seeded sandbox org plus a few hand-made events for the cases the
generator never makes (mixed-case emails, an actor whose label changes, name-only and id-only actors,
non-ASCII and empty countries, a non-canonical IPv6 spelling, a NUL in a body, risky events at the same
instant, keys whose code-point order differs from a locale's). Each test runs on SQLite and PostgreSQL;
the reference tallies the matching events newest first, as ``EventMirror.window`` reads them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest

from auditbot.core.handoff import EventTally, Seen, country_of
from auditbot.core.match import Criteria
from auditbot.core.model import AuditEvent
from auditbot.core.query import Query, parse
from auditbot.sandbox import GeneratedOrg
from auditbot.store import Database
from auditbot.store.handoff_counts import HandoffCounts, NeedsScan
from auditbot.store.mirror import EventMirror
from tests.store.conftest import postgres_schema
from tests.store.events import ANCHOR

DAYS = 40
END = ANCHOR + timedelta(hours=1)
TRICKY = "557058:tricky"


def _event(n: int, time: datetime, action: str, actor: dict[str, Any], **location: str) -> AuditEvent:
    attributes: dict[str, Any] = {"time": time.isoformat().replace("+00:00", "Z"), "action": action, "actor": actor}
    if location:
        attributes["location"] = location
    return AuditEvent.model_validate({"id": f"ffffffff-0000-4000-8000-{n:012d}", "attributes": attributes})


def hand_made() -> list[AuditEvent]:
    hour = ANCHOR - timedelta(hours=3)
    tricky_old = {"id": TRICKY, "name": "Tricky Old Name"}
    tricky_new = {"id": TRICKY, "name": "Tricky", "email": "Mixed.Case@Example.COM"}
    made = [
        _event(1, hour, "user_login", tricky_old, ip="2001:DB8:0:0:0:0:0:7", countryName="Österreich"),
        _event(2, hour + timedelta(minutes=1), "user_login", tricky_new, ip="2001:db8::7", countryName="Åland"),
        _event(3, hour - timedelta(days=10), "user_login", tricky_old, ip="203.0.113.250", countryName=""),
        _event(4, hour, "added_org_admin", {"id": "name-only", "name": "Only A Name"}, ip="203.0.113.251"),
        _event(5, hour, "added_org_admin", {"id": "id-only"}, ip="203.0.113.251", city="Nowhere"),
        _event(6, hour, "api_token_created", {"id": "id-only", "email": ""}),
    ]
    upper = _event(7, hour, "api_token_created", {"id": "Upper-Case-Actor"})  # sorts before lower case by code point
    made.append(upper.model_copy(update={"id": "ZZZ-upper-case-id"}))
    made += [
        _event(10 + n, hour + timedelta(seconds=n), "user_login_failed", tricky_new, ip="198.51.100.250")
        for n in range(3)
    ]
    nul = AuditEvent.model_validate(
        {
            "id": "ffffffff-0000-4000-8000-000000000099",
            "attributes": {
                "time": (hour + timedelta(minutes=5)).isoformat(),
                "action": "user_login",
                "actor": {"id": "nul-actor", "name": "Nul\x00Name"},
                "location": {"ip": "198.51.100.251", "countryName": "Iceland"},
            },
            "message": {"content": "with a \x00 inside"},
        }
    )
    return [*made, nul]


def sandbox() -> list[AuditEvent]:
    org = GeneratedOrg(7, anchor=ANCHOR, days=DAYS)
    first = int(org.window_start.timestamp()) // 3600
    last = int(ANCHOR.timestamp()) // 3600
    return [AuditEvent.model_validate(raw) for hour in range(first, last + 1) for raw in org.hour_events(hour)]


ORG = "digest-org"


@cache
def mirrored() -> tuple[AuditEvent, ...]:
    """Every event in the mirror, newest first by (time, id): the order ``EventMirror.window`` reads."""
    return tuple(sorted([*sandbox(), *hand_made()], key=lambda e: (e.time, e.id), reverse=True))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def digest(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HandoffCounts]:
    if request.param == "sqlite":
        with Database(f"sqlite:///{tmp_path_factory.mktemp('digest') / 'auditbot.db'}") as db:
            yield filled(db)
    else:
        with postgres_schema() as url, Database(url) as db:
            yield filled(db)


def filled(db: Database) -> HandoffCounts:
    db.migrate()
    mirror = EventMirror(db)
    events = mirrored()
    for first in range(0, len(events), 500):
        with db.begin() as conn:
            mirror.upsert(conn, ORG, events[first : first + 500])
    return HandoffCounts(db)


def in_window(start: datetime, end: datetime, criteria: Criteria | None = None) -> list[AuditEvent]:
    return [e for e in mirrored() if start <= e.time < end and (criteria is None or criteria.matches(e))]


def seen_in(start: datetime, end: datetime) -> Seen:
    before = in_window(start, end)
    return Seen(
        actors=frozenset(e.actor.id for e in before),
        ips=frozenset(e.ip for e in before if e.ip),
        countries=frozenset(c for e in before if (c := country_of(e))),
    )


def reference(
    start: datetime,
    end: datetime,
    *,
    criteria: Criteria | None = None,
    baseline_start: datetime | None = None,
    **kw: Any,
) -> Any:
    seen = seen_in(baseline_start, start) if baseline_start is not None else None
    tally = EventTally(seen=seen, **kw)
    tally.add(in_window(start, end, criteria))
    return tally.result()


def criteria(text: str, actions: tuple[str, ...] = (), not_actions: tuple[str, ...] = ()) -> Criteria:
    return Criteria(parse(text), frozenset(actions), frozenset(not_actions))


WINDOWS = {
    "last day, 30-day baseline": (END - timedelta(days=1), END, timedelta(days=30)),
    "a shift, 7-day baseline": (ANCHOR - timedelta(hours=8), END, timedelta(days=7)),
    "everything, no baseline": (ANCHOR - timedelta(days=DAYS + 1), END, None),
    "three days in the middle, 10-day baseline": (
        ANCHOR - timedelta(days=20),
        ANCHOR - timedelta(days=17),
        timedelta(days=10),
    ),
    "a baseline partly before the mirror": (
        ANCHOR - timedelta(days=DAYS - 1),
        ANCHOR - timedelta(days=DAYS - 3),
        timedelta(days=5),
    ),
}


@pytest.mark.parametrize("name", list(WINDOWS))
def test_aggregates_match_the_tally(digest: HandoffCounts, name: str) -> None:
    start, end, baseline = WINDOWS[name]
    baseline_start = start - baseline if baseline else None
    expected = reference(start, end, baseline_start=baseline_start)
    assert expected.total > 0
    assert digest.aggregate(ORG, start, end, baseline_start=baseline_start) == expected
    assert digest.total(ORG, start, end) == expected.total


CRITERIA = {
    "none": None,
    "actions": Criteria(Query(actions=("user_login",)), frozenset({"user_login", "user_login_failed"}), frozenset()),
    "not actions": Criteria(Query(not_actions=("user_login",)), frozenset(), frozenset({"user_login"})),
    "actor by email": criteria("actor:MIXED.case@example.com,karina.yamamoto@example.com"),
    "actor by id": criteria(f"actor:{TRICKY},atlassian-internal-system"),
    "not actor (some without email)": criteria("-actor:mixed.case@example.com,name-only,karina.yamamoto@example.com"),
    "exact ip": criteria("ip:198.51.100.22,203.0.113.251"),
    "ipv6 in another spelling": criteria("ip:2001:0db8::0007"),
    "not ip (events without one kept)": criteria("-ip:198.51.100.22,2001:db8::7"),
    "product": criteria("product:jira,confluence"),
    "not product (events without one kept)": criteria("-product:jira"),
    "everything at once": Criteria(
        parse("-actor:karina.yamamoto@example.com -ip:192.0.2.10"),
        frozenset({"user_login", "user_login_failed", "added_org_admin"}),
        frozenset({"user_login_failed"}),
    ),
}


@pytest.mark.parametrize("name", list(CRITERIA))
def test_criteria_filter_as_core_match_does(digest: HandoffCounts, name: str) -> None:
    start, end = END - timedelta(days=2), END
    wanted = CRITERIA[name]
    expected = reference(start, end, criteria=wanted, baseline_start=start - timedelta(days=14))
    assert expected.total > 0
    got = digest.aggregate(ORG, start, end, criteria=wanted, baseline_start=start - timedelta(days=14))
    assert got == expected
    assert digest.aggregate(ORG, start, end, criteria=wanted) == reference(start, end, criteria=wanted)
    assert digest.total(ORG, start, end, criteria=wanted) == expected.total


def test_the_hand_made_cases_show(digest: HandoffCounts) -> None:
    start, end = END - timedelta(hours=6), END
    got = digest.aggregate(ORG, start, end, baseline_start=start - timedelta(days=30), burst_threshold=3, top=50)
    assert got == reference(start, end, baseline_start=start - timedelta(days=30), burst_threshold=3, top=50)
    labels = {t.key: t.label for t in got.top_actors}
    assert labels[TRICKY] == "Mixed.Case@Example.COM"
    assert labels["name-only"] == "Only A Name"
    assert labels["id-only"] == "id-only"
    assert labels["nul-actor"] == "Nul\x00Name"
    assert TRICKY in {t.key for t in got.failed_login_bursts}
    assert {"Österreich", "Åland", "Iceland"} <= {t.key for t in got.new_countries}
    assert "" not in {t.key for t in got.new_countries}
    assert {"2001:DB8:0:0:0:0:0:7", "2001:db8::7"} <= {t.key for t in got.new_ips}


@pytest.mark.parametrize(
    "options",
    [
        {"risky": frozenset({"user_login_failed", "added_org_admin"})},
        {"risky": frozenset()},
        {"burst_threshold": 2, "top": 2},
        {"top": 0},
    ],
)
def test_options_match_the_tally(digest: HandoffCounts, options: dict[str, Any]) -> None:
    start, end = END - timedelta(days=3), END
    expected = reference(start, end, baseline_start=start - timedelta(days=7), **options)
    assert digest.aggregate(ORG, start, end, baseline_start=start - timedelta(days=7), **options) == expected


def test_notable_events_are_capped_and_counted(digest: HandoffCounts) -> None:
    start, end = ANCHOR - timedelta(days=DAYS + 1), END
    got = digest.aggregate(ORG, start, end)
    assert got.notable_total > len(got.notable) == 20
    assert list(got.notable) == sorted(got.notable, key=lambda e: (e.time, e.id))


def test_seen_is_what_came_before(digest: HandoffCounts) -> None:
    start = END - timedelta(days=1)
    seen = digest.seen(ORG, start - timedelta(days=30), start)
    assert seen == seen_in(start - timedelta(days=30), start)
    assert "Österreich" not in seen.countries and seen.countries


@pytest.mark.parametrize(
    "text", ["ip:198.51.100.0/24", "-ip:2001:db8::/32", "location:Sydney", "-location:Germany", "admin"]
)
def test_terms_the_columns_cannot_filter_need_a_scan(digest: HandoffCounts, text: str) -> None:
    wanted = criteria(text)
    with pytest.raises(NeedsScan):
        digest.aggregate(ORG, ANCHOR - timedelta(days=1), END, criteria=wanted)
    with pytest.raises(NeedsScan):
        digest.total(ORG, ANCHOR - timedelta(days=1), END, criteria=wanted)


def test_an_empty_window_or_org_adds_up_to_nothing(digest: HandoffCounts) -> None:
    later = END + timedelta(days=1)
    empty = digest.aggregate(ORG, later, later + timedelta(hours=8), baseline_start=later - timedelta(days=30))
    assert empty == EventTally(seen=seen_in(later - timedelta(days=30), later)).result()
    assert empty.total == 0 and empty.by_action == () and empty.new_actors == () and empty.knows_new
    assert digest.aggregate("another-org", ANCHOR - timedelta(days=1), END) == EventTally().result()
    assert digest.total("another-org", ANCHOR - timedelta(days=1), END) == 0


def test_oldest(digest: HandoffCounts) -> None:
    assert digest.oldest(ORG) == mirrored()[-1].time
    assert digest.oldest("another-org") is None
