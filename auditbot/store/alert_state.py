"""``StoredAlertState``: what the handoff reads about the alert channels — open alerts and running snoozes."""

from __future__ import annotations

from datetime import datetime

from auditbot.services.handoff import OpenAlert, RunningSnooze
from auditbot.store.outbox import Outbox
from auditbot.store.snoozes import Snoozes


class StoredAlertState:
    """Implements ``auditbot.services.handoff.AlertState`` over the outbox and the snoozes."""

    def __init__(self, outbox: Outbox, snoozes: Snoozes) -> None:
        self._outbox = outbox
        self._snoozes = snoozes

    def open_alerts(self, team_id: str, since: datetime) -> list[OpenAlert]:
        """Alerts delivered since ``since`` that nobody acknowledged, one per (channel, event)."""
        found: dict[tuple[str, str], OpenAlert] = {}
        for alert in self._outbox.posted(team_id, since=since, unacknowledged=True):
            key = (alert.channel_id, alert.event_id)
            found.setdefault(key, OpenAlert(alert.channel_id, alert.event_id, alert.subscription_id, alert.message_ts))
        return list(found.values())

    def snoozes(self, team_id: str) -> list[RunningSnooze]:
        return [
            RunningSnooze(s.subscription_id, s.actor_label or s.actor_id, s.action, s.until)
            for s in self._snoozes.of_team(team_id)
        ]
