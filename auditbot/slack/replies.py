"""Answering a person: ephemeral by default, and every failure as a readable message, never a traceback.

``answering`` is also the one place where an error shown to a person reaches the bot's trail: the
request's ``respond`` is a ``TrailedRespond`` (``slack.middleware.failures`` puts it in the context
of every request), which knows who asked what, where, and records the failure. A refusal that a use
case has already recorded (``refusal_recorded``) is not recorded again.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from auditbot.core.errors import AuditbotError
from auditbot.slack.render import render_error
from auditbot.slack.render.views import Message

logger = logging.getLogger(__name__)

Respond = Callable[..., Any]
OnFailure = Callable[[str, str], None]
"""``(what, told)``: the work that failed (``"/audit"``, ``"paging"``…) and what the person was told."""

UNEXPECTED = AuditbotError(
    "Something went wrong on auditbot's side. It has been logged.",
    hint="Try again; if it keeps happening, tell whoever runs auditbot.",
)


class TrailedRespond:
    """Bolt's ``respond`` for one request, which can also record that the request failed."""

    def __init__(self, respond: Respond, on_failure: OnFailure) -> None:
        self._respond = respond
        self._on_failure = on_failure

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._respond(*args, **kwargs)

    def __deepcopy__(self, memo: dict[int, Any]) -> TrailedRespond:
        """Bolt copies a request for its lazy listeners: the copy answers the same and records in the same trail."""
        return TrailedRespond(copy.deepcopy(self._respond, memo), self._on_failure)

    def failed(self, what: str, told: str) -> None:
        """Record the failure; recording never breaks the answer."""
        try:
            self._on_failure(what, told)
        except Exception:
            logger.exception("could not record a failed %s in the trail", what)


@dataclass
class _Answer:
    refusal_recorded: bool = False


_ANSWER: ContextVar[_Answer | None] = ContextVar("auditbot_answer", default=None)


def refusal_recorded() -> None:
    """Say that the request being answered already has its refusal in the trail (a use case's own
    permission check recorded it), so ``answering`` does not record the error it raises again."""
    answer = _ANSWER.get()
    if answer is not None:
        answer.refusal_recorded = True


def send(respond: Respond, message: Message, *, replace: bool = False) -> None:
    """Send ``message`` through a response_url: only the person sees it; optionally replacing the clicked one."""
    respond(
        text=message.text,
        blocks=message.blocks,
        response_type="ephemeral",
        replace_original=replace,
        delete_original=False,
    )


@contextmanager
def answering(respond: Respond, what: str) -> Iterator[None]:
    """Run a listener's work; turn any error into a message to the person (and a log line), and record
    it in the bot's trail."""
    answer = _Answer()
    token = _ANSWER.set(answer)
    try:
        yield
    except AuditbotError as exc:
        logger.info("%s refused: %s", what, exc.message)
        send(respond, render_error(exc))
        _failed(respond, answer, what, exc.message)
    except Exception as exc:
        logger.exception("%s failed", what)
        send(respond, render_error(UNEXPECTED))
        _failed(respond, answer, what, f"{UNEXPECTED.message} ({type(exc).__name__})")
    finally:
        _ANSWER.reset(token)


def _failed(respond: Respond, answer: _Answer, what: str, told: str) -> None:
    if isinstance(respond, TrailedRespond) and not answer.refusal_recorded:
        respond.failed(what, told)
