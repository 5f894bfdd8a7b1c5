"""A query error says its problem once, and suggests whole corrected queries that keep the rest of the input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from auditbot.core.query import MAX_QUERY_LENGTH, Query, QueryError, format_query, parse
from auditbot.core.querysyntax import TERM_RE, TERMS, edited, query_error, tokenize
from tests.core.test_query_properties import FRAGMENTS, queries


def error_of(text: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("acter:bob@example.com last:7d", "actor:bob@example.com last:7d"),
        ('"api token" user:jane@x.com -ip:10.0.0.0/8', '"api token" actor:jane@x.com -ip:10.0.0.0/8'),
        ("last:7d product:jira,confluense ip:1.2.3.4", "last:7d product:jira,confluence ip:1.2.3.4"),
        ("actor:a@x.com since:yesterdy", "actor:a@x.com since:yesterday"),
        ("x   last:monday   y", "x   since:monday   y"),
        ("from:2h to:4h actor:a@x.com", "from:4h to:2h actor:a@x.com"),
        ("last:1h until:2h", "since:2h until:1h"),
        ("ip:198.51.100.7/24 jane", "ip:198.51.100.0/24 jane"),
        ("-foo bar", '"-foo" bar'),
    ],
)
def test_a_suggestion_is_the_whole_query_with_only_the_bad_part_fixed(text: str, suggestion: str) -> None:
    error = error_of(text)
    assert error.suggestions[0] == suggestion
    parse(suggestion)


def test_the_message_names_neither_the_column_nor_the_fix() -> None:
    error = error_of("since:2d acter:bob")
    assert error.message == 'Unknown term "acter"'
    assert (error.display_column, error.caret()) == (10, "since:2d acter:bob\n         ^^^^^")
    assert error.hint is not None and "actor:" in error.hint and "did you mean" not in error.hint.lower()


def test_edits_apply_right_to_left_and_suggestions_drop_no_ops() -> None:
    assert edited("ab cd ef", [(0, 2, "xyz"), (6, 2, "")]) == "xyz cd "
    error = query_error("bad", 0, 2, fixes=["ab", "zz", "zz"], suggestions=["whole"], source="ab cd")
    assert error.suggestions == ["whole", "zz cd"]  # given first; the unchanged source and repeats left out
    assert query_error("bad", None, fixes=["x"], source="ab").suggestions == []  # no place, no edit
    too_long = query_error("bad", 0, 1, fixes=["y" * MAX_QUERY_LENGTH], source="x z")
    assert too_long.suggestions == []


def _misspelled(text: str, data: st.DataObject) -> tuple[str, int]:
    """``text`` with one term's name missing a letter, and the column of that term."""
    terms = [(column, match) for column, raw in tokenize(text) if (match := TERM_RE.match(raw))]
    terms = [(c, m) for c, m in terms if m[2] in TERMS and len(m[2]) >= 5]
    assume(terms)
    column, match = data.draw(st.sampled_from(terms))
    name_at = column + len(match[1])
    drop = data.draw(st.integers(0, len(match[2]) - 1))
    return text[: name_at + drop] + text[name_at + drop + 1 :], column


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(queries(), st.data())
def test_a_misspelled_term_suggests_the_query_that_was_meant(query: Query, data: st.DataObject) -> None:
    text = format_query(query)
    typo, column = _misspelled(text, data)
    try:
        parse(typo)
    except QueryError as error:
        assume(error.message.startswith("Unknown term"))  # not ``-roup:/``: a value like that makes it text
        assert error.column == column
        meant = [s for s in error.suggestions if parse(s) == query]  # every suggestion parses
        assert meant, (typo, error.suggestions)
        return
    assume(False)  # the value made the word plain text (``acor:/x``): no error to suggest for


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=16).map("".join))
def test_a_suggestion_always_moves_past_the_error_it_fixes(text: str) -> None:
    try:
        parse(text)
    except QueryError as error:
        for suggestion in error.suggestions:
            assert suggestion != text and len(suggestion) <= MAX_QUERY_LENGTH
            try:
                parse(suggestion)
            except QueryError as next_error:  # another mistake further on: never the same one again
                assert (next_error.message, next_error.column) != (error.message, error.column)


def test_suggestions_that_break_the_term_they_fix_are_left_out() -> None:
    assert error_of("ctor:0").suggestions == ["actor:0", "action:0"]  # not "to:0": 0 is no time
    assert error_of("-acor:x").suggestions == ["-actor:x", "-action:x"]  # no "-to:": times cannot be excluded


def test_a_second_mistake_further_on_keeps_the_suggestion_for_the_first() -> None:
    first = error_of("acter:bob product:jiraa")
    assert first.suggestions == ["actor:bob product:jiraa"]
    assert error_of(first.suggestions[0]).suggestions == ["actor:bob product:jira"]
