"""The handoff digest's numbers: what a shift's audit activity adds up to, and what stands out.

``Aggregates`` is what a source (the mirror, in SQL; or events read one by one) hands over for one
window: totals, counts by action, the busiest actors, what is new for the org (actors, IP addresses
and countries not seen in the baseline before the window), the events of risky actions and actors
with a burst of failed logins. ``EventTally`` computes the same from events in Python, for windows
read from the API and as the reference the SQL is tested against.

Nothing here reads a clock, a store or the network.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from auditbot.core.model import AuditEvent

RISKY_ACTIONS: Mapping[str, str] = {
    "added_org_admin": "Org admin granted",
    "group_granted_admin_access": "Group granted admin access",
    "api_token_created": "API token created",
    "auth_policy_created": "Authentication policy created",
    "auth_policy_updated": "Authentication policy changed",
    "auth_policy_type_updated": "Authentication policy changed",
    "default_auth_policy_updated": "Authentication policy changed",
    "auth_policy_deleted": "Authentication policy deleted",
    "user_auth_policy_changed": "Authentication policy changed",
    "user_auth_policy_deleted": "Authentication policy deleted",
    "domain_auth_policy_changed": "Authentication policy changed",
    "domain_auth_policy_deleted": "Authentication policy deleted",
    "password_policy_changed": "Password policy changed",
    "saml_config_created": "SAML configuration changed",
    "saml_config_updated": "SAML configuration changed",
    "saml_config_deleted": "SAML configuration deleted",
    "saml_policy_changed": "SAML policy changed",
    "saml_policy_deleted": "SAML policy deleted",
    "set_session_policy": "Session policy changed",
    "policy_deleted": "Policy deleted",
    "policy_disabled": "Policy disabled",
    "domain_claimed": "Domain claimed",
    "domain_added": "Domain added",
    "domain_removed": "Domain removed",
    "domain_deleted": "Domain deleted",
    "domain_verification_removed": "Domain verification removed",
    "user_logged_in_as_user": "Logged in as another user",
    "user_removed_from_org": "User removed from the org",
    "managed_account_deactivated": "Managed account deactivated",
    "managed_account_deleted": "Managed account deleted",
    "marketplace_app_installed": "App installed",
    "export_audit_log": "Audit log exported",
    "scim_directory_token_rotated": "SCIM token rotated",
    "scim_directory_deleted": "SCIM directory deleted",
    "gsync_sso_disabled": "Google SSO disabled",
    "scim_sync_disabled": "SCIM sync disabled",
}
"""Actions a person taking over a shift should see one by one (configurable), with a short label.
The audit log has no "two-step verification disabled" action of its own; it shows as an
authentication policy change."""

FAILED_LOGIN = "user_login_failed"
BURST_FAILED_LOGINS = 10
"""This many failed logins for one account within the window is a burst worth naming."""
TOP = 5
"""How many actions and actors the digest lists."""
NOTABLE_LIMIT = 20


class NeedsScan(Exception):
    """A source cannot count these filters itself (in SQL, say): read the events and count them here."""


@dataclass(frozen=True, slots=True)
class Tally:
    """One counted thing: ``key`` is what a search filters on (an action id, an actor id, an IP)."""

    key: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Aggregates:
    total: int
    by_action: tuple[Tally, ...]
    """Every action seen, busiest first (labels are action ids; the service names them)."""
    top_actors: tuple[Tally, ...]
    new_actors: tuple[Tally, ...] = ()
    new_ips: tuple[Tally, ...] = ()
    new_countries: tuple[Tally, ...] = ()
    notable: tuple[AuditEvent, ...] = ()
    """Events of risky actions, oldest first, at most ``NOTABLE_LIMIT``."""
    notable_total: int = 0
    failed_login_bursts: tuple[Tally, ...] = ()
    complete: bool = True
    """False when the events could not all be read (the API budget ran out)."""
    scanned: int = 0
    knows_new: bool = True
    """False when there was no baseline to tell what is new (a window read from the API)."""


@dataclass(frozen=True, slots=True)
class Seen:
    """What the org had already shown before a window: actor ids, IP addresses and countries."""

    actors: frozenset[str] = frozenset()
    ips: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()


def actor_label(event: AuditEvent) -> str:
    actor = event.actor
    return actor.email or actor.name or actor.id


def country_of(event: AuditEvent) -> str | None:
    location = event.attributes.location
    return location.country_name if location and location.country_name else None


@dataclass
class EventTally:
    """``Aggregates`` computed from events one at a time (the reference for the SQL version)."""

    risky: frozenset[str] = frozenset(RISKY_ACTIONS)
    seen: Seen | None = None
    burst_threshold: int = BURST_FAILED_LOGINS
    top: int = TOP
    total: int = 0
    _actions: Counter[str] = field(default_factory=Counter)
    _actors: Counter[str] = field(default_factory=Counter)
    _labels: dict[str, str] = field(default_factory=dict)
    _ips: Counter[str] = field(default_factory=Counter)
    _countries: Counter[str] = field(default_factory=Counter)
    _failed: Counter[str] = field(default_factory=Counter)
    _notable: list[AuditEvent] = field(default_factory=list)
    _notable_total: int = 0

    def add(self, events: Iterable[AuditEvent]) -> None:
        for event in events:
            self.total += 1
            self._actions[event.action] += 1
            actor = event.actor.id
            self._actors[actor] += 1
            self._labels.setdefault(actor, actor_label(event))
            if event.ip:
                self._ips[event.ip] += 1
            country = country_of(event)
            if country:
                self._countries[country] += 1
            if event.action == FAILED_LOGIN:
                self._failed[actor] += 1
            if event.action in self.risky:
                self._notable_total += 1
                self._notable.append(event)

    def result(self, *, complete: bool = True) -> Aggregates:
        seen = self.seen
        notable = sorted(self._notable, key=lambda e: (e.attributes.time, e.id))[:NOTABLE_LIMIT]
        return Aggregates(
            total=self.total,
            by_action=_ranked(self._actions, None),
            top_actors=_ranked(self._actors, self._labels)[: self.top],
            new_actors=_ranked(_unseen(self._actors, seen.actors), self._labels) if seen else (),
            new_ips=_ranked(_unseen(self._ips, seen.ips), None) if seen else (),
            new_countries=_ranked(_unseen(self._countries, seen.countries), None) if seen else (),
            notable=tuple(notable),
            notable_total=self._notable_total,
            failed_login_bursts=_ranked(
                Counter({a: n for a, n in self._failed.items() if n >= self.burst_threshold}), self._labels
            ),
            complete=complete,
            scanned=self.total,
            knows_new=seen is not None,
        )


def _unseen(counts: Counter[str], seen: frozenset[str]) -> Counter[str]:
    return Counter({key: n for key, n in counts.items() if key not in seen})


def _ranked(counts: Counter[str], labels: Mapping[str, str] | None) -> tuple[Tally, ...]:
    """Busiest first; ties by key, so the order is stable."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(Tally(key, labels.get(key, key) if labels else key, n) for key, n in ordered)


def change(current: int, previous: int) -> str:
    """``+25%``, ``\u221240%`` (a minus sign), ``no change``, or ``new`` (nothing before)."""
    if previous == 0:
        return "no change" if current == 0 else "new"
    delta = round((current - previous) * 100 / previous)
    if delta == 0:
        return "no change"
    return f"+{delta}%" if delta > 0 else f"\u2212{-delta}%"


def shift_before(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The window of the same length just before ``[start, end)``."""
    return start - (end - start), start
