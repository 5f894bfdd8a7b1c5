"""``AuditTrail``: auditbot's own audit trail - every query, share, export, subscription or schedule
change and every denial, with who, the canonical query, where, when and how it went.

``record`` writes one entry in its own transaction (an entry must survive whatever the request it
describes does next). ``recent`` reads them newest first, optionally narrowed to a user, a kind, a
time, or text found (case-insensitively) in the kind, the outcome, the query or the detail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import ColumnElement, Row, func, insert, or_, select

from auditbot.core.clock import Clock
from auditbot.services.bot_trail import TrailEntry
from auditbot.store.db import Database
from auditbot.store.schema import AUDIT_OUTCOMES, bot_audit

KINDS: Final = frozenset(
    {"query", "detail", "share", "export", "subscribe", "unsubscribe", "pause", "resume", "schedule", "denied", "error"}
)
"""The kinds auditbot records today; others are accepted, so new features need no store change."""
OUTCOMES: Final = frozenset(AUDIT_OUTCOMES)
MAX_RECENT = 1000


class AuditTrail:
    """Implements ``auditbot.services.bot_trail.TrailRepo``."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def record(
        self,
        *,
        team_id: str,
        user_id: str,
        kind: str,
        outcome: str,
        query: str | None = None,
        channel_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}, not {outcome!r}")
        if not kind:
            raise ValueError("an audit entry needs a kind")
        values = {
            "at": self._clock.now(),
            "team_id": team_id,
            "user_id": user_id,
            "kind": kind,
            "outcome": outcome,
            "query": query,
            "channel_id": channel_id,
            "detail": detail,
        }
        with self._db.begin() as conn:
            conn.execute(insert(bot_audit).values({k: _text(v) for k, v in values.items()}))

    def recent(
        self,
        *,
        limit: int = 50,
        user_id: str | None = None,
        kind: str | None = None,
        text: str | None = None,
        since: datetime | None = None,
        up_to_id: int | None = None,
        offset: int = 0,
    ) -> list[TrailEntry]:
        """Entries newest first; ``text`` matches the kind, the outcome, the query or the detail, ignoring case.
        ``up_to_id`` leaves out entries recorded after that one, so pages read with an ``offset`` hold
        still while new entries arrive."""
        if not 1 <= limit <= MAX_RECENT:
            raise ValueError(f"limit must be between 1 and {MAX_RECENT}")
        if offset < 0:
            raise ValueError("offset must not be negative")
        conditions: list[ColumnElement[bool]] = []
        if user_id is not None:
            conditions.append(bot_audit.c.user_id == user_id)
        if kind is not None:
            conditions.append(bot_audit.c.kind == kind)
        if since is not None:
            conditions.append(bot_audit.c.at >= since)
        if up_to_id is not None:
            conditions.append(bot_audit.c.id <= up_to_id)
        if text:
            needle = text.lower()
            conditions.append(
                or_(
                    *(
                        func.lower(column).contains(needle, autoescape=True)
                        for column in (bot_audit.c.kind, bot_audit.c.outcome, bot_audit.c.query, bot_audit.c.detail)
                    )
                )
            )
        query = select(bot_audit).where(*conditions).order_by(bot_audit.c.at.desc(), bot_audit.c.id.desc())
        with self._db.read() as conn:
            rows = conn.execute(query.limit(limit).offset(offset)).all()
        return [_entry(row) for row in rows]


def _entry(row: Row[tuple[object, ...]]) -> TrailEntry:
    return TrailEntry(
        id=row.id,
        at=row.at,
        team_id=row.team_id,
        user_id=row.user_id,
        kind=row.kind,
        outcome=row.outcome,
        query=row.query,
        channel_id=row.channel_id,
        detail=row.detail,
    )


def _text(value: object) -> object:
    """Text as the database can keep it: no NUL, and what UTF-8 cannot encode (a lone surrogate) escaped
    (``\\ud800``), so an entry is written whatever a request carried."""
    if not isinstance(value, str):
        return value
    return value.replace("\x00", "").encode("utf-8", "backslashreplace").decode("utf-8")
