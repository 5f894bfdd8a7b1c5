"""``MirrorDigest``: the handoff digest's numbers (``core.digest.Aggregates``) counted in SQL over the mirror.

``aggregate`` gives, for the events with ``start <= time < end``, exactly what ``EventTally`` gives
when it is fed the same events newest first (the order ``EventMirror.window`` and ``/events`` return
them): every count is a ``GROUP BY`` in the database, and only grouped rows, the few notable events and
one event per labelled actor come back to Python.

How it matches ``EventTally``:

* Rankings are busiest first, ties by key in code-point order - the order of Python's ``str``. The
  keys are sorted with a byte-wise collation (``"C"`` on PostgreSQL, ``BINARY`` on SQLite), since
  PostgreSQL's default collation may follow the locale.
* An actor's label (email, else name, else id: ``actor_label``) comes from the actor's newest event in
  the window, as ``EventTally`` takes the first one it is given. Names live only in the JSON body, so
  that one body per labelled actor (the top, the new and the bursting ones) is read and parsed.
* What is new is judged against the whole org's events in ``[baseline_start, start)``, not only those
  matching the criteria (``seen`` gives the same sets to callers that tally in Python).
* Countries are ``attributes.location.countryName`` in the body, extracted in SQL: ``json_extract`` on
  the text itself on SQLite (``type_coerce``: SQLAlchemy compiles ``cast(body, JSON)`` to
  ``CAST(body AS JSON)``, which SQLite, having no JSON type, reads as NUMERIC affinity and turns every
  body into ``0``, so every country into ``NULL``) and ``CAST(body AS JSON) #>> path`` on PostgreSQL.
  PostgreSQL's JSON operators refuse a document holding ``\\u0000`` anywhere (text cannot hold NUL),
  so those escapes are removed from such bodies before the cast. A NUL inside a country name itself
  is therefore dropped (PostgreSQL) or ends the name (SQLite), where ``EventTally`` keeps it.
* Keys are the column copies, from which ``EventMirror`` drops NUL characters; an id or address
  holding one is counted without it.
* Criteria: actions, excluded actions, actors (id, or email lower-cased, as ``core.match`` reads
  them) and exact IP addresses are filters on the columns. An IPv6 address matches every spelling
  of it that parses to the same address, as in ``core.match``: the window's distinct IPv6 spellings
  are read and compared in Python. Anything else (IP ranges, products, places, free text) cannot be
  filtered on the columns, and ``NeedsScan`` (``core.digest``'s, re-exported here) is raised so that
  the caller reads the events instead.

On PostgreSQL the queries of one call run in one ``REPEATABLE READ`` transaction, so they all see
the same events while ingest adds more; SQLite's read transaction is a snapshot already.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from sqlalchemy import JSON, Column, Connection, Select, and_, case, cast, func, or_, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from auditbot.core.digest import (
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

__all__ = ["MirrorDigest", "NeedsScan"]

COUNTRY_PATH = ("attributes", "location", "countryName")
_NUL_ESCAPE = "\\u0000"
_NUL_ESCAPE_PATTERN = r"(?<!\\)((?:\\\\)*)\\u0000"
"""A ``\\u0000`` escape that is not itself an escaped backslash followed by ``u0000``."""
_LABEL_CHUNK = 500
"""Actor ids per label query (bound parameters stay well below every driver's limit)."""

Clause = ColumnElement[bool]


@dataclass(frozen=True, slots=True)
class _Ranking:
    """``(key, count)`` rows of one ranking, busiest first, ties by key."""

    rows: tuple[tuple[str, int], ...]

    def tallies(self, labels: dict[str, str] | None = None) -> tuple[Tally, ...]:
        return tuple(Tally(key, labels.get(key, key) if labels else key, n) for key, n in self.rows)

    def keys(self) -> set[str]:
        return {key for key, _ in self.rows}


class MirrorDigest:
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
        _check_filterable(criteria)
        risky_actions = sorted(set(risky))
        with self._read() as conn:
            where = self._where(conn, org_id, start, end, criteria)
            by_action = self._ranking(conn, events.c.action, where)
            total = sum(n for _, n in by_action.rows)
            risky_set = set(risky_actions)
            notable_total = sum(n for key, n in by_action.rows if key in risky_set)
            top_actors = self._ranking(conn, events.c.actor_id, where, limit=top) if top > 0 else _Ranking(())
            bursts = self._ranking(
                conn, events.c.actor_id, [*where, events.c.action == FAILED_LOGIN], at_least=burst_threshold
            )
            new_actors = new_ips = new_countries = _Ranking(())
            if baseline_start is not None:
                before = _window(org_id, baseline_start, start)
                new_actors = self._ranking(conn, events.c.actor_id, where, unseen_in=before)
                new_ips = self._ranking(conn, events.c.ip, where, unseen_in=before)
                new_countries = self._ranking(conn, self._country(), where, unseen_in=before)
            notable = self._notable(conn, where, risky_actions) if notable_total else ()
            labels = self._labels(conn, where, top_actors.keys() | new_actors.keys() | bursts.keys())
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
        before = _window(org_id, baseline_start, start)
        with self._read() as conn:
            actors, ips, countries = (
                frozenset(conn.execute(self._distinct(key, before)).scalars())
                for key in (events.c.actor_id, events.c.ip, self._country())
            )
        return Seen(actors=actors, ips=ips, countries=countries)

    def total(self, org_id: str, start: datetime, end: datetime, *, criteria: Criteria | None = None) -> int:
        """How many of the org's events with ``start <= time < end`` match ``criteria`` (``NeedsScan`` as above)."""
        _check_filterable(criteria)
        with self._read() as conn:
            where = self._where(conn, org_id, start, end, criteria)
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

    def _country(self) -> ColumnElement[str]:
        """``attributes.location.countryName`` of the row's body, as text (``NULL`` when absent)."""
        if not self._postgres:
            extracted: ColumnElement[str] = type_coerce(events.c.body, JSON)[COUNTRY_PATH].as_string()
            return extracted
        body = case(
            (
                func.strpos(events.c.body, _NUL_ESCAPE) > 0,
                func.regexp_replace(events.c.body, _NUL_ESCAPE_PATTERN, r"\1", "g"),
            ),
            else_=events.c.body,
        )
        extracted = cast(body, JSON)[COUNTRY_PATH].as_string()
        return extracted

    def _where(
        self, conn: Connection, org_id: str, start: datetime, end: datetime, criteria: Criteria | None
    ) -> list[Clause]:
        window = _window(org_id, start, end)
        if criteria is None:
            return window
        clauses = list(window)
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
            clauses.append(events.c.ip.in_(self._spellings(conn, window, query.ips)))
        if query.not_ips:
            clauses.append(or_(events.c.ip.is_(None), events.c.ip.not_in(self._spellings(conn, window, query.not_ips))))
        return clauses

    def _spellings(self, conn: Connection, window: Sequence[Clause], values: Iterable[IPValue]) -> list[str]:
        """The IP texts in the window that ``core.match`` takes for one of the (exact) addresses ``values``."""
        addresses = {v for v in values if isinstance(v, IPv4Address | IPv6Address)}
        texts = {str(address) for address in addresses}
        if any(address.version == 6 for address in addresses):
            found = conn.execute(select(events.c.ip).where(*window, events.c.ip.contains(":")).distinct())
            texts.update(text for text in found.scalars() if _address(text) in addresses)
        return sorted(texts)

    def _ranking(
        self,
        conn: Connection,
        key: ColumnElement[str],
        where: Sequence[Clause],
        *,
        limit: int | None = None,
        at_least: int | None = None,
        unseen_in: Sequence[Clause] | None = None,
    ) -> _Ranking:
        """Counts of ``key`` over the rows ``where`` (``NULL`` and empty keys left out), busiest first.

        ``unseen_in``: only keys that no row of those clauses has (an anti-join on their distinct keys)."""
        rows = _keyed(key, where, "rows")
        counted = (
            select(rows.c.key, func.count().label("n"))
            .where(rows.c.key.is_not(None), rows.c.key != "")
            .group_by(rows.c.key)
        )
        if at_least is not None:
            counted = counted.having(func.count() >= at_least)
        ranked = counted.subquery("counted")
        query = select(ranked.c.key, ranked.c.n)
        if unseen_in is not None:
            seen = self._distinct(key, unseen_in).subquery("seen")
            query = query.outerjoin_from(ranked, seen, seen.c.key == ranked.c.key).where(seen.c.key.is_(None))
        query = query.order_by(ranked.c.n.desc(), ranked.c.key.collate(self._collation))
        if limit is not None:
            query = query.limit(limit)
        return _Ranking(tuple((str(k), int(n)) for k, n in conn.execute(query)))

    def _distinct(self, key: ColumnElement[str], where: Sequence[Clause]) -> Select[str]:
        rows = _keyed(key, where, "seen_rows")
        return select(rows.c.key).where(rows.c.key.is_not(None), rows.c.key != "").distinct()

    def _notable(self, conn: Connection, where: Sequence[Clause], risky: list[str]) -> tuple[AuditEvent, ...]:
        query = (
            select(events.c.body)
            .where(*where, events.c.action.in_(risky))
            .order_by(events.c.time, events.c.id.collate(self._collation))
            .limit(NOTABLE_LIMIT)
        )
        return tuple(AuditEvent.model_validate_json(body) for body in conn.execute(query).scalars())

    def _labels(self, conn: Connection, where: Sequence[Clause], actors: Collection[str]) -> dict[str, str]:
        """Each actor's label, from its newest event (by time, then id) among the rows ``where``."""
        labels: dict[str, str] = {}
        wanted = sorted(actors)
        for first in range(0, len(wanted), _LABEL_CHUNK):
            chunk = wanted[first : first + _LABEL_CHUNK]
            newest = (
                select(
                    events.c.org_id,
                    events.c.id,
                    func.row_number()
                    .over(
                        partition_by=events.c.actor_id,
                        order_by=(events.c.time.desc(), events.c.id.collate(self._collation).desc()),
                    )
                    .label("rank"),
                )
                .where(*where, events.c.actor_id.in_(chunk))
                .subquery("newest")
            )
            query = select(events.c.actor_id, events.c.body).join(
                newest, and_(events.c.org_id == newest.c.org_id, events.c.id == newest.c.id)
            )
            for actor_id, body in conn.execute(query.where(newest.c.rank == 1)):
                labels[actor_id] = actor_label(AuditEvent.model_validate_json(body))
        return labels


def _window(org_id: str, start: datetime, end: datetime) -> list[Clause]:
    return [events.c.org_id == org_id, events.c.time >= start, events.c.time < end]


def _keyed(key: ColumnElement[str], where: Sequence[Clause], name: str) -> Subquery:
    """``key`` of each row ``where``, as a subquery. A computed key (the country) is fenced with
    ``OFFSET 0``: both databases would otherwise merge the subquery into the query around it and
    evaluate the JSON extraction again for every filter and the grouping that use it."""
    rows = select(key.label("key")).where(*where)
    if not isinstance(key, Column):
        rows = rows.offset(0)
    return rows.subquery(name)


def _check_filterable(criteria: Criteria | None) -> None:
    if criteria is None:
        return
    query = criteria.query
    terms = [
        term
        for term, values in (
            ("product", query.products),
            ("-product", query.not_products),
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
