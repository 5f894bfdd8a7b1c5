"""Each person's time zone, from ``users.info``, cached: queries are read in the asker's zone."""

from __future__ import annotations

import logging
import threading
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.clock import Clock

logger = logging.getLogger(__name__)
UTC_ZONE = ZoneInfo("UTC")


class UserZones:
    def __init__(self, clock: Clock, *, ttl_seconds: float = 3600.0) -> None:
        self._zones: TTLCache[str, ZoneInfo] = TTLCache(maxsize=5000, ttl=ttl_seconds, timer=clock.monotonic)
        self._lock = threading.Lock()

    def zone(self, client: WebClient, user_id: str) -> ZoneInfo:
        """The user's zone; UTC when Slack does not say or cannot be asked."""
        with self._lock:
            cached = self._zones.get(user_id)
        if cached is not None:
            return cached
        zone = UTC_ZONE
        try:
            user = client.users_info(user=user_id).get("user")
            name = user.get("tz") if isinstance(user, dict) else None
            if isinstance(name, str) and name:
                zone = ZoneInfo(name)
        except (SlackApiError, ZoneInfoNotFoundError, ValueError) as exc:
            logger.info("user time zone unavailable, using UTC", extra={"user": user_id, "error": str(exc)})
        with self._lock:
            self._zones[user_id] = zone
        return zone
