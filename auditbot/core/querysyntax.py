"""The lexical layer of the query language: errors, tokens, quoting, term clauses and help text.

Tokens are separated by whitespace (any Unicode space; runs of it inside values collapse to one
space). A token is a run of unquoted text and quoted parts: ``"…"``, where the typographic quotes
``“ ” „`` that phones and macOS substitute count as ``"``. Inside quotes ``\\"`` (or ``\\“`` …)
is a quote and ``\\\\`` a backslash; any other backslash is literal, as it is outside quotes.
Control characters other than whitespace, and lone surrogates, are rejected.

``read_clauses`` turns tokens into term clauses and free text (term names, exclusions, empty
values); ``query.py`` checks each value and builds the ``Query``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import get_close_matches
from typing import NamedTuple

from auditbot.core.errors import AuditbotError
from auditbot.core.timespec import shorten

MAX_QUERY_LENGTH = 1500
"""Room for the canonical query plus paging positions inside a 2000-character Slack button value."""
"""The longest query text accepted, in characters (Slack button values hold 2,000)."""

QUOTES = '"\u201c\u201d\u201e'
_QUOTED = rf"[{QUOTES}](?:\\[\s\S]|[^\\{QUOTES}])*+[{QUOTES}]"
_TOKEN_RE = re.compile(rf"(?:[^\s{QUOTES}]++|{_QUOTED})++")
_LIST_PIECE_RE = re.compile(rf"({_QUOTED})|(,)|[^{QUOTES},]++")
_PIECE_RE = re.compile(rf"({_QUOTED})|[^{QUOTES}]++")
_ESCAPE_RE = re.compile(r"\\([\s\S])")
_ANY_SPACE_RE = re.compile(r"\s")
FORBIDDEN_RE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")
_NEEDS_QUOTES_RE = re.compile(rf"[\s,{QUOTES}]|^-")
_TEXT_NEEDS_QUOTES_RE = re.compile(rf"[\s{QUOTES}]|^-")
TERM_RE = re.compile(r"(-?)([A-Za-z_]+):")

TERMS = {"actor": "actor", "action": "action", "group": "group", "ip": "ip", "product": "product"}
TERMS |= {"location": "location", "since": "since", "from": "since", "last": "last", "until": "until", "to": "until"}
"""Every term name people may type, mapped to the term it means."""
_SYNONYMS = dict.fromkeys(("user", "by", "who", "email", "account"), "actor")
_SYNONYMS |= dict.fromkeys(("event", "type"), "action") | dict.fromkeys(("ips", "address", "addr"), "ip")
_SYNONYMS |= {"app": "product", "city": "location", "country": "location", "after": "since", "start": "since"}
_SYNONYMS |= {"before": "until", "end": "until", "date": "since"}
"""Words people reach for that are not terms, used only for "did you mean" suggestions."""

FREE_TEXT_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "urn", "ari", "file", "ssh", "slack", "tel"})
"""Prefixes before ``:`` that make a word plain text (URLs, ARIs), not a term."""


class QueryError(AuditbotError):
    """A query that cannot be read, pointing at the offending span of the input.

    ``message`` says the problem once, without the position or a fix: ``column`` is a 0-based
    character offset into the input (``display_column`` is 1-based) and ``length`` the span's length,
    which surfaces show as a caret under ``source``. ``suggestions`` are whole corrected queries: the
    input with the bad part fixed and the rest of it kept, ready to run.
    """

    def __init__(
        self,
        message: str,
        *,
        column: int = 0,
        length: int = 0,
        hint: str | None = None,
        suggestions: list[str] | tuple[str, ...] = (),
        source: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.column = column
        self.length = length
        self.suggestions = list(suggestions)
        self.source = source

    @property
    def display_column(self) -> int:
        return self.column + 1

    def caret(self) -> str:
        """The input line and a ``^^^`` marker under the offending span (empty without a source)."""
        if self.source is None:
            return ""
        line = _ANY_SPACE_RE.sub(" ", self.source)
        return f"{line}\n{' ' * self.column}{'^' * max(1, self.length)}"


Edit = tuple[int, int, str]
"""``(column, length, text)``: replace ``length`` characters of a query from ``column`` with ``text``."""


def edited(source: str, edits: Iterable[Edit]) -> str:
    """``source`` with each edit applied; the edits must not overlap."""
    out = source
    for column, length, text in sorted(edits, key=lambda edit: edit[0], reverse=True):
        out = out[:column] + text + out[column + length :]
    return out


def corrected_queries(
    source: str | None, suggestions: Iterable[str] = (), edit_sets: Iterable[list[Edit]] = ()
) -> list[str]:
    """Whole corrected queries: ``suggestions`` as given, then ``source`` with each set of edits applied.
    Duplicates, the unchanged source and queries over ``MAX_QUERY_LENGTH`` are dropped."""
    found = list(suggestions)
    if source is not None:
        found += [edited(source, edits) for edits in edit_sets]
    kept = (q for q in found if q.strip() and q != source and len(q) <= MAX_QUERY_LENGTH)
    return list(dict.fromkeys(kept))


def query_error(
    what: str,
    column: int | None,
    length: int = 0,
    *,
    hint: str | None = None,
    fixes: Iterable[str] = (),
    suggestions: Iterable[str] = (),
    source: str | None = None,
) -> QueryError:
    """A ``QueryError`` saying ``what`` at ``column``. Each of ``fixes`` is text that replaces the span in
    ``source`` (a corrected term name or value); ``suggestions`` are whole corrected queries already made."""
    edit_sets = [[(column or 0, length, fix)] for fix in fixes] if column is not None else []
    found = corrected_queries(source, suggestions, edit_sets)
    return QueryError(what, column=column or 0, length=length, hint=hint, suggestions=found, source=source)


@dataclass(frozen=True, slots=True)
class TermSpan:
    """Where a value came from: ``term`` as canonical (``actor``, ``-ip``, ``since``, ``text``)."""

    term: str
    value: str
    column: int
    length: int


class Item(NamedTuple):
    """One value of a term after unquoting and cleaning (may be empty), with its input span."""

    value: str
    column: int
    length: int


def check_characters(text: str) -> None:
    """Refuse over-long input and control characters."""
    if len(text) > MAX_QUERY_LENGTH:
        what, hint = (
            f"The query is too long ({len(text)} characters)",
            f"Keep queries to {MAX_QUERY_LENGTH} characters.",
        )
        raise query_error(what, MAX_QUERY_LENGTH, len(text) - MAX_QUERY_LENGTH, hint=hint, source=text)
    if bad := FORBIDDEN_RE.search(text):
        what, hint = f"Unsupported character U+{ord(bad[0]):04X}", "Remove control characters from the query."
        raise query_error(what, bad.start(), 1, hint=hint, source=text)


def tokenize(text: str) -> list[tuple[int, str]]:
    """The ``(column, raw text)`` of each token; an unterminated quote raises ``QueryError``."""
    tokens: list[tuple[int, str]] = []
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        if match.start() > pos:
            _check_gap(text, pos, match.start())
        tokens.append((match.start(), match[0]))
        pos = match.end()
    _check_gap(text, pos, len(text))
    return tokens


def _check_gap(text: str, start: int, end: int) -> None:
    gap = text[start:end]
    if gap and not gap.isspace():
        column = start + len(gap) - len(gap.lstrip())
        hint = 'Close the quote with a matching ", or write \\" for a quote inside a quoted value.'
        raise query_error("Unterminated quote", column, len(text) - column, hint=hint, source=text)


def clean(value: str) -> str:
    """Strip a value and collapse its inner whitespace to single spaces."""
    return " ".join(value.split())


def unquote(raw: str) -> str:
    """A token's text with its quoted parts unescaped and quotes removed (not cleaned)."""
    if not any(q in raw for q in QUOTES):
        return raw
    return "".join(_unescape(m[0][1:-1]) if m[1] else m[0] for m in _PIECE_RE.finditer(raw))


def split_items(raw: str, column: int, *, commas: bool) -> list[Item]:
    """The cleaned values of a term's raw value text, split on unquoted commas when ``commas``."""
    if not any(q in raw for q in QUOTES):
        if not commas or "," not in raw:
            return [Item(clean(raw), column, len(raw))]
        items, start = [], 0
        for part in raw.split(","):
            items.append(Item(clean(part), column + start, len(part)))
            start += len(part) + 1
        return items
    return _split_quoted(raw, column, commas=commas)


def _split_quoted(raw: str, column: int, *, commas: bool) -> list[Item]:
    items: list[Item] = []
    text: list[str] = []
    start = 0
    for match in (_LIST_PIECE_RE if commas else _PIECE_RE).finditer(raw):
        if commas and match[2]:
            items.append(Item(clean("".join(text)), column + start, match.start() - start))
            text, start = [], match.end()
        else:
            text.append(_unescape(match[0][1:-1]) if match[1] else match[0])
    items.append(Item(clean("".join(text)), column + start, len(raw) - start))
    return items


def _unescape(inner: str) -> str:
    if "\\" not in inner:
        return inner
    return _ESCAPE_RE.sub(lambda m: m[1] if m[1] in QUOTES or m[1] == "\\" else m[0], inner)


def _escape(value: str) -> str:
    if "\\" not in value and not any(q in value for q in QUOTES):
        return value
    out: list[str] = []
    last = len(value) - 1
    for i, ch in enumerate(value):
        if ch in QUOTES:
            out.append("\\" + ch)
        elif ch == "\\" and (i == last or value[i + 1] in QUOTES or value[i + 1] == "\\"):
            out.append("\\\\")
        else:
            out.append(ch)
    return "".join(out)


def quote_value(value: str) -> str:
    """A term value as it is written in canonical text: bare unless it needs quotes."""
    return f'"{_escape(value)}"' if _NEEDS_QUOTES_RE.search(value) else value


def quote_text(value: str) -> str:
    """A free-text word or phrase as written in canonical text."""
    if _TEXT_NEEDS_QUOTES_RE.search(value):
        return f'"{_escape(value)}"'
    match = TERM_RE.match(value)
    if match and not is_free_text_word(match[2], value[match.end() :]):
        return f'"{_escape(value)}"'
    return value


def is_free_text_word(name: str, rest: str) -> bool:
    """Whether an unquoted ``name:rest`` that is no term is plain text (a URL, an ARI, ``C:\\x``, ``ab::1``)."""
    lowered = name.lower()
    return lowered not in TERMS and (lowered in FREE_TEXT_SCHEMES or rest.startswith(("/", "\\", ":")))


def suggest_terms(name: str) -> list[str]:
    """Term names (aliases included) close to ``name``, else the term a common synonym means."""
    lowered = name.lower()
    matches = get_close_matches(lowered, TERMS, n=3, cutoff=0.6) or get_close_matches(lowered, _SYNONYMS, n=1)
    return list(dict.fromkeys(m if m in TERMS else _SYNONYMS[m] for m in matches))


class Clause(NamedTuple):
    """A term as written: canonical ``term`` (``last`` kept apart), its values and its span."""

    term: str
    negated: bool
    typed: str
    items: list[Item]
    column: int
    length: int


LIST_TERMS = frozenset({"actor", "action", "group", "ip", "product"})
TIME_TERMS = frozenset({"since", "until", "last"})
_TERM_HINT = "Terms are actor: action: group: ip: product: location: since: until: last:."


def read_clauses(text: str) -> list[Clause | Item]:
    """The input as term clauses and free-text items (``Item``), in order; raises ``QueryError``."""
    check_characters(text)
    out: list[Clause | Item] = []
    for column, raw in tokenize(text):
        match = TERM_RE.match(raw)
        if match and match[2].lower() in TERMS:
            out.append(_clause(text, column, raw, match))
        elif match and not is_free_text_word(match[2], raw[match.end() :]):
            raise _unknown_term(text, column, raw, match)
        elif raw.startswith("-") and raw[1:2] not in ("", "-"):
            quoted = quote_text(clean(unquote(raw)))
            hint = "Only terms take a leading - (e.g. -actor:). To search for the text itself, quote it."
            fixes = [quoted] if clean(unquote(raw)) else []
            raise query_error("Free text cannot be excluded", column, len(raw), hint=hint, fixes=fixes, source=text)
        else:
            value = clean(unquote(raw))
            if value:
                out.append(Item(value, column, len(raw)))
    return out


def _clause(text: str, column: int, raw: str, match: re.Match[str]) -> Clause:
    term, typed, rest = TERMS[match[2].lower()], match[0][:-1], raw[match.end() :]
    if match[1] and term in TIME_TERMS:
        raise query_error(f"{typed[1:]}: cannot be excluded", column, len(raw), hint=_TIME_HINT, source=text)
    example = _EXAMPLES[term]
    if not rest:
        hint = f"Give a value, as in {example}, or remove the term."
        raise query_error(f"Empty value for {typed}:", column, len(raw), hint=hint, source=text)
    items = split_items(rest, column + match.end(), commas=term in LIST_TERMS)
    for index, item in enumerate(items):
        if not item.value and len(items) == 1:
            hint = f"Give a value, as in {example}."
            raise query_error(f"Empty value for {typed}:", item.column, item.length, hint=hint, source=text)
        if not item.value:  # point at the comma before it, or after it when it comes first
            column = item.column - 1 if index else item.column
            raise query_error(f"Empty value in {typed}:", column, 1, hint="Remove the extra comma.", source=text)
    if term == "location" and rest.endswith(","):
        hint = f"Put the whole location in quotes, as in {example}."
        raise query_error("Unquoted location ends with a comma", column, len(raw), hint=hint, source=text)
    return Clause(term, bool(match[1]), typed, items, column, len(raw))


def _unknown_term(text: str, column: int, raw: str, match: re.Match[str]) -> QueryError:
    sign = match[1]
    names = [name for name in suggest_terms(match[2]) if not (sign and TERMS[name] in TIME_TERMS)]
    hint = f"{_TERM_HINT} To search for the text itself, quote it: {shorten(quote_text(clean(unquote(raw))))}"
    fixes = [f"{sign}{name}" for name in names]  # the term name replaced, its value kept
    what = f'Unknown term "{sign}{shorten(match[2])}"'
    return query_error(what, column, len(match[0]) - 1, hint=hint, fixes=fixes, source=text)


_TIME_HINT = "since:, until: and last: take one time each, e.g. since:2026-11-01 until:2026-11-08."
_EXAMPLES = {"actor": "actor:jane@example.com", "action": "action:user_added_to_group", "ip": "ip:203.0.113.7"}
_EXAMPLES |= {"group": 'group:"User management"', "product": "product:jira", "location": 'location:"Sydney, Australia"'}
_EXAMPLES |= {"since": "since:24h", "until": "until:yesterday", "last": "last:7d"}


class HelpEntry(NamedTuple):
    term: str
    example: str
    description: str


QUERY_HELP: tuple[HelpEntry, ...] = (
    HelpEntry("actor:", "actor:jane@example.com,557058:f1e2…", "Events by any of these people (email or account id)."),
    HelpEntry("-actor:", "-actor:scim@example.com", "Leave out events by these actors."),
    HelpEntry("action:", 'action:"user added to group"', "These actions, by id or name; several with commas."),
    HelpEntry("group:", 'group:"User management"', "Every action of a catalog group."),
    HelpEntry("ip:", "ip:203.0.113.7,198.51.100.0/24", "Events from these addresses or CIDR ranges."),
    HelpEntry("product:", "product:jira,confluence", "Products: bitbucket, confluence, guard_detect, jira, loom."),
    HelpEntry("location:", 'location:"Sydney, Australia"', "Events from a place (city, country); repeat for more."),
    HelpEntry("since:", "since:24h  since:2026-11-01  since:monday", "Start of the window (also from:)."),
    HelpEntry("until:", "until:2026-11-08  until:yesterday", "End of the window; a date counts whole (also to:)."),
    HelpEntry("last:", "last:7d", "The last 15m, 2h, 7d or 2w; the default window is the last 7 days."),
    HelpEntry("-term:", "-product:loom -ip:10.0.0.0/8", "A leading - excludes: none of these values."),
    HelpEntry("text", '"api token" rotated', "Free text searched in events; quote phrases."),
)
"""What each term does, for help screens: (term, example, description)."""
