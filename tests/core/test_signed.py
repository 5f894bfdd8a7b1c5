"""Signed button values: what one scope seals, only it opens, whole."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditbot.core.paging import MAX_VALUE_CHARS, PageStateError
from auditbot.core.signed import SignedFields

SECRET = b"s" * 32
LOG = SignedFields(SECRET, scope=b"bot-log", version="b1", rerun="/audit bot-log")
ALERTS = SignedFields(SECRET, scope=b"alerts", version="b1", rerun="/audit alerts")
SHORT = st.text(alphabet=st.characters(blacklist_characters="|", codec="utf-8"), max_size=20)


@given(first=SHORT, second=SHORT, last=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_what_is_sealed_opens_whole_even_with_bars_in_the_last_field(first: str, second: str, last: str):
    value = LOG.seal(first, second, last)
    if value is None:
        return
    assert len(value) <= MAX_VALUE_CHARS
    assert LOG.open(value, 3) == [first, second, last]


def test_another_scope_or_an_edit_is_refused_and_says_what_to_run_again():
    value = LOG.seal("1", "42", "export")
    assert value is not None
    with pytest.raises(PageStateError, match="changed, or made by another auditbot") as refused:
        ALERTS.open(value, 3)
    assert refused.value.hint == "Run /audit alerts again for fresh buttons."
    with pytest.raises(PageStateError, match="changed"):
        LOG.open(value.replace("export", "import"), 3)
    with pytest.raises(PageStateError, match="not a page reference"):
        LOG.open("no dots or bars", 3)
    with pytest.raises(PageStateError, match="damaged"):
        LOG.open(value, 4)


def test_a_value_too_long_for_a_button_is_not_made_and_a_short_secret_is_refused():
    assert LOG.seal("1", "2", "x" * MAX_VALUE_CHARS) is None
    with pytest.raises(ValueError, match="at least 16 bytes"):
        SignedFields(b"short", scope=b"x", version="v", rerun="it")
