"""Refusals and errors in the bot's trail, with who asked what, where.

``failure_trail`` (Bolt global middleware, which ``slack.app.build_app`` puts in front of every
listener) gives each request a ``replies.TrailedRespond``, so the error ``replies.answering`` shows a
person is also recorded (kind and outcome ``error``). ``refusal_recorder`` records a refusal made
before any listener runs (the search limit's) as kind and outcome ``denied``, as access refusals are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from slack_bolt import BoltContext
from slack_sdk import WebClient

from auditbot.slack.middleware.guard import Asking, read_request
from auditbot.slack.payloads import CONTEXT_KEY
from auditbot.slack.replies import TrailedRespond
from auditbot.slack.trail import BotTrail

logger = logging.getLogger(__name__)

OnRefusal = Callable[[BoltContext, str], None]
"""``(context, why)``: a request refused before its listener ran, and why (for the trail)."""


def failure_trail(trail: BotTrail) -> Callable[..., None]:
    """Bolt global middleware: the request's ``respond`` records, in ``trail``, the errors it carries."""

    def failures(context: BoltContext, next_: Callable[[], None]) -> None:
        asking = _asking(context)
        respond = context.respond
        if asking is not None and respond is not None:
            context["respond"] = TrailedRespond(respond, partial(_record_error, trail, context.client, asking))
        next_()

    return failures


def refusal_recorder(trail: BotTrail) -> OnRefusal:
    """Records a refused request as a ``denied`` entry, with ``why`` as its detail."""

    def refused(context: BoltContext, why: str) -> None:
        asking = _asking(context)
        if asking is None:
            return
        try:
            _record(trail, context.client, asking, kind="denied", detail=why)
        except Exception:
            logger.exception("could not record a refusal in the trail")

    return refused


def _asking(context: BoltContext) -> Asking | None:
    payload = context.get(CONTEXT_KEY)
    return read_request(payload) if payload is not None else None


def _record_error(trail: BotTrail, client: WebClient | None, asking: Asking, what: str, told: str) -> None:
    _record(trail, client, asking, kind="error", detail=f"{what}: {told}")


def _record(trail: BotTrail, client: WebClient | None, asking: Asking, *, kind: str, detail: str) -> None:
    who = asking.payload.who
    trail.record(
        client,
        team_id=who.team_id,
        user_id=who.user_id,
        kind=kind,
        outcome=kind,
        query=asking.query_text,
        channel_id=who.channel_id,
        detail=detail,
    )
