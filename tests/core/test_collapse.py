"""Collapsing repeated rows: no event lost, counts add up, order kept, and only true repeats merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from auditbot.core.collapse import collapse, row_key
from auditbot.core.model import AuditEvent

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def event(n: int, action: str, actor: str, ip: str | None, seconds: int) -> AuditEvent:
    location = {"ip": ip} if ip else None
    return AuditEvent.model_validate(
        {
            "id": f"e{n}",
            "type": "events",
            "attributes": {
                "time": (START - timedelta(seconds=seconds)).isoformat(),
                "action": action,
                "actor": {"id": actor},
                **({"location": location} if location else {}),
            },
        }
    )


rows = st.lists(
    st.tuples(
        st.sampled_from(["user_login", "user_login_failed"]),
        st.sampled_from(["a1", "a2"]),
        st.sampled_from([None, "203.0.113.7", "198.51.100.1"]),
        st.integers(0, 240),
    ),
    max_size=40,
).map(lambda specs: sorted(specs, key=lambda s: s[3]))  # newest first, as a page lists them
pages = rows.map(lambda specs: [event(n, *spec) for n, spec in enumerate(specs)])


@given(pages)
def test_no_event_is_lost_and_the_counts_add_up(page):
    groups = collapse(page, row_key)
    assert sorted(e.id for g in groups for e in g.items) == sorted(e.id for e in page)
    assert sum(g.count for g in groups) == len(page)
    assert all(g.count >= 1 and g.first is g.items[0] for g in groups)


@given(pages)
def test_the_order_is_kept(page):
    groups = collapse(page, row_key)
    position = {e.id: i for i, e in enumerate(page)}
    firsts = [position[g.first.id] for g in groups]
    assert firsts == sorted(firsts), "rows appear where their first event was"
    for group in groups:
        inside = [position[e.id] for e in group.items]
        assert inside == sorted(inside), "a row's events keep their order"


@given(pages)
def test_only_the_same_action_actor_address_and_minute_merge(page):
    groups = collapse(page, row_key)
    for group in groups:
        assert len({row_key(e) for e in group.items}) == 1
    assert len({row_key(g.first) for g in groups}) == len(groups), "two rows never share a key"


def test_the_minute_is_part_of_what_makes_a_repeat():
    same_minute = [
        event(1, "user_login_failed", "a1", "203.0.113.7", 1),
        event(2, "user_login_failed", "a1", "203.0.113.7", 30),
    ]
    next_minute = event(3, "user_login_failed", "a1", "203.0.113.7", 90)
    other_ip = event(4, "user_login_failed", "a1", "198.51.100.1", 2)
    groups = collapse([*same_minute, other_ip, next_minute], row_key)
    assert [(g.first.id, g.count) for g in groups] == [("e1", 2), ("e4", 1), ("e3", 1)]
