"""Alert state: what the buttons on an alert change, and what the handoff reads back.

* **Acknowledge** one alert or a whole burst. The first person stays: the outbox writes only rows
  nobody acknowledged yet, in one statement, so of two clicks at once (on two replicas, say) the
  database lets one through, and both are then told the same name, read back from the rows.
* **Snooze** one actor doing one action on the alert's subscriptions (those still posting in the
  channel) until a time read in the clicker's zone; snoozing again moves the end.
* **Triage** (``auditbot.services.triage``): when a ``TriageService`` is given, acknowledging also moves
  the alert's triage state (a resolved alert is refused before anything is written), and
  ``triage`` gives the rest (assign, resolve, reopen, burst items) over the same state.
* **Open alerts and running snoozes**, for the handoff (``auditbot.services.handoff.AlertState``).

Listeners parse a click, call one method here and render what it returns; the words of a refusal
are the same for every surface, so they are raised here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from auditbot.core.clock import Clock
from auditbot.core.errors import AuditbotError
from auditbot.core.model import AuditEvent
from auditbot.core.snooze import snooze_until
from auditbot.core.triage import AlertKey, Reason, State, TransitionRefused, Triage, describe
from auditbot.services.alert_ports import OutboxRepo, SnoozeRepo
from auditbot.services.delivery import AlertItem
from auditbot.services.events import EventLookup
from auditbot.services.handoff import OpenAlert, RunningSnooze
from auditbot.services.subscriptions import ChannelSubscriptions, SubscriptionTitles
from auditbot.services.triage import Change, TriageService

NOTHING_CHANGED = "Nothing was changed."
OPEN_READ = 1000
"""The most open alerts the handoff reads."""


class PostedTriageRow(Protocol):
    """A posted alert and its state (``auditbot.store.alert_states.PostedTriage``)."""

    @property
    def channel_id(self) -> str: ...

    @property
    def event_id(self) -> str: ...

    @property
    def subscription_id(self) -> str: ...

    @property
    def message_ts(self) -> str | None: ...

    @property
    def triage(self) -> Triage: ...


class TriageReader(Protocol):
    """Triage state across posted alerts (``auditbot.store.alert_states.AlertStates``)."""

    def posted(
        self, team_id: str, *, states: Collection[State], since: datetime | None = None, limit: int
    ) -> Sequence[PostedTriageRow]: ...

    def resolved_between(self, team_id: str, start: datetime, end: datetime) -> Mapping[Reason, int]: ...


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """One alert acknowledged: by whom first (this person or an earlier one) and when."""

    by: str
    """The first acknowledger's user id ("" if the record does not say)."""
    at: datetime
    alert: AlertItem | None
    """The alert to show again, marked; None when its event cannot be read now."""
    snoozed: tuple[str, datetime] | None = None
    """Who snoozed its actor's action on its subscriptions, and until when, while that runs."""
    change: Change | None = None
    """The triage change this click made (with a ``TriageService``; None when nothing moved)."""


@dataclass(frozen=True, slots=True)
class BurstAcknowledged:
    """A burst acknowledged: by whom first and when, and how many of its alerts this click acknowledged."""

    by: str
    at: datetime
    new: int
    change: Change | None = None
    """The triage change this click made (with a ``TriageService``; None when nothing moved)."""


@dataclass(frozen=True, slots=True)
class Snoozed:
    """What a snooze muted, and until when."""

    subscription_ids: tuple[str, ...]
    actor: str
    """How the actor is named (``actor_label``), as kept with the snooze."""
    action: str
    action_name: str
    until: datetime


class AlertStateService:
    """Acknowledgements and snoozes over the outbox and the snoozes tables.

    ``action_name`` names an action as the catalog does; ``actor_label`` names an event's actor as
    alerts show it (kept with a snooze, to announce its end by name)."""

    def __init__(
        self,
        outbox: OutboxRepo,
        snoozes: SnoozeRepo,
        subscriptions: ChannelSubscriptions,
        events: EventLookup,
        clock: Clock,
        *,
        action_name: Callable[[str], str],
        actor_label: Callable[[AuditEvent], str],
        triage: TriageService | None = None,
        states: TriageReader | None = None,
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._outbox = outbox
        self._snoozes = snoozes
        self._subscriptions = subscriptions
        self._events = events
        self._clock = clock
        self._action_name = action_name
        self._actor_label = actor_label
        self.triage = triage
        """Assign, resolve, reopen and read an alert's state; None where triage is not wired yet."""
        self._states = states
        self._changed = changed
        """Told after a snooze changes what alert matching skips (``AlertMatcher.invalidate``)."""

    # -- acknowledge ------------------------------------------------------------------------------

    def acknowledge(
        self, channel_id: str, event_id: str, user_id: str, *, subscription_ids: Sequence[str] = ()
    ) -> Acknowledged:
        """[Acknowledge] on the channel's alert for ``event_id``: recorded unless someone was first.
        ``subscription_ids`` are those the alert names (none: every one posting in the channel)."""
        key = AlertKey.event(channel_id, event_id)
        self._refuse_if_resolved(key)
        when = self._outbox.acknowledge(channel_id, event_id, user_id)
        if when is None:
            raise AuditbotError("auditbot has no record of this alert in this channel.", hint=NOTHING_CHANGED)
        by, at = self._outbox.first_acknowledgement(channel_id, event_id) or ("", when)
        change = self._triage_acknowledge(key, by or user_id)
        alert = self._alert(event_id, tuple(subscription_ids))
        return Acknowledged(by, at, alert, self._snoozed(alert) if alert is not None else None, change)

    def _refuse_if_resolved(self, key: AlertKey) -> None:
        if self.triage is None:
            return
        now = self.triage.state_of(key)
        if now.state is State.RESOLVED:
            raise TransitionRefused(describe(now), hint="Nothing was changed; reopen it first to acknowledge it.")

    def _triage_acknowledge(self, key: AlertKey, first: str) -> Change | None:
        """Move the triage state to acknowledged by the first acknowledger (a no-op when it is already)."""
        if self.triage is None:
            return None
        if key.kind == "burst":
            return self.triage.acknowledge_burst(key.channel_id, key.key, first).change
        return self.triage.acknowledge(key, first).change

    def _snoozed(self, alert: AlertItem) -> tuple[str, datetime] | None:
        """The running snooze of the alert's actor doing its action on its subscriptions that ends last."""
        wanted = set(alert.subscription_ids)
        event = alert.event
        running = [
            s
            for s in self._snoozes.active()
            if s.actor_id == event.actor.id and s.action == event.action and s.subscription_id in wanted
        ]
        if not running:
            return None
        last = max(running, key=lambda s: s.until)
        return last.created_by, last.until

    def acknowledge_burst(self, channel_id: str, batch: str, user_id: str, *, message_ts: str) -> BurstAcknowledged:
        """[Acknowledge all] on a burst's summary (posted as ``message_ts``): every alert of the burst
        nobody acknowledged; when none was left, who acknowledged it first."""
        key = AlertKey.burst(channel_id, batch)
        self._refuse_if_resolved(key)
        before = self._clock.now()
        new = self._outbox.acknowledge_batch(channel_id, batch, user_id)
        if new:
            return BurstAcknowledged(user_id, before, new, self._triage_acknowledge(key, user_id))
        first = self._outbox.first_acknowledgement_in(channel_id, message_ts) if message_ts else None
        if first is None:
            raise AuditbotError("auditbot has no record of these alerts in this channel.", hint=NOTHING_CHANGED)
        by, at = first
        return BurstAcknowledged(by, at, 0, self._triage_acknowledge(key, by))

    def _alert(self, event_id: str, subscription_ids: tuple[str, ...]) -> AlertItem | None:
        try:
            event = self._events.get(event_id)
            return AlertItem(event, self._action_name(event.action), subscription_ids)
        except AuditbotError:
            return None

    # -- snooze -----------------------------------------------------------------------------------

    def snooze(
        self,
        team_id: str,
        channel_id: str,
        user_id: str,
        *,
        event_id: str,
        choice: str,
        tz: ZoneInfo,
        subscription_ids: Sequence[str] = (),
        message_ts: str | None = None,
    ) -> Snoozed:
        """Mute the event's actor doing its action on ``subscription_ids`` (none: every one posting in the
        channel) until ``choice`` (``auditbot.core.snooze.CHOICES``) read in ``tz``. Subscriptions that
        no longer post in the channel are left out; when none is left, nothing changes."""
        wanted = self._posting_here(team_id, channel_id, subscription_ids)
        event = self._events.get(event_id)
        until = snooze_until(choice, self._clock.now(), tz)
        actor = self._actor_label(event)
        for subscription_id in wanted:
            self._snoozes.snooze(
                subscription_id,
                actor_id=event.actor.id,
                action=event.action,
                until=until,
                created_by=user_id,
                message_ts=message_ts or None,
                actor_label=actor,
            )
        self._changed()
        return Snoozed(tuple(wanted), actor, event.action, self._action_name(event.action), until)

    def _posting_here(self, team_id: str, channel_id: str, named: Sequence[str]) -> list[str]:
        here = {s.id for s in self._subscriptions.in_channel(team_id, channel_id)}
        found = sorted(here) if not named else [s for s in named if s in here]
        if not found:
            raise AuditbotError(
                "The subscription behind this alert is gone, so there is nothing to snooze.",
                hint="/audit subscriptions lists the current ones.",
            )
        return found

    # -- what the handoff reads -------------------------------------------------------------------

    def open_alerts(self, team_id: str, since: datetime) -> list[OpenAlert]:
        """Alerts delivered since ``since`` and not resolved, one per (channel, event), unassigned first
        (newest first within each); without triage state, those nobody acknowledged."""
        if self._states is not None:
            posted = self._states.posted(team_id, states=(State.OPEN, State.ACKNOWLEDGED), since=since, limit=OPEN_READ)
            alerts = [
                OpenAlert(p.channel_id, p.event_id, p.subscription_id, p.message_ts, p.triage.assignee) for p in posted
            ]
            return sorted(alerts, key=lambda a: a.assignee is not None)
        found: dict[tuple[str, str], OpenAlert] = {}
        for alert in self._outbox.posted(team_id, since=since, unacknowledged=True):
            key = (alert.channel_id, alert.event_id)
            found.setdefault(key, OpenAlert(alert.channel_id, alert.event_id, alert.subscription_id, alert.message_ts))
        return list(found.values())

    def resolved_between(self, team_id: str, start: datetime, end: datetime) -> dict[Reason, int]:
        """How many alerts were resolved in ``[start, end)``, by reason (none without triage state)."""
        return dict(self._states.resolved_between(team_id, start, end)) if self._states is not None else {}

    def snoozes(self, team_id: str) -> list[RunningSnooze]:
        """The workspace's running snoozes, soonest end first, each with its subscription's title."""
        running = self._snoozes.of_team(team_id)
        titles = SubscriptionTitles(self._subscriptions, self._action_name)([s.subscription_id for s in running])
        return [
            RunningSnooze(
                s.subscription_id,
                s.actor_label or s.actor_id,
                s.action,
                s.until,
                titles.get(s.subscription_id, ""),
            )
            for s in running
        ]
