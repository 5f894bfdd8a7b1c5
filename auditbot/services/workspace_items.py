"""What alert subscriptions and digest schedules share: they belong to a workspace, have short typeable
ids with a prefix (``sub-k3x9q2``, ``dg-k3x9q2``), are found by id with or without that prefix, and
are listed narrowed by a piece of text.

The errors say what was asked (the prefix, the id as typed); each surface puts them into words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from auditbot.core.errors import AuditbotError


class WorkspaceItem(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def team_id(self) -> str: ...


Item = TypeVar("Item", bound=WorkspaceItem)

ChannelCheck = Callable[[str], object]
"""A surface's check that it may and can post in a channel (by id), before something is made to post
there; it raises to stop."""


def no_channel_check(channel_id: str) -> None:
    """Every channel will do (for surfaces that check nothing)."""


class MissingId(AuditbotError):
    """No id was given for an item that needs one."""

    def __init__(self, prefix: str) -> None:
        super().__init__(f"Which one? Give its id ({prefix}…).")
        self.prefix = prefix


class UnknownId(AuditbotError):
    """The workspace has no item with this id (``raw_id`` as it was typed)."""

    def __init__(self, prefix: str, raw_id: str) -> None:
        super().__init__(f"There is nothing with the id {raw_id.strip()[:40]} in this workspace.")
        self.prefix = prefix
        self.raw_id = raw_id


def find(get: Callable[[str], Item | None], prefix: str, team_id: str, raw_id: str) -> Item:
    """The workspace's item with this id, read through ``get``; the prefix may be left off and case
    does not matter. ``MissingId`` for an empty id, ``UnknownId`` for one not of this workspace."""
    wanted = raw_id.strip().lower()
    if not wanted:
        raise MissingId(prefix)
    if not wanted.startswith(prefix):
        wanted = prefix + wanted
    found = get(wanted)
    if found is None or found.team_id != team_id:
        raise UnknownId(prefix, raw_id)
    return found


def narrowed(items: Sequence[Item], text: str, haystack: Callable[[Item], Iterable[str | None]]) -> list[Item]:
    """The items whose ``haystack`` fields mention ``text`` (case-folded); all of them for blank text."""
    wanted = text.strip().casefold()
    if not wanted:
        return list(items)
    return [item for item in items if wanted in " ".join(f or "" for f in haystack(item)).casefold()]
