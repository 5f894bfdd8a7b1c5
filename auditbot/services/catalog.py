"""The action catalog: every audit action's friendly name and group, from ``/event-actions``.

The list changes rarely and its endpoint shares the 10-per-minute budget, so it is cached
per org and locale in a ``cachetools.TTLCache`` on the injected clock. One fetch runs at a
time per key (concurrent callers wait for it and share its answer). When a refresh fails,
the last good list keeps serving and says it is stale; actions the list does not know (new
ones) get a name made from their id rather than an error.
"""

from __future__ import annotations

import difflib
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from cachetools import TTLCache

from auditbot.core.clock import Clock
from auditbot.core.errors import AuditbotError
from auditbot.core.model import AuditAction

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 3600.0
RETRY_AFTER_FAILURE_SECONDS = 60.0
"""After a failed refresh the stale catalog is served this long before the next attempt."""


class ActionSource(Protocol):
    def list_event_actions(self, *, locale: str | None = None, max_wait: float | None = None) -> list[AuditAction]: ...


class UnknownActionError(AuditbotError):
    """User text that names no action; ``suggestions`` are action ids that are close."""

    def __init__(self, text: str, suggestions: list[str], *, ambiguous: bool = False) -> None:
        if ambiguous:
            message, hint = f'"{text}" matches several actions', "Name one of them by its id or its whole name."
        else:
            message, hint = f'No action is called "{text}"', "Try /audit actions to browse every action."
        super().__init__(message, hint=hint)
        self.text = text
        self.suggestions = suggestions
        self.ambiguous = ambiguous


class UnknownGroupError(AuditbotError):
    """User text that names no action group; ``suggestions`` are group names that are close."""

    def __init__(self, text: str, suggestions: list[str]) -> None:
        super().__init__(f'No action group is called "{text}"', hint="Try /audit actions to see the groups.")
        self.text = text
        self.suggestions = suggestions


@dataclass(frozen=True, slots=True)
class CatalogSnapshot:
    """The catalog as it stands: the actions, when they were fetched, and whether they are stale."""

    actions: tuple[AuditAction, ...]
    fetched_at: datetime | None
    stale: bool = False
    problem: str | None = None
    """Why the catalog is stale or empty (the last fetch's error), in words a person can read."""
    _by_id: dict[str, AuditAction] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((a.id, a) for a in self.actions)

    def get(self, action_id: str) -> AuditAction:
        """The action with this id; an action the catalog does not know gets a humanised name."""
        return self._by_id.get(action_id) or AuditAction(id=action_id, display_name=humanise(action_id), group="")

    def groups(self) -> dict[str, list[AuditAction]]:
        grouped: dict[str, list[AuditAction]] = {}
        for action in sorted(self.actions, key=lambda a: (a.group.casefold(), a.display_name.casefold())):
            grouped.setdefault(action.group or "Other", []).append(action)
        return grouped

    def resolve(self, text: str) -> list[AuditAction]:
        """Actions named by ``text``: an id, a display name, a group name or an unambiguous prefix."""
        key = normalise(text)
        if not key:
            raise UnknownActionError(text, [])
        for candidates in (
            [a for a in self.actions if a.id == text.strip().lower()],
            [a for a in self.actions if normalise(a.display_name) == key or normalise(a.id) == key],
            [a for a in self.actions if normalise(a.group) == key],
        ):
            if candidates:
                return candidates
        prefixed = [
            a for a in self.actions if normalise(a.id).startswith(key) or normalise(a.display_name).startswith(key)
        ]
        if len(prefixed) == 1:
            return prefixed
        if prefixed:
            raise UnknownActionError(text, [a.id for a in prefixed[:5]], ambiguous=True)
        if not self.actions and _looks_like_id(text):
            return [self.get(text.strip().lower())]
        raise UnknownActionError(text, self.suggest(text))

    def resolve_group(self, text: str) -> list[AuditAction]:
        key = normalise(text)
        members = [a for a in self.actions if normalise(a.group) == key]
        if members:
            return members
        groups = sorted({a.group for a in self.actions if a.group})
        named = {normalise(g): g for g in groups}
        close = difflib.get_close_matches(key, list(named), n=3, cutoff=0.5)
        raise UnknownGroupError(text, [named[c] for c in close])  # closest first

    def search(self, text: str) -> list[AuditAction]:
        """The actions ``text`` finds, best first (the actions picker and ``/audit actions <text>``).

        Every word of ``text`` must appear in the action's id, name or group, in any case and order
        (``org admin`` finds *Added organization admin*). Best first: the exact id or name, then a name
        or id that starts with the text, then names whose words start with every word typed, then
        ids, names and groups whose words do, then the rest, each tier by name."""
        words = _words(text)
        if not words:
            return [action for actions in self.groups().values() for action in actions]
        phrase = " ".join(words)
        ranked = [(rank, a) for a in self.actions if (rank := _rank(a, phrase, words)) is not None]
        ranked.sort(key=lambda pair: (pair[0], pair[1].display_name.casefold(), pair[1].id))
        return [action for _, action in ranked]

    def search_groups(self, text: str) -> dict[str, list[AuditAction]]:
        """``search`` grouped by catalog group: groups in the order of their best action (alphabetical
        when ``text`` is empty), each action in its rank."""
        if not _words(text):
            return self.groups()
        grouped: dict[str, list[AuditAction]] = {}
        for action in self.search(text):
            grouped.setdefault(action.group or "Other", []).append(action)
        return grouped

    def suggest(self, text: str, n: int = 3) -> list[str]:
        key = normalise(text)
        names = {normalise(a.id): a.id for a in self.actions}
        names.update({normalise(a.display_name): a.id for a in self.actions if a.display_name})
        found: list[str] = []
        for match in difflib.get_close_matches(key, list(names), n=n * 2, cutoff=0.55):
            if names[match] not in found:
                found.append(names[match])
        return found[:n]


class ActionCatalog:
    """Cached, shared access to the action catalog of one org."""

    def __init__(
        self,
        source: ActionSource,
        *,
        org_id: str,
        clock: Clock,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_wait: float | None = 0.0,
    ) -> None:
        self._source = source
        self._org_id = org_id
        self._clock = clock
        self._cache: TTLCache[tuple[str, str], CatalogSnapshot] = TTLCache(
            maxsize=32, ttl=ttl_seconds, timer=clock.monotonic
        )
        self._failed: TTLCache[tuple[str, str], CatalogSnapshot] = TTLCache(
            maxsize=32, ttl=min(ttl_seconds, RETRY_AFTER_FAILURE_SECONDS), timer=clock.monotonic
        )
        self._last_good: dict[tuple[str, str], CatalogSnapshot] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()
        self._max_wait = max_wait

    def snapshot(self, locale: str | None = None) -> CatalogSnapshot:
        """The catalog for ``locale``: cached, else fetched once for all concurrent callers."""
        key = (self._org_id, locale or "")
        cached = self._cached(key)
        if cached is not None:
            return cached
        with self._lock_for(key):
            return self._cached(key) or self._refresh(key, locale)

    def _cached(self, key: tuple[str, str]) -> CatalogSnapshot | None:
        return self._cache.get(key) or self._failed.get(key)

    def _refresh(self, key: tuple[str, str], locale: str | None) -> CatalogSnapshot:
        try:
            actions = self._source.list_event_actions(locale=locale, max_wait=self._max_wait)
        except AuditbotError as exc:
            logger.warning("action catalog refresh failed", extra={"org": self._org_id, "error": exc.message})
            previous = self._last_good.get(key)
            problem = f"The action list could not be refreshed: {exc.message}"
            if previous is not None:
                stale = CatalogSnapshot(previous.actions, previous.fetched_at, stale=True, problem=problem)
            else:
                stale = CatalogSnapshot((), None, stale=True, problem=problem)
            self._failed[key] = stale
            return stale
        snapshot = CatalogSnapshot(tuple(_named(actions)), self._clock.now())
        self._cache[key] = snapshot
        self._last_good[key] = snapshot
        return snapshot

    def _lock_for(self, key: tuple[str, str]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


def _named(actions: Iterable[AuditAction]) -> Iterable[AuditAction]:
    """Fill blank display names (the API has sent them empty) from the id."""
    for action in actions:
        if action.display_name.strip():
            yield action
        else:
            yield AuditAction(id=action.id, display_name=humanise(action.id), group=action.group)


def humanise(action_id: str) -> str:
    """``user_added_to_group`` → ``User added to group``; the name of an action the catalog lacks."""
    words = re.sub(r"[_\-.]+", " ", action_id).strip()
    return (words[:1].upper() + words[1:]) if words else action_id


def _words(text: str) -> list[str]:
    """Lower-cased words: runs of letters and digits (ids' underscores, dots and dashes split them)."""
    return [w for w in _WORD_SPLIT_RE.split(text.casefold()) if w]


_WORD_SPLIT_RE = re.compile(r"[\W_]+")


def _starts_words(words: list[str], haystack: list[str]) -> bool:
    return all(any(word_there.startswith(word) for word_there in haystack) for word in words)


def _rank(action: AuditAction, phrase: str, words: list[str]) -> int | None:
    """How well ``words`` (typed, as ``phrase``) name ``action``: 0 best; ``None`` when a word is missing."""
    id_words, name_words, group_words = _words(action.id), _words(action.display_name), _words(action.group)
    id_text, name_text = " ".join(id_words), " ".join(name_words)
    if phrase in (id_text, name_text):
        return 0
    if id_text.startswith(phrase) or name_text.startswith(phrase):
        return 1
    if _starts_words(words, name_words):
        return 2
    if _starts_words(words, id_words + name_words + group_words):
        return 3
    everything = " ".join((id_text, name_text, " ".join(group_words)))
    if all(word in everything for word in words):
        return 4
    return None


def normalise(text: str) -> str:
    return re.sub(r"[\s_\-.]+", " ", text).strip().casefold()


def _looks_like_id(text: str) -> bool:
    return re.fullmatch(r"[a-z0-9]+(?:_[a-z0-9]+)*", text.strip().lower()) is not None
