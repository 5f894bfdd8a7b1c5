"""How a channel is named to people: ``#name`` from ``conversations.info``, cached; the id when Slack does not say."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.slack.directory import lookup_client
from auditbot.slack.errors import slack_error_code

logger = logging.getLogger(__name__)

TTL_SECONDS = 3600.0
CACHE_SIZE = 4096
DM = "a DM"
GROUP_DM = "a group DM"


class ChannelNames:
    """Channel labels (``#sec-alerts``, ``a DM``) cached for ``ttl`` seconds on ``timer``; a lookup that
    fails gives the id and is tried again next time."""

    def __init__(self, *, timer: Callable[[], float], ttl: float = TTL_SECONDS) -> None:
        self._cache: TTLCache[str, str] = TTLCache(maxsize=CACHE_SIZE, ttl=ttl, timer=timer)
        self._lock = threading.Lock()

    def labels(self, client: WebClient | None, channel_ids: Iterable[str | None]) -> dict[str, str]:
        """A label for each distinct id among ``channel_ids`` (None skipped)."""
        return {cid: self.label(client, cid) for cid in dict.fromkeys(c for c in channel_ids if c)}

    def label(self, client: WebClient | None, channel_id: str) -> str:
        with self._lock:
            cached = self._cache.get(channel_id)
        if cached is not None:
            return cached
        if client is None:
            return channel_id
        try:
            channel = lookup_client(client).conversations_info(channel=channel_id).get("channel")
        except (SlackApiError, OSError, ValueError) as exc:
            problem = slack_error_code(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
            logger.info("no name for channel %s: %s", channel_id, problem)
            return channel_id
        label = _label(channel) if isinstance(channel, dict) else None
        if label is None:
            return channel_id
        with self._lock:
            self._cache[channel_id] = label
        return label


def _label(channel: dict[str, object]) -> str | None:
    if channel.get("is_im"):
        return DM
    if channel.get("is_mpim"):
        return GROUP_DM
    name = channel.get("name")
    return f"#{name}" if isinstance(name, str) and name else None
