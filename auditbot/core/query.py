"""The query language: ``parse`` text into an immutable ``Query`` and ``format_query`` it back.

Grammar (DESIGN §2; lexical rules in ``querysyntax``): space-separated terms in any order, then
free text. ``actor: action: group: ip: product:`` take comma-separated lists ("any of");
``location:`` takes one value (commas belong to it; repeat the term for more); a leading ``-``
on any of these means "none of". ``since:``/``from:``, ``until:``/``to:`` take a time value
(``timespec``); ``last:`` takes a duration and is the same as ``since:``. Repeated list terms
merge; a second since or until is an error. Term names are case-insensitive.

An unquoted word with a ``:`` is a term when the part before the colon is letters only; otherwise
(``12:30``, ``557058:abc``, ``2001:db8::1``) it is free text, as are URLs and ARIs
(``https://…``, ``ari:cloud:…``). Anything in quotes is free text. A word starting with one
``-`` that is not a term is an error (free text cannot be excluded); quote it to search for it.

Canonical text: terms in the order actor, -actor, action, -action, group, -group, ip, -ip,
product, -product, location, -location, since, until, then free text in the user's order;
values in the user's order without duplicates; emails lower-cased; products, IPs and times in
canonical spelling; quotes only where needed. ``parse(format_query(q)) == q`` for every Query
whose canonical text fits ``MAX_QUERY_LENGTH``, and ``parse`` only returns such queries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from difflib import get_close_matches
from functools import cached_property
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any
from zoneinfo import ZoneInfo

from auditbot.core.products import PRODUCTS
from auditbot.core.querysyntax import (
    FORBIDDEN_RE,
    MAX_QUERY_LENGTH,
    QUERY_HELP,
    Clause,
    HelpEntry,
    Item,
    QueryError,
    TermSpan,
    clean,
    edited,
    query_error,
    quote_text,
    quote_value,
    read_clauses,
    tokenize,
)
from auditbot.core.timespec import (
    RelativeSpec,
    TimeSpec,
    TimeSpecError,
    TimeWindow,
    order_problem,
    parse_timespec,
    shorten,
)

__all__ = ["DEFAULT_WINDOW", "MAX_QUERY_LENGTH", "PRODUCTS", "QUERY_HELP", "HelpEntry", "IPValue", "Query"]
__all__ += ["QueryError", "TermSpan", "TimeWindow", "format_query", "parse", "split_ips"]

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network
IPValue = Address | Network
_PRODUCT_ALIASES = {"guard": "guard_detect", "atlassian_guard": "guard_detect"}
DEFAULT_WINDOW = timedelta(days=7)


class ValueProblem(ValueError):
    """A value a term cannot take; the parser turns it into a ``QueryError`` at the value."""

    def __init__(self, what: str, hint: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint
        self.suggestions = suggestions


def _text_value(value: str) -> str:
    cleaned = clean(value) if isinstance(value, str) else ""
    if not cleaned or FORBIDDEN_RE.search(cleaned):
        raise ValueProblem(f"Empty or unsupported value {value!r}", "Give a value, or remove the term.")
    return cleaned


def _actor(value: str) -> str:
    cleaned = _text_value(value)
    return cleaned.lower() if "@" in cleaned else cleaned


def _product(value: str) -> str:
    key = _text_value(value).lower().replace("-", "_").replace(" ", "_")
    key = _PRODUCT_ALIASES.get(key, key)
    if key not in PRODUCTS:
        close = get_close_matches(key, [*PRODUCTS, *_PRODUCT_ALIASES], n=1, cutoff=0.5)
        raise ValueProblem(
            f'Unknown product "{shorten(value)}"',
            f"Products are {', '.join(PRODUCTS)}.",
            tuple(_PRODUCT_ALIASES.get(c, c) for c in close),
        )
    return key


def _ip(value: IPValue | str) -> IPValue:
    if isinstance(value, IPv4Network | IPv6Network):
        return value.network_address if value.prefixlen == value.max_prefixlen else value
    if isinstance(value, IPv4Address | IPv6Address):
        return value
    text = _text_value(value)
    shown, hint = shorten(text), "Use an address like 203.0.113.7 or 2001:db8::1, or a CIDR range like 198.51.100.0/24."
    if "%" in text:
        raise ValueProblem(f'IPv6 zone ids are not supported in "{shown}"', hint)
    try:
        return _ip(ip_network(text) if "/" in text else ip_address(text))
    except ValueError:
        pass
    try:
        loose = ip_network(text, strict=False)
    except ValueError:
        raise ValueProblem(f'Invalid IP address or range "{shown}"', hint) from None
    raise ValueProblem(
        f'"{shown}" has host bits set', f"A range starts at its network address: {loose}.", (str(loose),)
    )


_Normalizer = Callable[[Any], Any]
Seq = list[str] | tuple[str, ...]
_LIST_FIELDS: tuple[tuple[str, str, _Normalizer], ...] = (
    ("actors", "actor", _actor),
    ("not_actors", "-actor", _actor),
    ("actions", "action", _text_value),
    ("not_actions", "-action", _text_value),
    ("groups", "group", _text_value),
    ("not_groups", "-group", _text_value),
    ("ips", "ip", _ip),
    ("not_ips", "-ip", _ip),
    ("products", "product", _product),
    ("not_products", "-product", _product),
    ("locations", "location", _text_value),
    ("not_locations", "-location", _text_value),
)
"""(Query field, canonical term, value normaliser) in canonical order."""
FIELD_OF_TERM = {term: (name, normalize) for name, term, normalize in _LIST_FIELDS}


def split_ips(values: Iterable[IPValue]) -> tuple[tuple[Address, ...], tuple[Network, ...]]:
    """The exact addresses and the CIDR ranges among ``values``."""
    values = tuple(values)
    addresses = tuple(v for v in values if isinstance(v, IPv4Address | IPv6Address))
    return addresses, tuple(v for v in values if isinstance(v, IPv4Network | IPv6Network))


def _normalized(values: Iterable[Any], normalize: _Normalizer, name: str, *, dedupe: bool = True) -> tuple[Any, ...]:
    if isinstance(values, str):
        raise TypeError(f"Query.{name} takes a sequence of values, not a string")
    return tuple(dict.fromkeys(map(normalize, values)) if dedupe else map(normalize, values))


@dataclass(frozen=True)
class Query:
    """A parsed query. Equal queries have the same canonical text; ``spans`` and ``source`` do not count.

    Constructing one normalises and validates values like the parser does (``ValueError``/``TypeError`` if bad).
    ``spans`` records where each value came from in ``source``, for errors raised later.
    """

    actors: tuple[str, ...] = ()
    not_actors: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    not_groups: tuple[str, ...] = ()
    ips: tuple[IPValue, ...] = ()
    not_ips: tuple[IPValue, ...] = ()
    products: tuple[str, ...] = ()
    not_products: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    not_locations: tuple[str, ...] = ()
    since: TimeSpec | None = None
    until: TimeSpec | None = None
    text: tuple[str, ...] = ()
    spans: tuple[TermSpan, ...] = field(default=(), compare=False, repr=False)
    source: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name, _, normalize in _LIST_FIELDS:
            if (values := getattr(self, name)) != ():
                object.__setattr__(self, name, _normalized(values, normalize, name))
        if self.text != ():
            object.__setattr__(self, "text", _normalized(self.text, _text_value, "text", dedupe=False))
        object.__setattr__(self, "spans", tuple(self.spans))
        for spec in (self.since, self.until):
            if spec is not None and not isinstance(spec, TimeSpec):
                raise TypeError(f"since and until take a TimeSpec, not {spec!r}")
        problem = order_problem(self.since, self.until)
        if problem:
            raise ValueError(problem)

    @cached_property
    def canonical(self) -> str:
        """The canonical text (computed once)."""
        return _render(self)

    def __str__(self) -> str:
        return self.canonical

    @property
    def ip_addresses(self) -> tuple[Address, ...]:
        """The exact addresses of ``ip:`` (the API filters these; ``split_ips(q.not_ips)`` for ``-ip:``)."""
        return split_ips(self.ips)[0]

    @property
    def ip_networks(self) -> tuple[Network, ...]:
        """The CIDR ranges of ``ip:`` (filtered client-side)."""
        return split_ips(self.ips)[1]

    def replace(self, **changes: Any) -> Query:
        """A copy with some fields changed (validated again); spans and source are kept."""
        return dataclasses.replace(self, **changes)

    def with_actions(self, actions: Iterable[str], not_actions: Iterable[str] | None = None) -> Query:
        """A copy whose actions (and, if given, excluded actions) are replaced, e.g. by resolved ids."""
        if not_actions is None:
            return self.replace(actions=tuple(actions))
        return self.replace(actions=tuple(actions), not_actions=tuple(not_actions))

    def locate(self, term: str, value: object = None) -> TermSpan | None:
        """Where ``term`` (``action``, ``-ip``, ``since``, ``text``…) with ``value`` was written, if known."""
        wanted = None if value is None else str(value)
        for span in self.spans:
            if span.term == term and (wanted is None or span.value == wanted):
                return span
        return None

    def error_at(
        self,
        term: str,
        value: object,
        what: str,
        *,
        hint: str | None = None,
        fixes: Seq = (),
        suggestions: Seq = (),
    ) -> QueryError:
        """A ``QueryError`` about a value of this query, pointing at where it was written.

        Each of ``fixes`` is a value to put in its place; the error suggests the whole query with it:
        the source as written with that value replaced, or the canonical text when the source or the
        value's place in it is unknown. ``suggestions`` are whole corrected queries, suggested first."""
        span = self.locate(term, value)
        if span is None or self.source is None:
            whole = [*suggestions, *self._with_value(term, value, fixes)]
            return query_error(what, None, hint=hint, suggestions=whole)
        quoted = [quote_value(fix) for fix in fixes]
        return query_error(
            what, span.column, span.length, hint=hint, fixes=quoted, suggestions=suggestions, source=self.source
        )

    def _with_value(self, term: str, value: object, fixes: Seq) -> list[str]:
        """The canonical text of this query with ``value`` of ``term`` replaced by each fix in turn."""
        if term not in FIELD_OF_TERM:
            return []
        name = FIELD_OF_TERM[term][0]
        found: list[str] = []
        for fix in fixes:
            values = tuple(fix if str(v) == str(value) else v for v in getattr(self, name))
            try:
                found.append(self.replace(**{name: values}).canonical)
            except (ValueError, TypeError):
                continue
        return found

    def window(self, now: datetime, tz: ZoneInfo, default: timedelta = DEFAULT_WINDOW) -> TimeWindow:
        """The aware-UTC ``[start, end)`` this query covers at ``now`` for a user in ``tz``.

        No until means now; no since means ``default`` before the end. A start after the end
        (``since:2026-12-01`` run in November) raises ``QueryError`` at the since term, and so does
        a start equal to an explicit end (``since:today until:yesterday``), which would be an empty
        window that silently finds nothing.
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if default < timedelta(0):
            raise ValueError("default must not be negative")
        end = self.until.resolve(now=now, tz=tz, end=True) if self.until else now.astimezone(UTC)
        start = self.since.resolve(now=now, tz=tz, end=False) if self.since else end - default
        if self.since is not None and (start > end or (start == end and self.until is not None)):
            hint = f"since:{self.since} is {start.astimezone(tz):%Y-%m-%d %H:%M} and the window ends "
            hint += f"{end.astimezone(tz):%Y-%m-%d %H:%M} ({tz.key})."
            if start == end:
                what = f"since:{self.since} starts where until:{self.until} ends, so the window is empty"
                hint += " Nothing can match in an empty window: move since: earlier or until: later."
            else:
                what = f"since:{self.since} starts after the window ends"
            raise self.error_at("since", self.since, what, hint=hint)
        return TimeWindow(start, end)


def _render(q: Query) -> str:
    parts: list[str] = []
    for name, term, _ in _LIST_FIELDS:
        values = getattr(q, name)
        if not values:
            continue
        if name.endswith("locations"):
            parts.extend(f"{term}:{quote_value(v)}" for v in values)
        else:
            parts.append(f"{term}:" + ",".join(quote_value(str(v)) for v in values))
    if q.since is not None:
        parts.append(f"since:{q.since.text}")
    if q.until is not None:
        parts.append(f"until:{q.until.text}")
    parts.extend(quote_text(t) for t in q.text)
    return " ".join(parts)


def format_query(q: Query) -> str:
    """The canonical text of ``q``; ``parse(format_query(q)) == q``."""
    return q.canonical


def parse(text: str) -> Query:
    """Read query text; any problem raises ``QueryError`` (and nothing else).

    The error's suggestions are kept only where they work: the corrected query reads, or its first
    mistake lies past the term that was corrected (a second mistake gets its own suggestion then)."""
    if not isinstance(text, str):
        raise QueryError("A query must be text", hint="Pass the query as a string.")
    try:
        return _parse(text)
    except QueryError as error:
        error.suggestions = [s for s in error.suggestions if _reads_past_the_fix(text, s)]
        raise


def _reads_past_the_fix(text: str, suggestion: str) -> bool:
    try:
        _parse(suggestion)
    except QueryError as error:
        return error.column >= _fixed_token_end(text, suggestion)
    return True


def _fixed_token_end(before: str, after: str) -> int:
    """Where, in ``after``, the token holding the last character that differs from ``before`` ends."""
    shortest = min(len(before), len(after))
    first = next((i for i in range(shortest) if before[i] != after[i]), shortest)
    same = 0
    while same < shortest - first and before[-1 - same] == after[-1 - same]:
        same += 1
    last = max(first, len(after) - same - 1)  # a deletion changes no character: the one after it counts
    try:
        tokens = tokenize(after)
    except QueryError:
        return len(after) + 1
    return next((column + len(raw) for column, raw in tokens if column <= last < column + len(raw)), last + 1)


def _parse(text: str) -> Query:
    builder = _Builder(text)
    for clause in read_clauses(text):
        if isinstance(clause, Item):
            builder.text.append(clause.value)
            builder.spans.append(TermSpan("text", clause.value, clause.column, clause.length))
        elif clause.term in ("since", "until", "last"):
            builder.time(clause)
        else:
            builder.values(clause)
    query = builder.build()
    if len(query.canonical) > MAX_QUERY_LENGTH:
        hint = f"The limit is {MAX_QUERY_LENGTH} characters."
        raise query_error("The query is too long once written out in full", 0, len(text), hint=hint, source=text)
    return query


class _Builder:
    """Collects a query's values while checking each at its position in the source."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.fields: dict[str, dict[Any, None]] = {name: {} for name, _, _ in _LIST_FIELDS}
        self.times: dict[str, tuple[TimeSpec, Clause]] = {}
        self.text: list[str] = []
        self.spans: list[TermSpan] = []

    def values(self, clause: Clause) -> None:
        term = f"-{clause.term}" if clause.negated else clause.term
        name, normalize = FIELD_OF_TERM[term]
        for item in clause.items:
            try:
                value = normalize(item.value)
            except ValueProblem as problem:
                fixes = [quote_value(s) for s in problem.suggestions]
                raise self.error(problem.what, item.column, item.length, problem.hint, fixes) from None
            self.fields[name][value] = None
            self.spans.append(TermSpan(term, str(value), item.column, item.length))

    def time(self, clause: Clause) -> None:
        term = "until" if clause.term == "until" else "since"
        item = clause.items[0]
        try:
            spec = parse_timespec(item.value)
        except TimeSpecError as problem:
            what = f"{problem.message} in {clause.typed}:"
            raise self.error(what, item.column, item.length, problem.hint, problem.suggestions) from None
        if clause.term == "last" and not isinstance(spec, RelativeSpec):
            hint = "Use a duration like last:7d, or since: for a date or day."
            what = f'last: takes a duration, not "{shorten(item.value)}"'
            whole = edited(self.source, [(clause.column, clause.length, f"since:{spec}")])
            raise self.error(what, item.column, item.length, hint, whole=[whole])
        if term in self.times:
            first, which = self.times[term][1].typed, "starts" if term == "since" else "ends"
            hint = "Give one start (since:, from: or last:) and one end (until: or to:)."
            raise self.error(
                f"Two {which} for the window ({first}: and {clause.typed}:)", clause.column, clause.length, hint
            )
        self.times[term] = (spec, clause)
        self.spans.append(TermSpan(term, spec.text, item.column, item.length))

    def build(self) -> Query:
        since, until = self.times.get("since"), self.times.get("until")
        problem = order_problem(since and since[0], until and until[0])
        if problem and since and until:
            hint = "The start must come before the end; swap them."
            raise self.error(problem, since[1].column, since[1].length, hint, whole=[self.swapped(since[1], until[1])])
        fields: dict[str, Any] = {name: tuple(values) for name, values in self.fields.items()}
        fields |= {"since": since and since[0], "until": until and until[0], "text": tuple(self.text)}
        return Query(**fields, spans=tuple(self.spans), source=self.source)

    def swapped(self, since: Clause, until: Clause) -> str:
        """The source with the start's and the end's values swapped (``last:`` becomes ``since:``)."""
        start, end = (self.source[c.items[0].column : c.items[0].column + c.items[0].length] for c in (since, until))
        start_term = "since" if since.term == "last" else since.typed
        edits = [
            (since.column, since.length, f"{start_term}:{end}"),
            (until.column, until.length, f"{until.typed}:{start}"),
        ]
        return edited(self.source, edits)

    def error(
        self, what: str, column: int, length: int, hint: str | None, fixes: Seq = (), *, whole: Seq = ()
    ) -> QueryError:
        """A ``QueryError`` at a span: ``fixes`` replace the span, ``whole`` are whole corrected queries."""
        return query_error(what, column, length, hint=hint, fixes=fixes, suggestions=whole, source=self.source)
