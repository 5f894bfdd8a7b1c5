"""What delivery works with: the alert items and messages, Slack and the store as protocols, and the
problems Slack's answers become (``DeliveryProblem`` and its kinds). The outbox and the snoozes are
``auditbot.services.alert_ports``'s, shared with matching and alert state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from auditbot.core.errors import AuditbotError
from auditbot.core.model import AuditEvent

# -- what delivery works with -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertItem:
    """One event to announce in a channel, and the channel's subscriptions it matched."""

    event: AuditEvent
    action_name: str
    subscription_ids: tuple[str, ...]


class OutgoingMessage(Protocol):
    """What a renderer hands delivery: Slack's fallback ``text`` and the ``blocks``."""

    @property
    def text(self) -> str: ...

    @property
    def blocks(self) -> list[dict[str, Any]]: ...


class AlertRenderer(Protocol):
    def alert(self, item: AlertItem) -> OutgoingMessage: ...

    def burst_summary(self, items: Sequence[AlertItem], *, total: int, batch: str) -> OutgoingMessage: ...

    def burst_part(self, items: Sequence[AlertItem]) -> OutgoingMessage: ...

    def snooze_ended(self, action_name: str, actor_label: str, subscription_id: str) -> OutgoingMessage: ...

    def delivery_paused(
        self, subscription_id: str, channel_id: str, query: str, error: str, *, join_error: str | None = None
    ) -> OutgoingMessage: ...


@dataclass(frozen=True, slots=True)
class PostedMessage:
    """One of our messages found in a channel: its ts and what its metadata says it carries."""

    ts: str
    batch: str
    event_ids: tuple[str, ...]
    summary: bool = False
    thread_ts: str | None = None


class SlackDelivery(Protocol):
    """The Slack side: post, edit, read back our own messages, tell a person."""

    def post(
        self, channel_id: str, message: OutgoingMessage, *, metadata: dict[str, Any], thread_ts: str | None = None
    ) -> str:
        """The new message's ts; raises a ``DeliveryProblem``."""
        ...

    def update(self, channel_id: str, ts: str, message: OutgoingMessage) -> None: ...

    def history(self, channel_id: str, oldest: datetime) -> list[PostedMessage]:
        """Our alert messages in the channel since ``oldest`` (top level only)."""
        ...

    def replies(self, channel_id: str, thread_ts: str) -> list[PostedMessage]:
        """Our alert messages in one thread (the replies, not the parent)."""
        ...

    def join(self, channel_id: str) -> None:
        """Become a member of a public channel, to read it; raises ``JoinRefused`` when Slack says no."""
        ...

    def tell(self, user_id: str, message: OutgoingMessage) -> None:
        """A direct message to a person."""
        ...


class DeliveryProblem(AuditbotError):
    """A post did not (certainly) go through."""


class RateLimited(DeliveryProblem):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"Slack asked to wait {retry_after:.0f} s")
        self.retry_after = retry_after


class InDoubt(DeliveryProblem):
    """Slack may or may not have the post (a server error, a timeout, a lost answer)."""


class ChannelRefused(DeliveryProblem):
    """Slack will not take posts for this channel, or show it back, until a person acts (the bot was
    removed, the channel archived or deleted, the token revoked).

    ``join_error`` is set when the bot was not in the channel and Slack refused to let it join to read
    its own posts back; ``where`` names the channel as people know it (``#it-ops``), when known.
    """

    def __init__(self, error: str, *, join_error: str | None = None, where: str | None = None) -> None:
        super().__init__(f"Slack refused: {error}" + (f" (joining refused: {join_error})" if join_error else ""))
        self.error = error
        self.join_error = join_error
        self.where = where

    @property
    def reason(self) -> str:
        """The paused subscriptions' last error: Slack's code, and the fix when auditbot knows it."""
        if self.join_error is None:
            return self.error
        where = self.where or "the channel"
        return (
            f"{self.error}: auditbot could not join {where} to check which alerts it already posted "
            f"({self.join_error}); invite @auditbot to {where}"
        )


class JoinRefused(DeliveryProblem):
    """Slack would not let the bot join a channel (private, archived, a missing scope…)."""

    def __init__(self, error: str, where: str) -> None:
        super().__init__(f"Slack refused to let auditbot join {where}: {error}")
        self.error = error
        self.where = where


class PostRejected(DeliveryProblem):
    """Slack refused this one message (too long, invalid blocks…)."""

    def __init__(self, error: str) -> None:
        super().__init__(f"Slack rejected an alert: {error}")
        self.error = error


class StoredEvents(Protocol):
    def get(self, org_id: str, event_id: str) -> AuditEvent | None: ...


class LeaseBook(Protocol):
    """Named leases (``auditbot.store.leases.Leases``); the lease objects are opaque here."""

    def acquire(self, name: str, owner: str, ttl_seconds: float) -> Any: ...

    def renew(self, lease: Any, ttl_seconds: float | None = None) -> Any: ...

    def release(self, lease: Any) -> bool: ...
