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
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Connection, String, delete, func, literal, select, tuple_
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
        # Look up what is stored, then insert the rest with a plain executemany: a multi-row
        # INSERT … RETURNING of 500 JSON bodies is far slower to send through psycopg. The lease
        # makes this worker the only writer; ON CONFLICT stays as the last line of defence.
        stored = set(
            conn.execute(select(events.c.id).where(events.c.org_id == org_id, events.c.id.in_(list(rows)))).scalars()
        )
        new = [row for event_id, row in rows.items() if event_id not in stored]
        if new:
            conn.execute(insert_or_ignore(conn, events, [events.c.org_id, events.c.id]), new)
        return len(new)

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
        where: Sequence[ColumnElement[bool]] = (),
        conn: Connection | None = None,
    ) -> list[AuditEvent]:
        """Events with ``start <= time < end`` (and ``where``), newest first by (time, id), at most ``limit``.

        For the next page pass ``before=(last.time, last.id)`` of the previous page's last event.
        ``conn``: read in the caller's transaction.
        """
        if not 1 <= limit <= MAX_WINDOW_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_WINDOW_LIMIT}")
        conditions = [events.c.org_id == org_id, events.c.time >= start, events.c.time < end, *where]
        if before is not None:
            when, event_id = before
            conditions.append(
                tuple_(events.c.time, events.c.id) < tuple_(literal(when, UtcDateTime()), literal(event_id, String()))
            )
        newest_first = (events.c.time.desc(), events.c.id.desc())
        if where:  # filter on the index's columns first, then read only the bodies of the rows kept
            chosen = select(events.c.org_id, events.c.id).where(*conditions).order_by(*newest_first).limit(limit)
            conditions = [tuple_(events.c.org_id, events.c.id).in_(chosen)]
        query = select(events.c.body).where(*conditions).order_by(*newest_first).limit(limit)
        if conn is not None:
            bodies = conn.execute(query).scalars().all()
        else:
            with self._db.read() as reading:
                bodies = reading.execute(query).scalars().all()
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


_EVENT_LIST = TypeAdapter(list[AuditEvent])


def _events(bodies: Sequence[str]) -> list[AuditEvent]:
    """The events of stored bodies, validated in one call (a JSON array of them) rather than one by one."""
    if not bodies:
        return []
    return _EVENT_LIST.validate_json("[" + ",".join(bodies) + "]")


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
