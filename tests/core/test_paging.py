from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditbot.core.paging import MAX_VALUE_CHARS, PageState, PageStateCodec, PageStateError, Position
from auditbot.core.query import MAX_QUERY_LENGTH, parse

SECRET = b"0123456789abcdef-secret"
START = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
END = START + timedelta(days=7)
codec = PageStateCodec(SECRET, "T1:org-1")


def state(query: str = "actor:a@example.com since:7d", page: int = 1) -> PageState:
    s = PageState(query, START, END)
    for i in range(1, page):
        s = s.next(Position(f"cursor-{i}", i))
    return s


def test_a_state_round_trips_through_a_button_value():
    s = state(page=3)
    assert codec.decode(codec.encode(s)) == s


def test_next_and_previous_walk_the_remembered_positions():
    s = state()
    s2 = s.next(Position("c1", 4))
    s3 = s2.next(Position("c2", 0))
    assert s3.page == 3
    assert s3.previous() == s2
    back = s3.previous()
    assert back is not None
    assert back.previous() == s
    assert s.previous() is None


def test_page_two_can_always_go_back_to_page_one():
    lonely = PageState("q", START, END, page=2, positions=(Position("c", 0),))
    previous = lonely.previous()
    assert previous is not None
    assert previous.page == 1
    assert previous.position == Position()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v.replace("cursor-1", "cursor-9"),
        lambda v: v[:-1] + "X",
        lambda v: v.replace("[3,", "[4,", 1),
        lambda v: "p0" + v[2:],
        lambda v: "garbage",
        lambda v: "",
        lambda v: v.split("|", 1)[0],
    ],
    ids=["cursor", "query", "page", "version", "garbage", "empty", "truncated"],
)
def test_tampered_values_are_refused_clearly(tamper):
    value = codec.encode(state(page=3))
    with pytest.raises(PageStateError) as caught:
        codec.decode(tamper(value))
    assert "Run the search again" in (caught.value.hint or "")


def test_a_value_from_another_org_or_secret_is_refused():
    value = codec.encode(state())
    for other in (PageStateCodec(SECRET, "T1:org-2"), PageStateCodec(b"another-secret-of-16+", "T1:org-1")):
        with pytest.raises(PageStateError, match="another workspace or organization"):
            other.decode(value)


def test_the_worst_case_query_fits_by_dropping_old_history():
    worst_query = '"' * 1000
    s = PageState(worst_query, START, END)
    for i in range(30):
        s = s.next(Position("C" * 120 + str(i), 499))
    value = codec.encode(s)
    assert len(value) <= MAX_VALUE_CHARS
    decoded = codec.decode(value)
    assert decoded.position == s.position
    assert decoded.page == 31


def test_the_longest_query_the_parser_accepts_fits_with_a_page_position():
    longest = parse("x" * MAX_QUERY_LENGTH)
    assert len(longest.canonical) == MAX_QUERY_LENGTH
    s = PageState(longest.canonical, START, END)
    for i in range(10):
        s = s.next(Position("Qh8E1QpVV00ys/xI7pHI7Q.." * 4 + str(i), 480))
    decoded = codec.decode(codec.encode(s))
    assert decoded.position == s.position
    assert decoded.previous_position == s.previous_position


def test_a_query_that_cannot_fit_is_refused_when_encoding():
    with pytest.raises(PageStateError, match="too long"):
        codec.encode(PageState("x" * 2000, START, END))


@settings(max_examples=200, deadline=None)
@given(
    query=st.text(max_size=300),
    offsets=st.lists(
        st.tuples(st.text(max_size=40) | st.none(), st.integers(0, 499), st.integers(0, 500)), min_size=0, max_size=6
    ),
)
def test_any_state_round_trips(query, offsets):
    s = PageState(query, START, END)
    for cursor, offset, shown in offsets:
        s = s.next(Position(cursor, offset), shown)
    assert codec.decode(codec.encode(s)) == s
    assert s.position.listed == sum(shown for _, _, shown in offsets)


def test_each_page_knows_how_many_events_the_pages_before_it_listed():
    """Next adds what the page listed; Prev and First page go back to what was counted there."""
    first = PageState("q", START, END)
    second = first.next(Position("c2"), 10)
    third = second.next(Position("c3"), 4)
    assert (first.position.listed, second.position.listed, third.position.listed) == (0, 10, 14)
    back = codec.decode(codec.encode(third)).previous()
    assert back is not None and back.position.listed == 10
    assert third.first().position.listed == 0


def test_a_state_from_before_counts_were_carried_still_opens():
    """A button made before positions carried a count reads as one that counted nothing (still a lower bound)."""
    head = '[2,1000,2000,[[0,null],[3,"c2"]]]'
    value = f"p1.{codec._sign(head, 'q')}|{head}|q"
    assert codec.decode(value).position == Position("c2", 3, 0)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_only_ever_raises_page_state_error(value):
    with contextlib.suppress(PageStateError):
        codec.decode(value)


@pytest.mark.parametrize("value", ["p1.\ud800|[1,0,0,[]]|q", "p1.abc|[1,0,0,[]]|\udfff", "p1.é|[]|q"])
def test_text_that_cannot_be_what_was_signed_is_refused_as_a_page_state_error(value):
    with pytest.raises(PageStateError, match="cannot be used"):
        codec.decode(value)
