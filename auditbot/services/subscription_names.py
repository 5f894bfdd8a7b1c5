"""How people name alert subscriptions: the name a subscriber gives one (``name:"Admin grants"``), and
the description it gets from its query when it has none ("Added organization admin, API token
created +5 more").

Both are plain text; each surface escapes them as it shows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from auditbot.core.errors import AuditbotError
from auditbot.core.query import Query, parse
from auditbot.core.querysyntax import QueryError

MAX_NAME = 80
"""Characters a subscription's name may have."""
SHOWN_ACTIONS = 2
"""Action names a description lists before "+N more"."""
SHOWN_VALUES = 2
"""Actors, addresses, products or places a description lists before "+N more"."""

_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019"}
_NAME_TERM = re.compile(r"(?:^|(?<=\s))name:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"\s+")

ActionName = Callable[[str], str]
"""An action id's display name, as the catalog has it."""


class NameProblem(AuditbotError):
    """A ``name:`` that cannot be a subscription's name."""


def split_name(text: str) -> tuple[str | None, str]:
    """(the ``name:`` given in ``text``, the rest of it): ``name:"Admin grants"`` (straight or curly
    quotes) or ``name:one-word``, anywhere among the terms. ``NameProblem`` when it is empty, too long,
    unclosed or given twice."""
    found = list(_NAME_TERM.finditer(text))
    if not found:
        return None, text
    if len(found) > 1:
        raise NameProblem("Give one name:.", hint='For example name:"Admin grants".')
    match = found[0]
    start, value_at = match.start(), match.end()
    opening = text[value_at : value_at + 1]
    closing = _QUOTES.get(opening)
    if closing is not None:
        end = text.find(closing, value_at + 1)
        if end < 0:
            raise NameProblem("The name: has no closing quote.", hint='For example name:"Admin grants".')
        raw, after = text[value_at + 1 : end], end + 1
    else:
        stop = re.search(r"\s", text[value_at:])
        after = value_at + stop.start() if stop else len(text)
        raw = text[value_at:after]
    return clean_name(raw), f"{text[:start].rstrip()} {text[after:].lstrip()}".strip()


def clean_name(raw: str) -> str:
    """A subscription's name as stored: one line of plain text, spaces squeezed, at most 80 characters."""
    name = _SPACES.sub(" ", _CONTROL.sub(" ", raw)).strip()
    if not name:
        raise NameProblem("The name: is empty.", hint='Give it a few words: name:"Admin grants".')
    if len(name) > MAX_NAME:
        raise NameProblem(
            f"A subscription's name is at most {MAX_NAME} characters; this one has {len(name)}.",
            hint="Shorten it: the query still says exactly what is matched.",
        )
    return name


def describe(query: str, action_name: ActionName) -> str:
    """A plain description of a stored (canonical) alert query, with the catalog's action names:
    "Added organization admin, API token created +5 more by jane@example.com from 203.0.113.7"."""
    try:
        parsed = parse(query)
    except QueryError:
        return query
    return describe_query(parsed, action_name)


def describe_query(q: Query, action_name: ActionName) -> str:
    what = [action_name(a) for a in q.actions] + [f"{g} (group)" for g in q.groups]
    parts = [_listed(what, SHOWN_ACTIONS) if what else "Any action"]
    if q.not_actions or q.not_groups:
        parts.append("except " + _listed([action_name(a) for a in q.not_actions] + list(q.not_groups), 1))
    for values, word in (
        (q.actors, "by"),
        (q.not_actors, "not by"),
        (q.ips, "from"),
        (q.not_ips, "not from"),
        (q.products, "in"),
        (q.not_products, "not in"),
        (q.locations, "located in"),
        (q.not_locations, "not located in"),
    ):
        if values:
            parts.append(f"{word} {_listed([str(v) for v in values], SHOWN_VALUES)}")
    if q.text:
        parts.append("mentioning " + _listed([f"“{t}”" for t in q.text], SHOWN_VALUES))
    return " ".join(parts)


def _listed(values: Sequence[str], shown: int) -> str:
    unique = list(dict.fromkeys(values))
    text = ", ".join(unique[:shown])
    more = len(unique) - shown
    return f"{text} +{more} more" if more > 0 else text
