"""What the subscription and schedule commands share: they need a store, and they name things by id."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from auditbot.core.errors import AuditbotError
from auditbot.core.timespec import shorten
from auditbot.services.workspace_items import MissingId, UnknownId

T = TypeVar("T")

STORE_HINT = "Whoever runs auditbot can set AUDITBOT_DATABASE_URL (or AUDITBOT_DATA_DIR) and restart it."


def needs_store(service: T | None, message: str) -> T:
    """``service``, or the refusal ``message`` when it is None (auditbot runs without a store)."""
    if service is None:
        raise AuditbotError(message, hint=STORE_HINT)
    return service


@contextmanager
def ids_worded(noun: str, list_hint: str) -> Iterator[None]:
    """Words for a lookup by id that found nothing: "Which subscription?", "There is no subscription …"."""
    try:
        yield
    except MissingId as exc:
        raise AuditbotError(
            f"Which {noun}?", hint=f"Give its id, for example {exc.prefix}k3x9q2. {list_hint}"
        ) from None
    except UnknownId as exc:
        raise AuditbotError(
            f"There is no {noun} {shorten(exc.raw_id.strip())} in this workspace.", hint=list_hint
        ) from None
