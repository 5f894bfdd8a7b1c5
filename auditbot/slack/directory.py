"""Slack lookups the access guard needs before a listener runs: a channel's kind, a person's user groups.

They happen before the request is acknowledged, so each is cached (a TTL cache on an injected timer),
bounded (a short timeout, no retries) and fails closed: ``LookupFailed`` makes the guard deny.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.access import PlaceKind
from auditbot.slack.errors import slack_error_code

TTL_SECONDS = 300.0
LOOKUP_TIMEOUT_SECONDS = 2
CACHE_SIZE = 4096


LASTING_ERRORS = frozenset({"channel_not_found", "not_in_channel", "missing_scope", "no_such_subteam"})


class LookupFailed(Exception):
    """A lookup did not answer (timeout, rate limit, Slack error): the caller must deny. ``lasting`` when
    trying again will not help (auditbot cannot see the channel, or lacks a scope)."""

    def __init__(self, message: str, *, lasting: bool = False) -> None:
        super().__init__(message)
        self.lasting = lasting


class ChannelKinds(Protocol):
    def kind_of(self, channel_id: str) -> PlaceKind:
        """The kind of conversation ``channel_id`` is; raises ``LookupFailed``."""
        ...


class UserGroups(Protocol):
    def groups_of(self, user_id: str) -> frozenset[str]:
        """The user group ids ``user_id`` belongs to (only those that matter); raises ``LookupFailed``."""
        ...


class NoGroups:
    """The default: user groups are not consulted."""

    def groups_of(self, user_id: str) -> frozenset[str]:
        return frozenset()


def kind_from_info(channel: dict[str, Any]) -> PlaceKind:
    """A ``conversations.info`` channel object's kind. Shared means shared with another organization:
    ``is_ext_shared`` (or pending), or ``is_shared`` without ``is_org_shared`` (Enterprise Grid
    workspaces of one org); unknown flags count as shared, the stricter reading."""
    if channel.get("is_im") or channel.get("is_mpim"):
        return PlaceKind.DM
    if channel.get("is_ext_shared") or channel.get("is_pending_ext_shared"):
        return PlaceKind.SHARED
    if channel.get("is_shared") and not channel.get("is_org_shared"):
        return PlaceKind.SHARED
    if channel.get("is_private") or channel.get("is_group"):
        return PlaceKind.PRIVATE
    return PlaceKind.PUBLIC


def lookup_client(client: WebClient, *, timeout: int = LOOKUP_TIMEOUT_SECONDS) -> WebClient:
    """A client like ``client`` (token, API host) that gives up fast: short timeout, no retries."""
    quick = WebClient(token=client.token, base_url=client.base_url, timeout=timeout)
    quick.retry_handlers = []
    return quick


class SlackDirectory:
    """Channel kinds from ``conversations.info``, cached for ``ttl`` seconds on ``timer``.

    Direct-message ids (``D…``) are DMs without asking: the bot cannot read a DM between other people.
    """

    def __init__(
        self,
        client: WebClient,
        *,
        timer: Callable[[], float],
        ttl: float = TTL_SECONDS,
        timeout: int = LOOKUP_TIMEOUT_SECONDS,
    ) -> None:
        self._client = lookup_client(client, timeout=timeout)
        self._cache: TTLCache[str, PlaceKind] = TTLCache(maxsize=CACHE_SIZE, ttl=ttl, timer=timer)
        self._lock = threading.Lock()

    def kind_of(self, channel_id: str) -> PlaceKind:
        if channel_id.startswith("D"):
            return PlaceKind.DM
        with self._lock:
            cached = self._cache.get(channel_id)
        if cached is not None:
            return cached
        try:
            answer = self._client.conversations_info(channel=channel_id)
        except (SlackApiError, OSError, ValueError) as exc:
            problem = _problem(exc)
            raise LookupFailed(
                f"conversations.info {channel_id}: {problem}", lasting=problem in LASTING_ERRORS
            ) from None
        channel = answer.get("channel")
        if not isinstance(channel, dict):
            raise LookupFailed(f"conversations.info {channel_id}: no channel in the answer")
        kind = kind_from_info(channel)
        with self._lock:
            self._cache[channel_id] = kind
        return kind


class SlackUserGroups:
    """Membership of the user groups the policy names (``usergroups.users.list``), each cached for ``ttl``."""

    def __init__(
        self,
        client: WebClient,
        group_ids: Iterable[str],
        *,
        timer: Callable[[], float],
        ttl: float = TTL_SECONDS,
        timeout: int = LOOKUP_TIMEOUT_SECONDS,
    ) -> None:
        self._client = lookup_client(client, timeout=timeout)
        self._groups = tuple(sorted(set(group_ids)))
        self._cache: TTLCache[str, frozenset[str]] = TTLCache(maxsize=CACHE_SIZE, ttl=ttl, timer=timer)
        self._lock = threading.Lock()

    def groups_of(self, user_id: str) -> frozenset[str]:
        return frozenset(group for group in self._groups if user_id in self._members(group))

    def _members(self, group_id: str) -> frozenset[str]:
        with self._lock:
            cached = self._cache.get(group_id)
        if cached is not None:
            return cached
        try:
            answer = self._client.usergroups_users_list(usergroup=group_id)
        except (SlackApiError, OSError, ValueError) as exc:
            problem = _problem(exc)
            raise LookupFailed(
                f"usergroups.users.list {group_id}: {problem}", lasting=problem in LASTING_ERRORS
            ) from None
        members = frozenset(str(user) for user in answer.get("users") or ())
        with self._lock:
            self._cache[group_id] = members
        return members


def _problem(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return slack_error_code(exc)
    return type(exc).__name__
