"""A delivery world: a store with mirrored events and subscriptions, the Slack stand-in over loopback, a clock."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path

from auditbot.core.clock import ManualClock
from auditbot.core.model import AuditEvent
from auditbot.playground import Workspace, seed
from auditbot.playground.model import WorkspaceMessage
from auditbot.playground.server import start_slack_api
from auditbot.services.delivery import ALERT_EVENT_TYPE, Delivery, DeliverySettings
from auditbot.services.subscriptions import Subscription, SubscriptionTitles
from auditbot.slack.delivery_client import BlockKitAlerts, SlackAlertChannel, delivery_client
from auditbot.store import Database, EventMirror
from auditbot.store.leases import Leases
from auditbot.store.outbox import Outbox
from auditbot.store.snoozes import Snoozes
from auditbot.store.subscriptions import Subscriptions
from tests.store.events import ANCHOR, ORG, sandbox_events

CHANNEL = seed.SEC_ALERTS


class DeliveryWorld:
    def __init__(
        self,
        path: Path,
        *,
        url: str | None = None,
        events: Sequence[AuditEvent] | None = None,
        scopes: Sequence[str] | None = None,
    ) -> None:
        self.clock = ManualClock(ANCHOR)
        self.workspace = Workspace(self.clock) if scopes is None else Workspace(self.clock, scopes=scopes)
        self.slack = start_slack_api(self.workspace)
        self.db = Database(url or f"sqlite:///{path / 'delivery.db'}")
        self.db.migrate()
        self.subscriptions = Subscriptions(self.db, self.clock)
        self.outbox = Outbox(self.db, self.clock)
        self.snoozes = Snoozes(self.db, self.clock)
        self.mirror = EventMirror(self.db, clock=self.clock)
        self.events = list(events if events is not None else sandbox_events())
        with self.db.begin() as conn:
            self.mirror.upsert(conn, ORG, self.events)
        self._owners = 0

    def close(self) -> None:
        self.slack.close()
        self.db.close()

    def subscribe(
        self, channel: str = CHANNEL, query: str = "action:user_login", by: str = seed.JANE, name: str | None = None
    ) -> Subscription:
        return self.subscriptions.create(
            team_id=seed.TEAM.id, channel_id=channel, query=query, created_by=by, name=name
        )

    def queue(self, subscription: Subscription, events: Iterable[AuditEvent]) -> None:
        with self.db.begin() as conn:
            self.outbox.add(conn, ORG, [(subscription.id, e.id) for e in events])

    def delivery(self, *, settings: DeliverySettings | None = None, owner: str | None = None) -> Delivery:
        self._owners += 1
        client = delivery_client("xoxb-test", base_url=self.slack.api_url)
        return Delivery(
            self.outbox,
            SlackAlertChannel(client),
            BlockKitAlerts(SubscriptionTitles(self.subscriptions, action_name)),
            self.subscriptions,
            self.mirror,
            action_name,
            Leases(self.db, self.clock),
            self.clock,
            owner=owner or f"worker-{self._owners}",
            snoozes=self.snoozes,
            settings=settings,
        )

    # -- what Slack holds ----------------------------------------------------------------

    def posts(self, channel: str = CHANNEL) -> list[WorkspaceMessage]:
        """Every message delivery posted in the channel (alerts, summaries and thread replies)."""
        return [
            m
            for m in self.workspace.messages(channel)
            if m.user == seed.BOT_USER_ID and m.metadata and m.metadata.get("event_type") == ALERT_EVENT_TYPE
        ]

    def top_level(self, channel: str = CHANNEL) -> list[WorkspaceMessage]:
        return [m for m in self.posts(channel) if not m.thread_ts or m.thread_ts == m.ts]

    def announced_ids(self, channel: str = CHANNEL) -> list[str]:
        """Every event id our messages in the channel carry, with repeats."""
        return [i for m in self.posts(channel) for i in str(m.metadata["event_payload"]["event_ids"]).split(",") if i]  # type: ignore[index]

    def gaps(self, channel: str = CHANNEL) -> list[float]:
        """Seconds between consecutive posts in the channel."""
        times = [float(m.ts) for m in self.posts(channel)]
        return [b - a for a, b in itertools.pairwise(times)]


def action_name(action: str) -> str:
    return action.replace("_", " ").capitalize()


def later(world: DeliveryWorld, seconds: float) -> None:
    world.clock.advance(seconds)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
