"""The alert tables as the services see them, each named once: the outbox (``OutboxRepo`` and its rows
``PendingRow``, ``ChannelRef``, ``PostedAlertRecord``) and the snoozes (``SnoozeRepo``, ``SnoozeRecord``),
and each alert's triage state (``AlertStateRepo``).

Matching, delivery and alert state all talk to the same two repositories through these;
``auditbot.store.outbox.Outbox`` and ``auditbot.store.snoozes.Snoozes`` implement them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from auditbot.core.triage import AlertKey, StoredTriage, Triage


class PendingRow(Protocol):
    """An alert waiting to be posted (or whose post may be in Slack already, when it has a ``batch``)."""

    @property
    def id(self) -> int: ...

    @property
    def subscription_id(self) -> str: ...

    @property
    def event_id(self) -> str: ...

    @property
    def org_id(self) -> str: ...

    @property
    def batch(self) -> str | None: ...

    @property
    def attempted_at(self) -> datetime | None: ...


class ChannelRef(Protocol):
    @property
    def team_id(self) -> str: ...

    @property
    def channel_id(self) -> str: ...


class PostedAlertRecord(Protocol):
    """A delivered alert: where it went and who acknowledged it."""

    @property
    def subscription_id(self) -> str: ...

    @property
    def event_id(self) -> str: ...

    @property
    def channel_id(self) -> str: ...

    @property
    def message_ts(self) -> str | None: ...

    @property
    def thread_ts(self) -> str | None: ...

    @property
    def acked_by(self) -> str | None: ...

    @property
    def acked_at(self) -> datetime | None: ...


class OutboxRepo(Protocol):
    """The outbox: one row per (subscription, event), from queued through posted to acknowledged."""

    def pending_channels(self) -> Sequence[ChannelRef]: ...

    def pending(self, channel: Any, *, limit: int = ...) -> Sequence[PendingRow]: ...

    def attempt(self, alert_ids: Iterable[int], batch: str) -> None: ...

    def sent(self, alert_ids: Iterable[int], message_ts: str, *, thread_ts: str | None = None) -> None: ...

    def failed_attempt(self, alert_ids: Iterable[int], *, in_doubt: bool) -> None: ...

    def not_in_doubt(self, alert_ids: Iterable[int]) -> None: ...

    def give_up(self, alert_ids: Iterable[int]) -> None: ...

    def acknowledge(self, channel_id: str, event_id: str, user_id: str) -> datetime | None:
        """Acknowledge the channel's alert for ``event_id`` unless someone already did (one conditional
        write); when it was first acknowledged, or None when the channel has no such alert."""
        ...

    def acknowledge_batch(self, channel_id: str, batch: str, user_id: str) -> int:
        """Acknowledge the alerts of one post nobody acknowledged yet (one conditional write); how many."""
        ...

    def first_acknowledgement(self, channel_id: str, event_id: str) -> tuple[str, datetime] | None:
        """(who, when) acknowledged the channel's alert for ``event_id`` first."""
        ...

    def first_acknowledgement_in(self, channel_id: str, message_ts: str) -> tuple[str, datetime] | None:
        """(who, when) acknowledged first among the alerts posted in one message or in its thread."""
        ...

    def posted(self, team_id: str, *, since: datetime, unacknowledged: bool = False) -> Sequence[PostedAlertRecord]: ...


class SnoozeRecord(Protocol):
    """One actor's action muted on one subscription until a time."""

    @property
    def id(self) -> int: ...

    @property
    def subscription_id(self) -> str: ...

    @property
    def actor_id(self) -> str: ...

    @property
    def actor_label(self) -> str | None: ...

    @property
    def action(self) -> str: ...

    @property
    def until(self) -> datetime: ...

    @property
    def created_by(self) -> str:
        """Who set it (a Slack user id)."""
        ...


class SnoozeRepo(Protocol):
    def snooze(
        self,
        subscription_id: str,
        *,
        actor_id: str,
        action: str,
        until: datetime,
        created_by: str,
        message_ts: str | None = None,
        actor_label: str | None = None,
    ) -> SnoozeRecord:
        """Mute the actor's action on the subscription until ``until``; again for the same three moves the end."""
        ...

    def active(self) -> Sequence[SnoozeRecord]:
        """Snoozes still running now."""
        ...

    def of_team(self, team_id: str) -> Sequence[SnoozeRecord]:
        """The workspace's running snoozes, soonest end first."""
        ...

    def ended_unannounced(self) -> Sequence[SnoozeRecord]: ...

    def announced(self, snooze: Any) -> bool:
        """Mark its end announced (``snooze`` is one ``ended_unannounced`` returned); whether it was marked."""
        ...


class AlertStateRepo(Protocol):
    """Each alert's triage state (``auditbot.store.alert_states.AlertStates``), written by compare-and-set."""

    def get(self, alert: AlertKey) -> StoredTriage:
        """The alert's stored state; open at version 0 when nothing was stored for it."""
        ...

    def items(self, channel_id: str, batch: str) -> Sequence[StoredTriage]:
        """The stored states of the events posted in the burst ``batch``."""
        ...

    def burst_events(self, channel_id: str, batch: str) -> Sequence[str]:
        """The ids of the events the burst ``batch`` carried in the channel."""
        ...

    def compare_and_set(self, alert: AlertKey, triage: Triage, *, expected: int) -> StoredTriage | None:
        """Store ``triage`` if the version is still ``expected``; the row written, or None on a conflict."""
        ...
