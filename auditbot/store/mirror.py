"""``EventMirror``: the local copy of each org's audit log.

Each event is stored once per (org, event id) as the API's own JSON (``AuditEvent.to_api_json()``),
so reading it back gives an identical ``AuditEvent``; time, processing time, action, actor, email
(lower-case), IP, country, city and country case-folded, and products are copied into columns for
filtering, counting and ordering. ``upsert`` inserts what is new
and ignores what is stored already (``ON CONFLICT DO NOTHING`` on both dialects), so re-reading a page
after a crash or a retry never duplicates anything; it runs in the caller's transaction, beside the
stream cursor and the outbox rows. ``window`` pages newest first by (time, id) with a keyset, which
neither skips nor repeats events when new ones arrive between pages.

NUL characters, which PostgreSQL text cannot hold, are dropped from the column copies; the body keeps
them (JSON escapes them as ``\\u0000``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Connection, CursorResult, Integer, Select, String, bindparam, delete, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from auditbot.core.clock import Clock, SystemClock
from auditbot.core.model import AuditEvent
from auditbot.core.products import event_products
from auditbot.store.db import Database
from auditbot.store.executor import Executor, insert_or_ignore
from auditbot.store.schema import events
from auditbot.store.timestamps import UtcDateTime

MAX_WINDOW_LIMIT = 10_000


class EventMirror:
    def __init__(self, db: Database, *, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    def upsert(self, conn: Executor, org_id: str, batch: Iterable[AuditEvent]) -> int:
        """Store the events not stored yet, in the caller's transaction; how many were new."""
        now = self._clock.now()
        rows = {event.id: _row(org_id, event, now) for event in batch}
        if not rows:
            return 0
        if isinstance(conn, Connection) and conn.dialect.name == "postgresql":
            return _copy_new(conn, list(rows.values()))
        # One executemany of INSERT … ON CONFLICT DO NOTHING, counting what it inserted: a multi-row
        # INSERT … RETURNING of 500 JSON bodies is far slower to send, and looking up what is stored
        # first costs a query of 500 parameters a page.
        inserted = conn.execute(_insert_new(conn), list(rows.values()))
        assert isinstance(inserted, CursorResult)  # a Core statement's result, through a Session too
        return int(inserted.rowcount)

    def get(self, org_id: str, event_id: str) -> AuditEvent | None:
        with self._db.read() as conn:
            body = conn.execute(
                select(events.c.body).where(events.c.org_id == org_id, events.c.id == event_id)
            ).scalar_one_or_none()
        return None if body is None else AuditEvent.model_validate_json(body)

    def window(
        self,
        org_id: str,
        start: datetime,
        end: datetime,
        *,
        limit: int,
        before: tuple[datetime, str] | None = None,
        where: Sequence[ColumnElement[bool]] | WindowFilter = (),
        conn: Connection | None = None,
    ) -> list[AuditEvent]:
        """Events with ``start <= time < end`` (and ``where``), newest first by (time, id), at most ``limit``.

        For the next page pass ``before=(last.time, last.id)`` of the previous page's last event.
        ``where``: conditions on the index's columns, or a ``WindowFilter`` of them kept for reuse.
        ``conn``: read in the caller's transaction.
        """
        if not 1 <= limit <= MAX_WINDOW_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_WINDOW_LIMIT}")
        values: dict[str, Any] = {"org_id": org_id, "start": start, "end": end, "limit": limit}
        if before is not None:
            values["before_time"], values["before_id"] = before
            # one range on the index, up to the key's time: ``time < end`` and the key as a mere filter
            # would walk every row of the pages before
            values["end"] = min(end, before[0] + _MICROSECOND)
        chosen = where if isinstance(where, WindowFilter) else WindowFilter(where) if where else _UNFILTERED
        query = chosen.statement(after_key=before is not None)
        if conn is not None:
            bodies = conn.execute(query, values).scalars().all()
        else:
            with self._db.read() as reading:
                bodies = reading.execute(query, values).scalars().all()
        return _events(bodies)

    def count(self, org_id: str) -> int:
        with self._db.read() as conn:
            found = conn.execute(select(func.count()).select_from(events).where(events.c.org_id == org_id))
            return int(found.scalar_one())

    def prune(self, org_id: str, older_than: datetime) -> int:
        """Delete the org's events whose time is before ``older_than``; how many went."""
        with self._db.begin() as conn:
            result = conn.execute(delete(events).where(events.c.org_id == org_id, events.c.time < older_than))
        return int(result.rowcount)


_COLUMNS = tuple(column.name for column in events.columns)
_COLUMN_LIST = ", ".join(_COLUMNS)
_STAGE = "events_stage"
_CREATE_STAGE = f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (LIKE events) ON COMMIT DELETE ROWS"
_COPY_STAGE = f"COPY {_STAGE} ({_COLUMN_LIST}) FROM STDIN"
_INSERT_STAGED = (  # emptying the stage as it goes: a second page in the same transaction starts from nothing
    f"WITH staged AS (DELETE FROM {_STAGE} RETURNING {_COLUMN_LIST}) "
    f"INSERT INTO events ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM staged ON CONFLICT (org_id, id) DO NOTHING"
)


def _copy_new(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """PostgreSQL: the rows copied (``COPY``) into a temporary table, then moved from it into ``events`` in one
    ``INSERT … SELECT … ON CONFLICT DO NOTHING``: a page costs three statements, not one per row. How many
    were new."""
    driver = conn.connection.dbapi_connection
    assert isinstance(driver, psycopg.Connection), "the store reaches PostgreSQL through psycopg"
    with driver.cursor() as cursor:
        cursor.execute(_CREATE_STAGE)
        with cursor.copy(_COPY_STAGE) as copy:
            for row in rows:
                copy.write_row([row[name] for name in _COLUMNS])
        cursor.execute(_INSERT_STAGED)
        return int(cursor.rowcount)


def _insert_new(conn: Executor) -> postgresql.Insert | sqlite.Insert:
    return insert_or_ignore(conn, events, [events.c.org_id, events.c.id]).execution_options(preserve_rowcount=True)


_NEWEST_FIRST = (events.c.time.desc(), events.c.id.desc())
_IN_WINDOW = (
    events.c.org_id == bindparam("org_id", type_=String()),
    events.c.time >= bindparam("start", type_=UtcDateTime()),
    events.c.time < bindparam("end", type_=UtcDateTime()),
)
_BELOW_KEY = (
    tuple_(events.c.time, events.c.id)
    < tuple_(bindparam("before_time", type_=UtcDateTime()), bindparam("before_id", type_=String())),
)
_MICROSECOND = timedelta(microseconds=1)
_LIMIT = bindparam("limit", type_=Integer())


class WindowFilter:
    """Conditions on the index's columns for ``EventMirror.window``, with its statements built once: kept
    for a search, its pages cost no building and keying of SQL (rows are filtered on the index, and only the
    bodies of the rows kept are read)."""

    def __init__(self, where: Sequence[ColumnElement[bool]] = ()) -> None:
        self._statements = {after_key: _windowed(where, after_key=after_key) for after_key in (False, True)}

    def statement(self, *, after_key: bool) -> Select[str]:
        return self._statements[after_key]


def _windowed(where: Sequence[ColumnElement[bool]], *, after_key: bool) -> Select[str]:
    conditions = (*_IN_WINDOW, *(_BELOW_KEY if after_key else ()))
    if not where:
        return select(events.c.body).where(*conditions).order_by(*_NEWEST_FIRST).limit(_LIMIT)
    chosen = select(events.c.org_id, events.c.id).where(*conditions, *where).order_by(*_NEWEST_FIRST).limit(_LIMIT)
    kept = tuple_(events.c.org_id, events.c.id).in_(chosen)
    return select(events.c.body).where(kept).order_by(*_NEWEST_FIRST).limit(_LIMIT)


_UNFILTERED = WindowFilter()


def _events(bodies: Sequence[str]) -> list[AuditEvent]:
    """The events of stored bodies (one by one: quicker than one JSON array of them)."""
    return [AuditEvent.model_validate_json(body) for body in bodies]


def _row(org_id: str, event: AuditEvent, now: datetime) -> dict[str, Any]:
    email = event.actor.email
    return {
        **derived_columns(event),
        "org_id": org_id,
        "id": event.id,
        "time": event.time,
        "processed_at": event.processed_at,
        "action": _text(event.action),
        "actor_id": _text(event.actor.id),
        "actor_email": _text(email.lower()) if email else None,
        "ip": _text(event.ip) if event.ip else None,
        "body": event.model_dump_json(by_alias=True, exclude_unset=True),  # to_api_json(), serialized in one step
        "ingested_at": now,
    }


def derived_columns(event: AuditEvent) -> dict[str, str | None]:
    """The copies counted and filtered on beside the body: country, city and country case-folded, products."""
    location = event.attributes.location
    country = location.country_name if location is not None else None
    city = location.city if location is not None else None
    products = sorted(event_products(event))
    return {
        "country": _text(country) if country else None,
        "city_key": _text(city.casefold()) if city else None,
        "country_key": _text(country.casefold()) if country else None,
        "products": f",{','.join(products)}," if products else None,
    }


def _text(value: str) -> str:
    return value.replace("\x00", "")
