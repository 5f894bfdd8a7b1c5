"""Triage: moving an alert through open → acknowledged → resolved (and back), safely under concurrency.

Every change is a compare-and-set loop over ``AlertStateRepo``: read the alert's state and version,
apply the transition (``auditbot.core.triage.apply``), write it only if the version is still the one
read. When another click wrote in between, read again and apply again: if the transition is still
allowed, it lands on top of the other (both clicks make a change; the final state has both, or the
later one where they touch the same field); if not, it is refused with ``ChangedMeanwhile``, which says
what happened meanwhile. No click overwrites a state it did not see.

Each change answers the new state and a ``Change`` (who, what, when, before and after) for the caller
to show: the card updated in place, one line in the alert's thread, one trail entry. A click that
changes nothing (acknowledging an acknowledged alert) answers no change.

A burst is one alert (its row) with its events as items (their rows, parented by the burst). Resolving
or acknowledging the burst moves the burst and every item still allowed to move; an item resolved on
its own keeps its reason. Acting on an item touches that item only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from auditbot.core.clock import Clock
from auditbot.core.triage import (
    Acknowledge,
    AlertKey,
    Assign,
    Reason,
    Reopen,
    Resolve,
    Transition,
    TransitionRefused,
    Triage,
    apply,
    describe,
)
from auditbot.services.alert_ports import AlertStateRepo

MAX_TRIES = 8
"""Compare-and-set rounds before giving up; every lost round means another click landed."""


class ChangedMeanwhile(TransitionRefused):
    """Another click changed the alert between this one's read and its write, and this one no longer applies."""


@dataclass(frozen=True, slots=True)
class Change:
    """One change to one alert, for the card, its thread and the trail."""

    alert: AlertKey
    transition: str
    """``acknowledge``, ``assign``, ``resolve`` or ``reopen``."""
    by: str
    at: datetime
    before: Triage
    after: Triage
    items: tuple[str, ...] = ()
    """For a burst: the events this change moved with it."""


@dataclass(frozen=True, slots=True)
class Changed:
    """Where the alert stands after a click, and what the click changed (None: nothing)."""

    triage: Triage
    change: Change | None


class TriageService:
    def __init__(self, states: AlertStateRepo, clock: Clock) -> None:
        self._states = states
        self._clock = clock

    def state_of(self, alert: AlertKey) -> Triage:
        return self._states.get(alert).triage

    def items_of(self, channel_id: str, batch: str) -> dict[str, Triage]:
        """Each event of the burst and its state (open when never touched), in the order posted."""
        stored = {s.alert.key: s.triage for s in self._states.items(channel_id, batch)}
        return {e: stored.get(e, Triage()) for e in self._states.burst_events(channel_id, batch)}

    def acknowledge(self, alert: AlertKey, by: str) -> Changed:
        return self._change(alert, Acknowledge(), by)

    def assign(self, alert: AlertKey, user: str | None, by: str) -> Changed:
        return self._change(alert, Assign(user), by)

    def resolve(self, alert: AlertKey, reason: Reason, comment: str | None, by: str) -> Changed:
        return self._change(alert, Resolve(reason, comment), by)

    def reopen(self, alert: AlertKey, by: str) -> Changed:
        return self._change(alert, Reopen(), by)

    def acknowledge_burst(self, channel_id: str, batch: str, by: str) -> Changed:
        return self._burst(channel_id, batch, Acknowledge(), by)

    def resolve_burst(self, channel_id: str, batch: str, reason: Reason, comment: str | None, by: str) -> Changed:
        """Resolve the burst and every item of it not resolved yet (those keep their own reason)."""
        return self._burst(channel_id, batch, Resolve(reason, comment), by)

    def _burst(self, channel_id: str, batch: str, transition: Transition, by: str) -> Changed:
        whole = self._change(AlertKey.burst(channel_id, batch), transition, by)
        moved: list[str] = []
        for event_id in self._states.burst_events(channel_id, batch):
            try:
                item = self._change(AlertKey.event(channel_id, event_id), transition, by)
            except TransitionRefused:
                continue  # acted on by itself already (resolved): it keeps that
            if item.change is not None:
                moved.append(event_id)
        if whole.change is None:
            return whole
        return Changed(whole.triage, replace(whole.change, items=tuple(moved)))

    def _change(self, alert: AlertKey, transition: Transition, by: str) -> Changed:
        lost = False
        for _ in range(MAX_TRIES):
            stored = self._states.get(alert)
            now = self._clock.now()
            try:
                after = apply(stored.triage, transition, by=by, at=now)
            except TransitionRefused as refused:
                if lost:
                    raise ChangedMeanwhile(_meanwhile(stored.triage), hint=refused.hint) from refused
                raise
            if after == stored.triage:
                return Changed(after, None)
            written = self._states.compare_and_set(alert, after, expected=stored.version)
            if written is not None:
                return Changed(written.triage, Change(alert, transition.name, by, now, stored.triage, written.triage))
            lost = True
        raise ChangedMeanwhile(
            "This alert kept changing while your click was being saved.", hint="Nothing was changed; try again."
        )


def _meanwhile(triage: Triage) -> str:
    said = describe(triage)
    return f"Meanwhile, {said[0].lower()}{said[1:]}" if said.startswith("This") else f"Meanwhile, {said}"
