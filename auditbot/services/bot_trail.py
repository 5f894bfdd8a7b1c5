"""auditbot's own trail: every query, share, export, subscription or schedule change, every
refusal and every error shown to a person, kept with who, what, where and how it went, and read
back newest first, a page at a time (``page``; its buttons carry ``trail_pages`` state).

Recording never breaks the request it describes: a store that cannot take the entry is logged, and
the entry is still handed to the mirror (a security channel, say) when there is one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from auditbot.services.trail_pages import TrailPageCodec, TrailPageState

logger = logging.getLogger(__name__)

PAGE_SIZE = 10


@dataclass(frozen=True, slots=True)
class TrailEntry:
    """One entry of the trail, as it is shown."""

    id: int
    at: datetime
    team_id: str
    user_id: str
    kind: str
    outcome: str
    """``"ok"``, ``"denied"`` or ``"error"``."""
    query: str | None
    channel_id: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class NewTrailEntry:
    """What a request asks to have recorded (the store adds the id and the time)."""

    team_id: str
    user_id: str
    kind: str
    outcome: str = "ok"
    query: str | None = None
    channel_id: str | None = None
    detail: str | None = None


class TrailRepo(Protocol):
    """The trail's table (``auditbot.store.audit_trail.AuditTrail``)."""

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
    ) -> None: ...

    def recent(
        self, *, limit: int = ..., text: str | None = None, up_to_id: int | None = None, offset: int = 0
    ) -> Sequence[TrailEntry]: ...


class TrailMirror(Protocol):
    """Somewhere else each entry is also told (a security channel); it must not raise for its own failures."""

    def mirror(self, entry: NewTrailEntry) -> None: ...


@dataclass(frozen=True, slots=True)
class TrailPage:
    """One page of the trail: its entries, newest first, and the button values of its neighbours."""

    entries: list[TrailEntry]
    text: str
    """The filter ("" for none)."""
    number: int
    next: str | None
    previous: str | None


class BotTrailService:
    def __init__(self, repo: TrailRepo, *, pages: TrailPageCodec | None = None) -> None:
        self._repo = repo
        self._pages = pages or TrailPageCodec()

    def record(self, entry: NewTrailEntry, *, mirror: TrailMirror | None = None) -> None:
        """Keep ``entry``, then hand it to ``mirror``; a store failure is logged, not raised."""
        try:
            self._repo.record(
                team_id=entry.team_id,
                user_id=entry.user_id,
                kind=entry.kind,
                outcome=entry.outcome,
                query=entry.query,
                channel_id=entry.channel_id,
                detail=entry.detail,
            )
        except Exception:
            logger.exception("could not record %s in the audit trail", entry.kind)
        if mirror is not None:
            mirror.mirror(entry)

    def recent(self, *, text: str | None = None, limit: int = 30) -> list[TrailEntry]:
        """The newest ``limit`` entries, narrowed to those whose kind, outcome, query or detail holds ``text``."""
        return list(self._repo.recent(limit=limit, text=text or None))

    def first_page(self, text: str = "", *, size: int = PAGE_SIZE) -> TrailPage:
        """The newest ``size`` entries matching ``text``; their page pins the newest for the pages after."""
        found = self._repo.recent(limit=size + 1, text=text or None)
        newest = found[0].id if found else 0
        return self._page(TrailPageState(text, newest), found, size)

    def open_page(self, value: str, *, size: int = PAGE_SIZE) -> TrailPage:
        """The page a Next or Previous button's ``value`` names. Raises ``PageStateError``."""
        state = self._pages.decode(value)
        found = self._repo.recent(
            limit=size + 1, text=state.text or None, up_to_id=state.newest_id, offset=(state.page - 1) * size
        )
        return self._page(state, found, size)

    def _page(self, state: TrailPageState, found: Sequence[TrailEntry], size: int) -> TrailPage:
        more = len(found) > size
        after = TrailPageState(state.text, state.newest_id, state.page + 1)
        before = TrailPageState(state.text, state.newest_id, state.page - 1)
        return TrailPage(
            entries=list(found[:size]),
            text=state.text,
            number=state.page,
            next=self._pages.encode(after) if more else None,
            previous=self._pages.encode(before) if state.page > 1 else None,
        )
