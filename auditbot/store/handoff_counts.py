"""``HandoffCounts``: the handoff digest's numbers (``core.digest.Aggregates``) counted in SQL over the mirror.

``aggregate`` gives, for the events with ``start <= time < end``, exactly what ``EventTally`` gives
when it is fed the same events newest first (the order ``EventMirror.window`` and ``/events`` return
them): the counting is a ``GROUP BY`` in the database, and only grouped rows, the few notable events
and one event per labelled actor come back to Python, where the rankings are added up.

How it matches ``EventTally``:

* Rankings are busiest first, ties by key in code-point order - the order of Python's ``str`` (they
  are sorted here). The notable events are ordered with a byte-wise collation (``"C"`` on
  PostgreSQL, ``BINARY`` on SQLite), since PostgreSQL's default collation may follow the locale.
* An actor's label (email, else name, else id: ``actor_label``) comes from the actor's newest event in
  the window, as ``EventTally`` takes the first one it is given. Names live only in the JSON body, so
  that one body per labelled actor (the top, the new and the bursting ones) is read and parsed: the
  grouped rows give each actor's newest time, and the events at that time are looked up by index.
* What is new is judged against the whole org's events in ``[baseline_start, start)``, not only those
  matching the criteria (``seen`` gives the same sets to callers that tally in Python).
* One ``GROUP BY`` of the window by (action, actor id, IP, country) - a single pass over the index
  that covers those columns, never reading a body - gives every ranking: they are added up from its
  rows here. The baseline is one more ``GROUP BY`` (actor id, IP, country). Countries are the
  ``country`` column, copied from ``attributes.location.countryName`` at ingest.
* Keys are the column copies, from which ``EventMirror`` drops NUL characters; an id or address
  holding one is counted without it.
* Criteria: actions, excluded actions, actors (id, or email lower-cased, as ``core.match`` reads
  them) and exact IP addresses are filters on the columns. An IPv6 address matches every spelling
  of it that parses to the same address, as in ``core.match``: the window's distinct IPv6 spellings
  are read and compared in Python (``filter_clauses``, which mirror search uses too, also filters
  products on their column, as the digest does). Anything else (IP ranges, places, free text)
  is not filtered here, and ``NeedsScan`` (``core.handoff``'s, re-exported here) is raised so that
  the caller reads the events instead.

On PostgreSQL the queries of one call run in one ``REPEATABLE READ`` transaction, so they all see
the same events while ingest adds more; SQLite's read transaction is a snapshot already.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from auditbot.core.handoff import (
    BURST_FAILED_LOGINS,
    FAILED_LOGIN,
    NOTABLE_LIMIT,
    RISKY_ACTIONS,
    TOP,
    Aggregates,
    NeedsScan,
    Seen,
    Tally,
    actor_label,
)
from auditbot.core.match import Criteria
from auditbot.core.model import AuditEvent
from auditbot.core.query import IPValue
from auditbot.store.db import Database
from auditbot.store.schema import events
from auditbot.store.timestamps import UtcDateTime

__all__ = ["HandoffCounts", "NeedsScan"]

_KEYS = (events.c.actor_id, events.c.ip, events.c.country)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Clause = ColumnElement[bool]


@dataclass(frozen=True, slots=True)
class _Ranking:
    """``(key, count)`` rows of one ranking, busiest first, ties by key."""

    rows: tuple[tuple[str, int], ...]

    def tallies(self, labels: dict[str, str] | None = None) -> tuple[Tally, ...]:
        return tuple(Tally(key, labels.get(key, key) if labels else key, n) for key, n in self.rows)

    def keys(self) -> set[str]:
        return {key for key, _ in self.rows}


class HandoffCounts:
    """The digest's aggregates over one ``Database``'s event mirror."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._postgres = db.dialect == "postgresql"
        self._collation = "C" if self._postgres else "BINARY"

    def aggregate(
        self,
        org_id: str,
        start: datetime,
        end: datetime,
        *,
        criteria: Criteria | None = None,
        baseline_start: datetime | None = None,
        risky: Collection[str] = RISKY_ACTIONS,
        burst_threshold: int = BURST_FAILED_LOGINS,
        top: int = TOP,
    ) -> Aggregates:
        """What ``EventTally`` computes over the org's events with ``start <= time < end`` that match
        ``criteria``; with ``baseline_start``, what is new compared with ``[baseline_start, start)``.

        Raises ``NeedsScan`` when ``criteria`` has terms the mirror's columns cannot filter on."""
        check_filterable(criteria)
        risky_actions = sorted(set(risky))
        with self._read() as conn:
            where = filter_clauses(conn, org_id, start, end, criteria)
            combos = _Combos(conn.execute(_grouped(where, events.c.action, *_KEYS, newest=True)).all())
            by_action = combos.ranking(0)
            total = sum(n for _, n in by_action.rows)
            risky_set = set(risky_actions)
            notable_total = sum(n for key, n in by_action.rows if key in risky_set)
            top_actors = _Ranking(combos.ranking(1).rows[:top]) if top > 0 else _Ranking(())
            bursts = combos.ranking(1, only_action=FAILED_LOGIN, at_least=burst_threshold)
            new_actors = new_ips = new_countries = _Ranking(())
            if baseline_start is not None:
                seen = self._seen(conn, _window(org_id, baseline_start, start))
                new_actors = combos.ranking(1, unseen=seen.actors)
                new_ips = combos.ranking(2, unseen=seen.ips)
                new_countries = combos.ranking(3, unseen=seen.countries)
            notable = self._notable(conn, where, risky_actions) if notable_total else ()
            labelled = top_actors.keys() | new_actors.keys() | bursts.keys()
            labels = self._labels(conn, where, combos.newest(labelled))
        return Aggregates(
            total=total,
            by_action=by_action.tallies(),
            top_actors=top_actors.tallies(labels),
            new_actors=new_actors.tallies(labels),
            new_ips=new_ips.tallies(),
            new_countries=new_countries.tallies(),
            notable=notable,
            notable_total=notable_total,
            failed_login_bursts=bursts.tallies(labels),
            scanned=total,
            knows_new=baseline_start is not None,
        )

    def seen(self, org_id: str, baseline_start: datetime, start: datetime) -> Seen:
        """The actor ids, IP addresses and countries of the org's events in ``[baseline_start, start)``."""
        with self._read() as conn:
            return self._seen(conn, _window(org_id, baseline_start, start))

    def _seen(self, conn: Connection, where: Sequence[Clause]) -> Seen:
        rows = conn.execute(_grouped(where, *_KEYS)).all()
        actors, ips, countries = (frozenset(row[i] for row in rows if row[i]) for i in range(3))
        return Seen(actors=actors, ips=ips, countries=countries)

    def total(self, org_id: str, start: datetime, end: datetime, *, criteria: Criteria | None = None) -> int:
        """How many of the org's events with ``start <= time < end`` match ``criteria`` (``NeedsScan`` as above)."""
        check_filterable(criteria)
        with self._read() as conn:
            where = filter_clauses(conn, org_id, start, end, criteria)
            return int(conn.execute(select(func.count()).select_from(events).where(*where)).scalar_one())

    def oldest(self, org_id: str) -> datetime | None:
        """The time of the org's oldest mirrored event (``None``: none)."""
        with self._read() as conn:
            oldest: datetime | None = conn.execute(
                select(func.min(events.c.time)).where(events.c.org_id == org_id)
            ).scalar_one()
        return oldest

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._db.read() as conn:
            if self._postgres:
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield conn

    def _notable(self, conn: Connection, where: Sequence[Clause], risky: list[str]) -> tuple[AuditEvent, ...]:
        query = (
            select(events.c.body)
            .where(*where, events.c.action.in_(risky))
            .order_by(events.c.time, events.c.id.collate(self._collation))
            .limit(NOTABLE_LIMIT)
        )
        return tuple(AuditEvent.model_validate_json(body) for body in conn.execute(query).scalars())

    def _labels(self, conn: Connection, where: Sequence[Clause], newest: dict[str, datetime]) -> dict[str, str]:
        """Each actor's label, from its newest event (by time, then id) among the rows ``where``: the
        events at each actor's newest time (``newest``, from the grouped rows) are looked up by
        (org, time) on the index, one statement per actor reading a row or two, instead of ranking the
        window's rows (ties at the same time go to the greatest id, as the newest-first order has it)."""
        org, terms = where[0], where[len(_window("", _EPOCH, _EPOCH)) :]  # the window is in ``newest`` already
        found: dict[str, tuple[str, str]] = {}
        lookup = select(events.c.id, events.c.body).where(
            org, events.c.time == bindparam("at", type_=UtcDateTime()), events.c.actor_id == bindparam("actor"), *terms
        )
        for actor, time in sorted(newest.items()):
            rows = conn.execute(lookup, {"at": time, "actor": actor}).all()
            if rows:
                found[actor] = max((str(event_id), str(body)) for event_id, body in rows)
        return {actor: actor_label(AuditEvent.model_validate_json(body)) for actor, (_, body) in found.items()}


def filter_clauses(
    conn: Connection, org_id: str, start: datetime, end: datetime, criteria: Criteria | None
) -> list[Clause]:
    """The org's rows with ``start <= time < end`` that match ``criteria``'s actions, actors, exact IP
    addresses and products, as ``core.match`` reads them (other terms are not looked at here)."""
    return [*_window(org_id, start, end), *term_clauses(conn, org_id, start, end, criteria)]


def term_clauses(
    conn: Connection, org_id: str, start: datetime, end: datetime, criteria: Criteria | None
) -> list[Clause]:
    """``filter_clauses`` without the window's own: only the terms' (empty when no term is filtered on)."""
    if criteria is None:
        return []
    clauses: list[Clause] = []
    if criteria.actions:
        clauses.append(events.c.action.in_(sorted(criteria.actions)))
    if criteria.not_actions:
        clauses.append(events.c.action.not_in(sorted(criteria.not_actions)))
    query = criteria.query
    if query.actors:
        wanted = sorted(set(query.actors))
        clauses.append(or_(events.c.actor_id.in_(wanted), events.c.actor_email.in_(wanted)))
    if query.not_actors:
        unwanted = sorted(set(query.not_actors))
        clauses.append(events.c.actor_id.not_in(unwanted))
        clauses.append(or_(events.c.actor_email.is_(None), events.c.actor_email.not_in(unwanted)))
    if query.ips:
        clauses.append(events.c.ip.in_(_spellings(conn, _window(org_id, start, end), query.ips)))
    if query.not_ips:
        spellings = _spellings(conn, _window(org_id, start, end), query.not_ips)
        clauses.append(or_(events.c.ip.is_(None), events.c.ip.not_in(spellings)))
    if query.products:
        clauses.append(
            or_(
                *(
                    events.c.products.contains(f",{product},", autoescape=True)
                    for product in sorted(set(query.products))
                )
            )
        )
    if query.not_products:
        unwanted = sorted(set(query.not_products))
        clauses.extend(
            or_(events.c.products.is_(None), ~events.c.products.contains(f",{p},", autoescape=True)) for p in unwanted
        )
    return clauses


def _spellings(conn: Connection, window: Sequence[Clause], values: Iterable[IPValue]) -> list[str]:
    """The IP texts in the window that ``core.match`` takes for one of the (exact) addresses ``values``."""
    addresses = {v for v in values if isinstance(v, IPv4Address | IPv6Address)}
    texts = {str(address) for address in addresses}
    if any(address.version == 6 for address in addresses):
        found = conn.execute(select(events.c.ip).where(*window, events.c.ip.contains(":")).distinct())
        texts.update(text for text in found.scalars() if _address(text) in addresses)
    return sorted(texts)


def _window(org_id: str, start: datetime, end: datetime) -> list[Clause]:
    return [events.c.org_id == org_id, events.c.time >= start, events.c.time < end]


def _grouped(where: Sequence[Clause], *keys: ColumnElement[str], newest: bool = False) -> Select[*tuple[Any, ...]]:
    """The rows ``where``, counted by ``keys`` (and with ``newest``, the newest time of each group): one
    pass over the covering index, whatever is ranked."""
    columns: list[ColumnElement[Any]] = [*keys, *([func.max(events.c.time)] if newest else []), func.count()]
    return select(*columns).where(*where).group_by(*keys)


class _Combos:
    """``(action, actor id, IP, country, newest time, count)`` rows of a window, ranked by one key at a
    time here."""

    def __init__(self, rows: Sequence[Sequence[Any]]) -> None:
        self._rows = rows

    def newest(self, actors: Collection[str]) -> dict[str, datetime]:
        """The time of each of ``actors``' newest event."""
        times: dict[str, datetime] = {}
        for row in self._rows:
            actor, time = row[1], row[-2]
            if actor in actors and (actor not in times or time > times[actor]):
                times[actor] = time
        return times

    def ranking(
        self,
        index: int,
        *,
        only_action: str | None = None,
        at_least: int | None = None,
        unseen: frozenset[str] | None = None,
    ) -> _Ranking:
        """Counts by the key at ``index`` (``NULL`` and empty keys left out), busiest first, ties by key
        in code-point order (Python's ``str`` order, as ``EventTally``)."""
        counts: Counter[str] = Counter()
        for row in self._rows:
            key = row[index]
            if key and (only_action is None or row[0] == only_action):
                counts[key] += row[-1]
        ranked = sorted(
            (
                (key, n)
                for key, n in counts.items()
                if (at_least is None or n >= at_least) and (unseen is None or key not in unseen)
            ),
            key=lambda item: (-item[1], item[0]),
        )
        return _Ranking(tuple(ranked))


def check_filterable(criteria: Criteria | None) -> None:
    if criteria is None:
        return
    query = criteria.query
    terms = [
        term
        for term, values in (
            ("location", query.locations),
            ("-location", query.not_locations),
            ("free text", query.text),
        )
        if values
    ]
    if any(isinstance(value, IPv4Network | IPv6Network) for value in (*query.ips, *query.not_ips)):
        terms.append("IP ranges")
    if terms:
        raise NeedsScan(f"the mirror cannot filter on {', '.join(terms)} in SQL")


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text)
    except ValueError:
        return None
