"""Response URLs: issued per command, shortcut or click; good for 5 posts within 30 minutes.

A post is ephemeral to the invoking person unless ``response_type`` is ``in_channel``, and needs
no channel membership. ``replace_original`` / ``delete_original`` act on the message that held
the clicked component (``replaced_message_ts``) when the app posted it; a URL without one (a
slash command's) posts a new message instead of replacing and ignores ``delete_original``, as
Slack does. Answers are
JSON: ``200 {"ok": true}``, ``404`` for ``expired_url`` / ``used_url`` / an unknown URL, and
``400`` for a payload Slack would refuse (``no_text``, ``invalid_blocks``).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

from auditbot.core.clock import Clock
from auditbot.playground.conversations import Conversations
from auditbot.playground.ids import Ids
from auditbot.playground.model import JsonDict, SlackError

RESPONSE_URL_USES = 5
RESPONSE_URL_TTL_S = 30 * 60.0


@dataclasses.dataclass
class _Issued:
    channel: str
    user: str
    original_ts: str
    issued: float
    uses: int = 0


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


class ResponseUrls:
    def __init__(
        self,
        conversations: Conversations,
        bot_user_id: str,
        ids: Ids,
        lock: threading.RLock,
        clock: Clock,
        root_url: Callable[[], str],
    ) -> None:
        self._conversations = conversations
        self._bot = bot_user_id
        self._ids = ids
        self._lock = lock
        self._clock = clock
        self._root_url = root_url
        self._issued: dict[str, _Issued] = {}

    def issue(self, channel: str, user: str, *, replaced_message_ts: str | None = None) -> str:
        channel_id = self._conversations.channel_id(channel)
        token = f"{self._ids.new('R')}{self._ids.token(24)}"
        with self._lock:
            self._issued[token] = _Issued(channel_id, user, replaced_message_ts or "", self._clock.monotonic())
        return f"{self._root_url()}/hooks/response/{token}"

    def uses_left(self, token: str) -> int:
        with self._lock:
            issued = self._issued.get(token)
            return RESPONSE_URL_USES - issued.uses if issued else 0

    def post(self, token: str, payload: Any) -> tuple[int, JsonDict]:
        """Apply one post; returns the HTTP status and JSON body Slack would answer with."""
        with self._lock:
            issued = self._issued.get(token)
            if issued is None:
                return 404, {"ok": False, "error": "invalid_token"}
            if self._clock.monotonic() - issued.issued > RESPONSE_URL_TTL_S:
                return 404, {"ok": False, "error": "expired_url"}
            if issued.uses >= RESPONSE_URL_USES:
                return 404, {"ok": False, "error": "used_url"}
            if not isinstance(payload, dict):
                return 400, {"ok": False, "error": "invalid_payload"}
            try:
                self._apply(issued, payload)
            except SlackError as error:
                return 400, error.as_response()
            issued.uses += 1
            return 200, {"ok": True}

    def _apply(self, issued: _Issued, payload: JsonDict) -> None:
        original = self._original(issued)
        if _flag(payload.get("delete_original")):
            if original:
                self._conversations.delete(issued.channel, original, by=self._bot, via_response_url=True)
            return
        text, blocks = payload.get("text") or "", payload.get("blocks") or []
        if original and _flag(payload.get("replace_original")):
            self._conversations.update(
                issued.channel,
                original,
                by=self._bot,
                text=text,
                blocks=blocks,
                metadata=payload.get("metadata"),
                via_response_url=True,
            )
            return
        thread_ts = str(payload.get("thread_ts") or "")
        if payload.get("response_type") == "in_channel":
            self._conversations.post(
                issued.channel,
                author=self._bot,
                text=text,
                blocks=blocks,
                metadata=payload.get("metadata"),
                thread_ts=thread_ts,
                check_membership=False,
            )
        else:
            self._conversations.add_ephemeral(
                issued.channel, issued.user, author=self._bot, text=text, blocks=blocks, thread_ts=thread_ts
            )

    def _original(self, issued: _Issued) -> str:
        """The clicked message's ts while it exists and is the app's own; empty otherwise."""
        if not issued.original_ts:
            return ""
        try:
            message = self._conversations.get(issued.channel, issued.original_ts)
        except SlackError:
            return ""
        return message.ts if message.user == self._bot else ""
