"""Answering a person: ephemeral by default, and every failure as a readable message, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from auditbot.core.errors import AuditbotError
from auditbot.slack.render import render_error
from auditbot.slack.render.views import Message

logger = logging.getLogger(__name__)

Respond = Callable[..., Any]

UNEXPECTED = AuditbotError(
    "Something went wrong on auditbot's side. It has been logged.",
    hint="Try again; if it keeps happening, tell whoever runs auditbot.",
)


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
    """Run a listener's work; turn any error into a message to the person (and a log line)."""
    try:
        yield
    except AuditbotError as exc:
        logger.info("%s refused: %s", what, exc.message)
        send(respond, render_error(exc))
    except Exception:
        logger.exception("%s failed", what)
        send(respond, render_error(UNEXPECTED))
