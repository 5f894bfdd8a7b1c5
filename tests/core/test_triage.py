"""The triage state machine: which transitions each state allows, and invariants any sequence keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditbot.core.triage import (
    MAX_COMMENT,
    OPEN,
    Acknowledge,
    Assign,
    Reason,
    Reopen,
    Resolve,
    State,
    Transition,
    TransitionRefused,
    Triage,
    allowed,
    apply,
    clean_comment,
    describe,
)

AT = datetime(2026, 12, 3, 12, 3, tzinfo=UTC)
MAYA, RAVI = "U0MAYA", "U0RAVI"


def test_the_reasons_have_the_labels_a_team_reads():
    assert [r.label for r in Reason] == [
        "False positive",
        "Expected / maintenance",
        "Remediated",
        "True positive - benign",
        "True positive - malicious",
        "Other",
    ]


def test_open_to_acknowledged_to_resolved_and_back():
    acked = apply(OPEN, Acknowledge(), by=MAYA, at=AT)
    assert (acked.state, acked.changed_by, acked.changed_at) == (State.ACKNOWLEDGED, MAYA, AT)
    resolved = apply(acked, Resolve(Reason.REMEDIATED, "  key\nrotated  "), by=RAVI, at=AT)
    assert (resolved.state, resolved.reason, resolved.comment) == (State.RESOLVED, Reason.REMEDIATED, "key rotated")
    reopened = apply(resolved, Reopen(), by=MAYA, at=AT)
    assert (reopened.state, reopened.reason, reopened.comment) == (State.OPEN, None, None)


def test_an_open_alert_can_be_resolved_directly():
    assert apply(OPEN, Resolve(Reason.FALSE_POSITIVE), by=MAYA, at=AT).state is State.RESOLVED


def test_acknowledging_again_keeps_the_first_and_assigning_the_assignee_changes_nothing():
    acked = apply(OPEN, Acknowledge(), by=MAYA, at=AT)
    assert apply(acked, Acknowledge(), by=RAVI, at=AT + timedelta(minutes=1)) is acked
    assigned = apply(acked, Assign(RAVI), by=MAYA, at=AT)
    assert apply(assigned, Assign(RAVI), by=MAYA, at=AT + timedelta(minutes=1)) is assigned


@pytest.mark.parametrize("transition", [Acknowledge(), Assign(RAVI), Resolve(Reason.OTHER)])
def test_a_resolved_alert_refuses_all_but_reopen_and_says_who_resolved_it(transition: Transition):
    resolved = apply(OPEN, Resolve(Reason.FALSE_POSITIVE), by=MAYA, at=AT)
    with pytest.raises(TransitionRefused) as refused:
        apply(resolved, transition, by=RAVI, at=AT)
    assert refused.value.message == "<@U0MAYA> resolved this alert at 2026-12-03 12:03 UTC (False positive)."
    assert refused.value.hint is not None and "reopen it first" in refused.value.hint


@pytest.mark.parametrize("triage", [OPEN, apply(OPEN, Acknowledge(), by=MAYA, at=AT)])
def test_only_a_resolved_alert_can_be_reopened(triage: Triage):
    with pytest.raises(TransitionRefused):
        apply(triage, Reopen(), by=RAVI, at=AT)


def test_a_comment_is_one_line_and_bounded():
    assert clean_comment(" a\tb \n c ") == "a b c"
    assert clean_comment(" \n ") is None
    assert clean_comment("x" * MAX_COMMENT) == "x" * MAX_COMMENT
    with pytest.raises(TransitionRefused, match="501 characters"):
        clean_comment("x" * (MAX_COMMENT + 1))


def test_describe_an_untouched_alert():
    assert describe(OPEN) == "This alert is open."


users = st.sampled_from([MAYA, RAVI, "U0LEE"])
transitions = st.one_of(
    st.just(Acknowledge()),
    st.builds(Assign, st.one_of(st.none(), users)),
    st.builds(Resolve, st.sampled_from(list(Reason)), st.one_of(st.none(), st.text(max_size=40))),
    st.just(Reopen()),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(transitions, users), max_size=25))
def test_any_sequence_keeps_the_invariants(steps: list[tuple[Transition, str]]):
    triage = OPEN
    for minute, (transition, by) in enumerate(steps):
        at = AT + timedelta(minutes=minute)
        if not allowed(triage, transition):
            with pytest.raises(TransitionRefused):
                apply(triage, transition, by=by, at=at)
            continue
        before = triage
        triage = apply(triage, transition, by=by, at=at)
        assert (triage.state is State.RESOLVED) == (triage.reason is not None), "resolved ⇔ a reason"
        if triage.state is not State.RESOLVED:
            assert triage.comment is None
        match transition:
            case Reopen():
                assert (triage.state, triage.reason, triage.comment) == (State.OPEN, None, None)
            case Acknowledge() | Resolve():
                assert triage.assignee == before.assignee, "the assignee survives"
            case Assign(user=user):
                assert triage.assignee == user
        assert triage == before or (triage.changed_by, triage.changed_at) == (by, at)
        if triage.comment is not None:
            assert "\n" not in triage.comment and len(triage.comment) <= MAX_COMMENT
