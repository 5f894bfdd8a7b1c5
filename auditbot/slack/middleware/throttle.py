"""A per-person search limit, as Bolt global middleware: ``user_rate_limit(clock, per_minute)``.

Each person may start ``per_minute`` searches in any 60 seconds (a sliding window on the injected
clock). What counts: ``/audit`` except ``help``, the paging, share, export and quick-query buttons,
both shortcuts and form submissions. Options loads, App Home and other buttons do not count.

Over the limit no listener runs and the person is told, politely and only to them, when to try
again: a command in its ack (ephemeral text), a view submission as ``response_action: errors``
beside its first field, any other interaction through its response_url, or, where there is none
(the global shortcut, App Home buttons), in their messages with auditbot.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Collection, Mapping
from typing import Any

from cachetools import TTLCache
from slack_bolt import BoltContext, BoltResponse

from auditbot.core.clock import Clock
from auditbot.slack import ids

WINDOW_SECONDS = 60.0
COUNTED_ACTIONS = frozenset({ids.PAGE_NEXT, ids.PAGE_PREV, ids.PAGE_FIRST, ids.SHARE_PAGE, ids.EXPORT_CSV})
"""Buttons that run a search (App Home quick queries, narrowing buttons and the corrected queries under a query
error count too, matched by their pattern)."""
FREE_SUBCOMMANDS = frozenset({"help", "bot-log", "subscriptions"})
"""Subcommands that read only auditbot's own store or text, never the audit log: not searches."""
COUNTED_KINDS = frozenset({"shortcut", "message_action", "view_submission"})

Middleware = Callable[..., BoltResponse | None]


class SearchLimiter:
    """At most ``per_minute`` searches per person in any sliding window of 60 s; thread-safe."""

    def __init__(self, clock: Clock, per_minute: int, *, max_people: int = 50_000) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._clock = clock
        self._starts: TTLCache[str, deque[float]] = TTLCache(
            maxsize=max_people, ttl=WINDOW_SECONDS, timer=clock.monotonic
        )
        self._lock = threading.Lock()

    def take(self, user_id: str) -> float:
        """Count one search for ``user_id``: 0.0 if allowed, else the seconds until one is allowed again."""
        with self._lock:
            now = self._clock.monotonic()
            starts = self._starts.get(user_id) or deque()
            while starts and starts[0] <= now - WINDOW_SECONDS:
                starts.popleft()
            wait = 0.0
            if len(starts) >= self.per_minute:
                wait = starts[0] + WINDOW_SECONDS - now
            else:
                starts.append(now)
            self._starts[user_id] = starts  # re-set: the entry lives while the person is active
            return wait


def counts_as_search(body: Mapping[str, Any], *, free_subcommands: Collection[str] = FREE_SUBCOMMANDS) -> bool:
    """Whether this request starts a search that the per-person limit counts."""
    if "command" in body:
        words = str(body.get("text") or "").split()
        return not words or words[0].lower() not in free_subcommands
    kind = body.get("type")
    if kind in COUNTED_KINDS:
        return True
    if kind == "block_actions":
        return any(_counted_action(str(action.get("action_id", ""))) for action in body.get("actions") or [])
    return False


def slow_down_text(per_minute: int, wait: float) -> str:
    return (
        f"You're searching faster than auditbot allows ({per_minute} a minute). Ready in {max(1, math.ceil(wait))} s."
    )


def user_rate_limit(
    clock: Clock,
    per_minute: int,
    *,
    free_subcommands: Collection[str] = FREE_SUBCOMMANDS,
    on_refused: Callable[[BoltContext, str], None] | None = None,
) -> Middleware:
    """Bolt global middleware: over ``per_minute`` searches a minute, no listener runs and the person is told;
    ``on_refused`` hears of each refusal (the bot's trail records it)."""
    limiter = SearchLimiter(clock, per_minute)

    def rate_limit(
        body: dict[str, Any], context: BoltContext, next_: Callable[[], None], logger: logging.Logger
    ) -> BoltResponse | None:
        user_id = _user_id(body)
        if not user_id or not counts_as_search(body, free_subcommands=free_subcommands):
            next_()
            return None
        wait = limiter.take(user_id)
        if wait <= 0:
            next_()
            return None
        logger.info("search by %s refused: over %d a minute", user_id, per_minute)
        if on_refused is not None:
            on_refused(context, f"search limit: over {per_minute} searches a minute")
        return _refusal(body, context, slow_down_text(per_minute, wait), logger)

    return rate_limit


def _refusal(body: Mapping[str, Any], context: BoltContext, text: str, logger: logging.Logger) -> BoltResponse:
    if "command" in body:
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    if body.get("type") == "view_submission":
        block_id = _first_block(body.get("view") or {})
        if block_id:
            return BoltResponse(status=200, body={"response_action": "errors", "errors": {block_id: text}})
    try:
        respond = context.respond if context.response_url else None
        if respond is not None:
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif context.client is not None:
            context.client.chat_postMessage(channel=_user_id(body), text=text)
    except Exception as exc:  # telling the person is best effort; the request is refused either way
        logger.warning("could not tell a person about the search limit: %s", type(exc).__name__)
    return BoltResponse(status=200, body="")


def _counted_action(action_id: str) -> bool:
    patterns = (ids.HOME_QUICK_QUERY_PATTERN, ids.SEARCH_NARROW_PATTERN, ids.SEARCH_SUGGESTION_PATTERN)
    return action_id in COUNTED_ACTIONS or any(p.match(action_id) for p in patterns)


def _user_id(body: Mapping[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, Mapping):
        return str(user.get("id") or "")
    return str(body.get("user_id") or "")


def _first_block(view: Mapping[str, Any]) -> str | None:
    """The block id to hang a form error on: the first input with a value, else the first input block."""
    values = (view.get("state") or {}).get("values") or {}
    for block_id in values:
        return str(block_id)
    for block in view.get("blocks") or []:
        if isinstance(block, Mapping) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None
