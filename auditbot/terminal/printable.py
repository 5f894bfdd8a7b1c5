"""Text made safe to print to a terminal: control, bidi and invisible characters shown as escapes.

Event data reaches the terminal in the search table, ``--json`` lines, render previews, ingest
summaries, error messages that echo input and text-format log lines. A display name holding ESC
or BEL can recolour or retitle the terminal; a right-to-left override or a zero-width character
can make text read as something it is not. ``printable`` shows each such character as a visible
escape (``\\x1b``, ``\\u202e``, ``\\U000e0041``):

- controls (Unicode category Cc: C0, DEL and C1, so also CR, LF and TAB unless kept);
- format characters (Cf: bidi embeddings, overrides, isolates and marks, zero-width spaces and
  joiners, the byte-order mark, soft hyphens, tag characters);
- line and paragraph separators (Zl, Zp) and lone surrogates (Cs).

Everything else, non-ASCII letters and emoji included, prints as it is. ``json_text`` does the
same inside JSON, with JSON's own ``\\uXXXX`` escapes, so the output stays valid JSON.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any

ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def needs_escape(ch: str) -> bool:
    """Whether ``ch`` must not reach a terminal as it is."""
    return unicodedata.category(ch) in ESCAPED_CATEGORIES


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_char(ch: str) -> str:
    """``ch`` as a Python-style escape: ``\\n``, ``\\x1b``, ``\\u202e`` or ``\\U000e0041``."""
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def pieces(text: str, *, keep: str = "") -> Iterator[str]:
    """``text`` one shown piece at a time: a character as it is, or one escape for a character
    that needs it (``keep`` lists characters to leave as they are, such as ``"\\n"``)."""
    for ch in text:
        yield escape_char(ch) if ch not in keep and needs_escape(ch) else ch


def printable(value: object, *, keep: str = "") -> str:
    """``value`` as text (``None`` as "") with every control, bidi and invisible character escaped.

    ``keep`` lists characters to leave as they are (``"\\n"`` for a message of several lines).
    """
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if text.isprintable():
        return text
    return "".join(pieces(text, keep=keep))


def json_text(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON (non-ASCII kept readable) in which every character that needs it is a
    ``\\uXXXX`` escape (a surrogate pair above U+FFFF): still valid JSON, safe for a terminal."""
    separators = (",", ": ") if indent is not None else (",", ":")
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    if text.isprintable():
        return text
    return "".join(_json_escape(ch) if ch != "\n" and needs_escape(ch) else ch for ch in text)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
