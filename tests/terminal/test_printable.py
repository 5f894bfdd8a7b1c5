"""Terminal text: control, bidi and invisible characters are shown as escapes, never as themselves."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from auditbot.terminal.errors import caret_lines
from auditbot.terminal.printable import json_text, printable

HOSTILE = "Eve\x1b]0;pwned\x07\x1b[31mRED\x00\x9b2J\u202egnp.exe\u200b\u2066x\u2069\ufeff\U000e0041\u2028\ud800"

_DANGEROUS = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def shown_raw(text: str, *, allowed: str = "") -> list[str]:
    """The characters of ``text`` a terminal would act on or hide (not allowed ones)."""
    return [ch for ch in text if ch not in allowed and unicodedata.category(ch) in _DANGEROUS]


def test_each_kind_of_character_is_escaped_visibly():
    assert printable(HOSTILE) == (
        "Eve\\x1b]0;pwned\\x07\\x1b[31mRED\\x00\\x9b2J\\u202egnp.exe\\u200b\\u2066x\\u2069\\ufeff"
        "\\U000e0041\\u2028\\ud800"
    )
    assert printable("a\r\nb\tc") == "a\\r\\nb\\tc"
    assert printable("two\nlines\x1b", keep="\n") == "two\nlines\\x1b"


def test_ordinary_text_is_untouched():
    for text in ("jane@example.com", "Zoë Ünal 山田 \U0001f600", "203.0.113.7 (Sydney)", "C:\\Users\\x", "a\u00a0b"):
        assert printable(text) == text


def test_json_text_escapes_inside_strings_and_stays_valid_json():
    value = {"name": HOSTILE, "n": [1, "\u202e"]}
    for indent in (None, 2):
        text = json_text(value, indent=indent)
        assert shown_raw(text, allowed="\n") == []
        assert json.loads(text) == value
    assert "\\u001b" in json_text(HOSTILE) and "\\u202e" in json_text(HOSTILE)
    assert json_text({"x": "é"}) == '{"x":"é"}'


@given(st.text())
def test_no_string_reaches_the_terminal_with_a_control_bidi_or_invisible_character(text):
    assert shown_raw(printable(text)) == []
    assert shown_raw(printable(text, keep="\n"), allowed="\n") == []
    assert shown_raw(json_text(text), allowed="") == []
    assert json.loads(json_text(text)) == text


@given(st.text(min_size=1), st.data())
def test_the_caret_sits_under_the_escaped_span(text, data):
    column = data.draw(st.integers(0, len(text) - 1))
    line, marker = caret_lines(text, column, 1)
    assert shown_raw(line) == []
    assert marker.strip(" ") and set(marker.strip(" ")) == {"^"}


def test_the_caret_counts_escapes_and_wide_characters():
    line, marker = caret_lines("\u202e山 acter:bob", 3, 5)
    assert line == "\\u202e山 acter:bob"
    assert marker == " " * (6 + 2 + 1) + "^^^^^"
