"""An alert's triage state, and the transitions people make on it (pure: no storage, no Slack).

An alert is ``open`` until someone acknowledges it, ``acknowledged`` while someone is on it, and
``resolved`` once someone closes it with a reason (and maybe a comment). It can be assigned to a
person (or unassigned) while it is not resolved, and a resolved alert can be reopened.

    open ──acknowledge──▶ acknowledged ──resolve──▶ resolved ──reopen──▶ open
      └──────────────────resolve──────────────────────▲

``apply`` either returns the alert's next state or raises ``TransitionRefused`` naming what stands in
the way. A transition that would change nothing (acknowledging an acknowledged alert, assigning it to
its assignee) returns the state unchanged: the first acknowledger stays, and a repeated click is no
error. The assignee survives acknowledging, resolving and reopening; the reason and comment exist only
while the alert is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from auditbot.core.errors import AuditbotError

MAX_COMMENT = 500
"""The longest resolve comment kept, in characters (after it is made one line)."""


class State(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Reason(StrEnum):
    """Why an alert was resolved."""

    FALSE_POSITIVE = "false_positive"
    EXPECTED = "expected"
    REMEDIATED = "remediated"
    BENIGN = "true_positive_benign"
    MALICIOUS = "true_positive_malicious"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    Reason.FALSE_POSITIVE: "False positive",
    Reason.EXPECTED: "Expected / maintenance",
    Reason.REMEDIATED: "Remediated",
    Reason.BENIGN: "True positive - benign",
    Reason.MALICIOUS: "True positive - malicious",
    Reason.OTHER: "Other",
}


class TransitionRefused(AuditbotError):
    """A transition the alert's current state does not allow; the message says what the state is."""


@dataclass(frozen=True, slots=True)
class Triage:
    """Where one alert stands, and who changed it last (``changed_by`` is "" for a never-touched alert)."""

    state: State = State.OPEN
    assignee: str | None = None
    reason: Reason | None = None
    comment: str | None = None
    changed_by: str = ""
    changed_at: datetime | None = None


OPEN = Triage()


@dataclass(frozen=True, slots=True)
class AlertKey:
    """One alert in one channel: an event (``key`` its id) or a burst (``key`` its post's batch)."""

    channel_id: str
    kind: str
    key: str

    @classmethod
    def event(cls, channel_id: str, event_id: str) -> AlertKey:
        return cls(channel_id, "event", event_id)

    @classmethod
    def burst(cls, channel_id: str, batch: str) -> AlertKey:
        return cls(channel_id, "burst", batch)


@dataclass(frozen=True, slots=True)
class StoredTriage:
    """An alert's state as stored; ``version`` 0 means no row yet (the alert is open)."""

    alert: AlertKey
    triage: Triage
    version: int
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Acknowledge:
    name = "acknowledge"


@dataclass(frozen=True, slots=True)
class Assign:
    user: str | None
    """The new assignee; None unassigns."""

    name = "assign"


@dataclass(frozen=True, slots=True)
class Resolve:
    reason: Reason
    comment: str | None = None

    name = "resolve"


@dataclass(frozen=True, slots=True)
class Reopen:
    name = "reopen"


Transition = Acknowledge | Assign | Resolve | Reopen


def clean_comment(text: str | None) -> str | None:
    """A comment made one line (runs of whitespace become one space), trimmed; None when empty.
    Longer than ``MAX_COMMENT`` is refused rather than cut, so nobody's words are lost unseen."""
    if text is None:
        return None
    line = " ".join(text.split())
    if not line:
        return None
    if len(line) > MAX_COMMENT:
        raise TransitionRefused(
            f"The comment is {len(line)} characters long; at most {MAX_COMMENT} are kept.",
            hint="Shorten it, or put the details in the alert's thread.",
        )
    return line


def describe(triage: Triage) -> str:
    """Where the alert stands, for a refusal: "<@U1> resolved this alert at 12:03 UTC (False positive)"."""
    if triage.state is State.OPEN or not triage.changed_by:
        return "This alert is open."
    when = f" at {triage.changed_at:%Y-%m-%d %H:%M} UTC" if triage.changed_at is not None else ""
    if triage.state is State.RESOLVED:
        reason = f" ({triage.reason.label})" if triage.reason is not None else ""
        return f"<@{triage.changed_by}> resolved this alert{when}{reason}."
    return f"This alert is acknowledged; <@{triage.changed_by}> changed it last{when}."


def allowed(triage: Triage, transition: Transition) -> bool:
    """Whether ``transition`` may be applied to an alert in ``triage`` (a no-op counts as allowed)."""
    match transition:
        case Acknowledge() | Assign():
            return triage.state is not State.RESOLVED
        case Resolve():
            return triage.state is not State.RESOLVED
        case Reopen():
            return triage.state is State.RESOLVED


def apply(triage: Triage, transition: Transition, *, by: str, at: datetime) -> Triage:
    """The alert's state after ``by`` makes ``transition`` at ``at``; unchanged for a no-op.
    Raises ``TransitionRefused`` when the current state does not allow it."""
    if not allowed(triage, transition):
        raise TransitionRefused(describe(triage), hint=_refusal(transition))
    match transition:
        case Acknowledge():
            if triage.state is State.ACKNOWLEDGED:
                return triage
            return replace(triage, state=State.ACKNOWLEDGED, changed_by=by, changed_at=at)
        case Assign(user=user):
            if triage.assignee == user:
                return triage
            return replace(triage, assignee=user, changed_by=by, changed_at=at)
        case Resolve(reason=reason, comment=comment):
            return replace(
                triage,
                state=State.RESOLVED,
                reason=reason,
                comment=clean_comment(comment),
                changed_by=by,
                changed_at=at,
            )
        case Reopen():
            return replace(triage, state=State.OPEN, reason=None, comment=None, changed_by=by, changed_at=at)


def _refusal(transition: Transition) -> str:
    match transition:
        case Acknowledge() | Assign() | Resolve():
            return f"Nothing was changed; reopen it first to {transition.name} it."
        case Reopen():
            return "Nothing was changed: only a resolved alert can be reopened."
