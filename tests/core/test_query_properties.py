"""Properties: canonical text round-trips every Query, and no input raises anything but QueryError."""

from __future__ import annotations

from datetime import UTC, date, datetime
from ipaddress import ip_network
from typing import Any

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from auditbot.core.query import MAX_QUERY_LENGTH, PRODUCTS, Query, QueryError, format_query, parse
from auditbot.core.timespec import (
    DateSpec,
    DateTimeSpec,
    DaySpec,
    NowSpec,
    RelativeSpec,
    TimeSpec,
    WeekdaySpec,
)

AWKWARD = list('"“”„\\,:-_ @./\u00a0\u3000xX1éßİ東\U0001f600')
_chars = st.one_of(
    st.characters(exclude_categories=("Cc", "Cs")),  # any letter, mark, symbol, space, format char…
    st.sampled_from(AWKWARD),
    st.sampled_from(["\t", "\n", "\r"]),  # whitespace controls are allowed (they collapse to a space)
)
values = st.text(_chars, min_size=1, max_size=12).filter(lambda s: bool(s.split()))
lists = st.lists(values, max_size=3)

_UNITS = "wdhms"
relative = st.lists(st.sampled_from(_UNITS), min_size=1, max_size=3, unique=True).flatmap(
    lambda units: st.tuples(*[st.tuples(st.integers(0, 200), st.just(u)) for u in sorted(units, key=_UNITS.index)])
)
_DAY = st.dates(date(1970, 1, 2), date(2999, 12, 30))
_WALL = st.datetimes(datetime(1970, 1, 2), datetime(2999, 12, 30))
timespecs: st.SearchStrategy[TimeSpec] = st.one_of(
    relative.map(RelativeSpec),
    _DAY.map(DateSpec),
    _WALL.map(DateTimeSpec),
    _WALL.map(lambda d: DateTimeSpec(d.replace(tzinfo=UTC))),
    st.just(NowSpec()),
    st.sampled_from([DaySpec("today"), DaySpec("yesterday")]),
    st.integers(0, 6).map(WeekdaySpec),
)
networks = st.one_of(
    st.tuples(st.ip_addresses(v=4), st.integers(0, 32)).map(lambda t: ip_network(f"{t[0]}/{t[1]}", strict=False)),
    st.tuples(st.ip_addresses(v=6), st.integers(0, 128)).map(lambda t: ip_network(f"{t[0]}/{t[1]}", strict=False)),
)
ips = st.lists(st.one_of(st.ip_addresses(), networks), max_size=3)
products = st.lists(st.sampled_from(PRODUCTS), max_size=3)


TEXT_FIELDS = ["actors", "not_actors", "actions", "not_actions", "groups", "not_groups", "locations", "not_locations"]
TEXT_FIELDS += ["text"]


@st.composite
def queries(draw: st.DrawFn) -> Query:
    fields: dict[str, Any] = {name: tuple(draw(lists)) for name in TEXT_FIELDS}
    fields |= {"ips": tuple(draw(ips)), "not_ips": tuple(draw(ips))}
    fields |= {"products": tuple(draw(products)), "not_products": tuple(draw(products))}
    fields |= {"since": draw(st.none() | timespecs), "until": draw(st.none() | timespecs)}
    try:
        return Query(**fields)
    except ValueError:  # since certainly after until
        assume(False)
        raise


def check_round_trip(query: Query) -> str:
    text = format_query(query)
    again = parse(text)
    assert again == query, (text, query, again)
    assert format_query(again) == text
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries())
def test_every_query_round_trips(query: Query) -> None:
    assert len(check_round_trip(query)) <= MAX_QUERY_LENGTH


@settings(max_examples=100, deadline=None)
@given(queries(), queries())
def test_equal_queries_have_equal_text_and_hash(a: Query, b: Query) -> None:
    assert (a == b) == (format_query(a) == format_query(b))
    assert hash(parse(format_query(a))) == hash(a)


def parse_or_none(text: str) -> Query | None:
    """Parse, allowing only QueryError (with a sane position) to escape."""
    try:
        return parse(text)
    except QueryError as error:
        assert 0 <= error.column <= len(text) and error.length >= 0
        assert error.message and error.hint
        return None


@settings(max_examples=600, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=60))
@example("\\")
@example('"\\')
@example('"\\"')
@example("-")
@example("a:")
@example(":")
@example('actor:"a"b"c"')
def test_arbitrary_text_only_raises_query_error(text: str) -> None:
    query = parse_or_none(text)
    if query is not None:
        check_round_trip(query)


FRAGMENTS = [
    "actor:", "-actor:", "action:", "-action:", "group:", "-group:", "ip:", "-ip:", "product:", "-product:",
    "location:", "-location:", "since:", "until:", "from:", "to:", "last:", "acter:", "Actor:", "x:",
    '"', "“", "”", "„", "\\", "\\\"", ",", ",,", " ", "  ", "\t", "\n", "\u00a0", "-", "--", ":", "::",
    "a@B.com", "557058:abc", "jane", "Jane Doe", "1.2.3.4", "10.0.0.0/8", "10.0.0.1/8", "::1", "2001:db8::/32",
    "jira", "Confluence", "guard", "trello", "7d", "1h30m", "3mo", "2026-11-20", "2026-02-30", "T14:00",
    "2026-11-20T14:00Z", "+02:00", "now", "today", "yesterday", "mon", "Friday", "https://", "admin.atlassian.com",
    "12:30", "İ", "ß", "東京", "é", "\x00", "\x1b", "user added", "Sydney, Australia",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=16).map("".join))
def test_grammar_fragments_only_raise_query_error_and_reach_a_fixed_point(text: str) -> None:
    query = parse_or_none(text)
    if query is None:
        return
    check_round_trip(query)
    for span in query.spans:  # each span re-reads as its own value
        raw = text[span.column : span.column + span.length]
        assert raw.strip()
        if span.term == "text":
            assert parse(raw).text == (span.value,)
        elif span.term in ("since", "until"):
            spec = getattr(parse(f"{span.term}:{raw}"), span.term)
            assert spec is not None and spec.text == span.value
        else:
            assert parse(f"{span.term}:{raw}").locate(span.term, span.value) is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries(), st.data())
def test_mutated_canonical_text_only_raises_query_error(query: Query, data: st.DataObject) -> None:
    text = format_query(query)
    position = data.draw(st.integers(0, len(text)))
    insert = data.draw(st.sampled_from(["", *FRAGMENTS]))
    cut = data.draw(st.integers(0, 3))
    mutated = text[:position] + insert + text[position + cut :]
    result = parse_or_none(mutated)
    if result is not None:
        check_round_trip(result)
