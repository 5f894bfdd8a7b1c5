"""Page state: where a result page starts, carried in a Slack button value (at most 2000 characters).

A state names the canonical query, the absolute window it was pinned to on the first page,
the page number, and where this page and a few before it start in the API's stream (an API
cursor and an offset into that API page, and how many events the pages before it listed, so a
live result can say "at least N events" without counting them again). It is signed with an HMAC over a secret and a
scope (the org, or the workspace and org), so a value that was edited, or made for another
org, is refused with a clear error rather than run.

Wire form: ``p1.<signature>|<head as JSON>|<canonical query, verbatim>``. The query goes last
and unescaped, so the worst-case query costs its own length and nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field, replace
from datetime import datetime

from auditbot.core.clock import epoch_ms, from_epoch_ms
from auditbot.core.errors import AuditbotError

MAX_VALUE_CHARS = 2000
"""Slack's limit for a button ``value``."""
VERSION = "p1"
_SIGNATURE_BYTES = 12
_MAX_HISTORY = 8


class PageStateError(AuditbotError):
    """A button value that is not a page state this auditbot made (edited, foreign or from an old version)."""


@dataclass(frozen=True, slots=True)
class Position:
    """Where a result page starts: the API page (``cursor``; ``None`` is the first) and an offset in it."""

    cursor: str | None = None
    offset: int = 0
    listed: int = 0
    """Events the pages before this one listed (a lower bound on the result's size before it)."""


@dataclass(frozen=True, slots=True)
class PageState:
    query: str
    """The canonical query text."""
    start: datetime
    end: datetime
    page: int = 1
    """1-based page number."""
    positions: tuple[Position, ...] = field(default=(Position(),))
    """Start positions of recent pages, oldest first; the last is this page's."""

    @property
    def position(self) -> Position:
        return self.positions[-1]

    @property
    def previous_position(self) -> Position | None:
        """Where the page before starts, when still remembered (page 1 always is)."""
        if self.page <= 1:
            return None
        if len(self.positions) >= 2:
            return self.positions[-2]
        return Position() if self.page == 2 else None

    def next(self, position: Position, shown: int = 0) -> PageState:
        """The page after this one, starting at ``position``; ``shown`` is how many events this page lists."""
        position = replace(position, listed=self.position.listed + shown)
        history = (*self.positions, position)[-_MAX_HISTORY:]
        return PageState(self.query, self.start, self.end, self.page + 1, history)

    def previous(self) -> PageState | None:
        """The state of the page before, or ``None`` on page 1 or when it is no longer remembered."""
        before = self.previous_position
        if before is None:
            return None
        history = self.positions[:-1] if len(self.positions) >= 2 else (before,)
        return PageState(self.query, self.start, self.end, self.page - 1, history)

    def first(self) -> PageState:
        return PageState(self.query, self.start, self.end)


class PageStateCodec:
    """Signs and checks page states for one scope (e.g. ``"T123:org-1"``) with a server secret."""

    def __init__(self, secret: bytes, scope: str) -> None:
        if len(secret) < 16:
            raise ValueError("the page-state secret must be at least 16 bytes")
        self._secret = secret
        self._scope = scope.encode()

    def encode(self, state: PageState) -> str:
        """The button value; older history is dropped until it fits in 2000 characters."""
        positions = state.positions
        while True:
            value = self._encode(state, positions)
            if len(value) <= MAX_VALUE_CHARS:
                return value
            if len(positions) <= 1:
                raise PageStateError("This query is too long to page through; shorten it and search again.")
            positions = positions[1:]

    def decode(self, value: str) -> PageState:
        try:
            value.encode()  # a lone surrogate cannot be what this auditbot signed
            version, rest = value.split(".", 1)
            signature, head_text, query = rest.split("|", 2)
        except ValueError:
            raise _bad("it is not a page reference") from None
        if version != VERSION:
            raise _bad("it was made by another version of auditbot")
        if not hmac.compare_digest(signature.encode(), self._sign(head_text, query).encode()):
            raise _bad("it was changed, or made for another workspace or organization")
        try:
            page, start_ms, end_ms, raw_positions = json.loads(head_text)
            positions = tuple(_position(raw) for raw in raw_positions)
            return PageState(query, from_epoch_ms(int(start_ms)), from_epoch_ms(int(end_ms)), int(page), positions)
        except (ValueError, TypeError, OverflowError):
            raise _bad("its contents are damaged") from None

    def _encode(self, state: PageState, positions: tuple[Position, ...]) -> str:
        head = [state.page, epoch_ms(state.start), epoch_ms(state.end), [_raw(p) for p in positions]]
        head_text = json.dumps(head, separators=(",", ":")).replace("|", "\\u007c")
        return f"{VERSION}.{self._sign(head_text, state.query)}|{head_text}|{state.query}"

    def _sign(self, head_text: str, query: str) -> str:
        message = b"\0".join((self._scope, head_text.encode(), query.encode()))
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _raw(position: Position) -> list[object]:
    """``[offset, cursor]``, with ``listed`` third when there is a count to carry."""
    raw: list[object] = [position.offset, position.cursor]
    return [*raw, position.listed] if position.listed else raw


def _position(raw: object) -> Position:
    """A position read back from ``[offset, cursor]`` or ``[offset, cursor, listed]``."""
    if not isinstance(raw, list) or len(raw) not in (2, 3):
        raise ValueError("a position is [offset, cursor] or [offset, cursor, listed]")
    offset, cursor, *rest = raw
    listed = int(rest[0]) if rest else 0
    if (cursor is not None and not isinstance(cursor, str)) or listed < 0:
        raise ValueError("a position holds a text cursor and a count that is not negative")
    return Position(cursor, int(offset), listed)


def _bad(reason: str) -> PageStateError:
    return PageStateError(f"That button cannot be used: {reason}.", hint="Run the search again to get fresh buttons.")
