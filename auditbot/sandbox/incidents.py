"""Security incidents woven into the generated history, at places fixed by the seed and the anchor.

Each incident is a short sequence of drafts placed at a local time of day in the actor's time
zone, inside the generated window and at least an hour before the anchor, so that every incident
is visible as soon as the sandbox starts. ``Incident.event_ids`` lets tests and demos find them, and
``Incident.query`` is a search whose first page lands on the incident (the demo's App Home offers it).

The admin grant always has the id ``EXAMPLE_EVENT_ID``, whatever the seed, so README's and help's
``/audit event …`` example opens it in the demo.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from auditbot.sandbox.builders import Json, to_us
from auditbot.sandbox.data import UNUSUAL_CITIES, UNUSUAL_HOST_MIN, City
from auditbot.sandbox.directory import ApiToken, Person, random_uuid
from auditbot.sandbox.drafts import Draft, RecipeBase, finish

EXAMPLE_EVENT_ID = "25e4c3e7-7f0d-4b84-8028-330fed144a51"
"""The id of the admin granted at night, in every sandbox org: README's and help's example event."""
MIN_WINDOW_DAYS = 30
"""An incident's query covers the last 30 days, or the org's whole history when that is longer."""


@dataclass(frozen=True)
class Incident:
    """A woven-in incident: its name, a one-line summary and the ids of its events in time order.

    ``label`` names it on a button; ``query`` finds it (its events on the first page); ``actor`` is the
    email of who did it, ``target`` of whom it was done to, ``ip`` the address it came from (when that
    stands out) and ``key_event_id`` the one event that tells the story."""

    name: str
    summary: str
    event_ids: tuple[str, ...]
    label: str = ""
    query: str = ""
    actor: str = ""
    target: str | None = None
    ip: str | None = None
    key_event_id: str = ""


@dataclass(frozen=True)
class _Plan:
    name: str
    summary: str
    actor: Person
    local_time: time
    window_share: float
    """How far back from the anchor, as a share of the window."""
    drafts: list[Draft]
    label: str
    query: str
    target: Person | None = None
    ip: str | None = None
    key: int = -1
    """Which draft is the key event."""


class IncidentPlanner(RecipeBase):
    """Builds the incident plans for one org; ``events`` turns them into events for a window."""

    window = f"last:{MIN_WINDOW_DAYS}d"
    """The window term of the incidents' queries (set by ``events``)."""

    def events(self, seed: int, start: datetime, anchor: datetime) -> tuple[list[Incident], list[Json]]:
        rng = random.Random(f"auditbot-sandbox-incidents:{seed}:{to_us(anchor)}")
        self.window = f"last:{max(MIN_WINDOW_DAYS, math.ceil((anchor - start) / timedelta(days=1)))}d"
        incidents: list[Incident] = []
        events: list[Json] = []
        for plan in self._plans(rng, (anchor - start).total_seconds()):
            at = _place(plan, start, anchor) + timedelta(seconds=rng.uniform(0, 50))
            batch = [finish(self.f, rng, d, to_us(at) + int(d.offset * 1_000_000), late_share=0.0) for d in plan.drafts]
            events.extend(batch)
            incidents.append(
                Incident(
                    plan.name,
                    plan.summary,
                    tuple(e["id"] for e in batch),
                    label=plan.label,
                    query=plan.query,
                    actor=plan.actor.email,
                    target=plan.target.email if plan.target else None,
                    ip=plan.ip,
                    key_event_id=batch[plan.key]["id"],
                )
            )
        return incidents, events

    def _plans(self, rng: random.Random, window_s: float) -> list[_Plan]:
        admins = self.d.admins
        regular = [p for p in self.d.people if not p.is_admin]
        return [
            self._admin_at_night(rng, admins[0], regular[0]),
            self._failed_burst(rng, regular[1]),
            self._token_misuse(rng, admins[1], regular[2], min(26 * 3600.0, window_s / 3)),
            self._policy_deleted(rng, admins[2]),
            self._impersonation(rng, admins[3], regular[3]),
        ]

    def _unusual(self, rng: random.Random, city: City) -> Json:
        return self.f.location(city, f"{city.net}.{rng.randint(UNUSUAL_HOST_MIN, 254)}")

    def _admin_at_night(self, rng: random.Random, admin: Person, target: Person) -> _Plan:
        where = self._unusual(rng, UNUSUAL_CITIES[0])
        actor, item = self.f.actor(admin), (self.f.user_item(target),)
        granted = f"Added {target.email} as an organization admin"
        drafts = [
            Draft(0.0, "user_login", actor, f"{admin.name} logged in", location=where),
            Draft(rng.uniform(90, 240), "added_org_admin", actor, granted, item, self.org(), where, EXAMPLE_EVENT_ID),
        ]
        country = UNUSUAL_CITIES[0].country
        summary = f"{admin.email} made {target.email} an org admin at night from {country}"
        query = f"action:added_org_admin actor:{admin.email} {self.window}"
        label = f"Admin granted at night from {country}"
        return _Plan(
            "admin_granted_at_night", summary, admin, time(3, 12), 0.15, drafts, label, query, target, where["ip"]
        )

    def _failed_burst(self, rng: random.Random, target: Person) -> _Plan:
        where = self._unusual(rng, UNUSUAL_CITIES[1])
        actor, failed = self.f.actor(target), f"{target.name} failed to log in"
        offsets = sorted(rng.uniform(0, 360) for _ in range(25))
        drafts = [Draft(o, "user_login_failed", actor, failed, location=where) for o in offsets]
        success = offsets[-1] + rng.uniform(20, 90)
        drafts.append(Draft(success, "user_login", actor, f"{target.name} logged in", location=where))
        summary = f"25 failed logins for {target.email} from {where['ip']}, then a successful login"
        query = f"action:user_login_failed actor:{target.email} ip:{where['ip']} {self.window}"
        return _Plan(
            "failed_login_burst", summary, target, time(22, 41), 0.35, drafts, "Failed-login burst", query,
            ip=where["ip"], key=-2,
        )  # fmt: skip

    def _token_misuse(self, rng: random.Random, admin: Person, target: Person, used: float) -> _Plan:
        """The key is used ``used`` seconds after it was created (a day, or less in short windows)."""
        token = ApiToken(random_uuid(rng), "automation-key", admin)
        home, away = self.where(rng, admin), self._unusual(rng, UNUSUAL_CITIES[2])
        keyed = self.f.actor(admin, token=token)
        site = self.d.sites[0]
        group = next(g for g in self.d.groups if g.name == "site-admins")
        context = (self.f.group_item(group, site), self.f.user_item(target, site))
        added = f"Added {target.email} to site-admins group"
        drafts = [
            Draft(0.0, "api_token_created", self.f.actor(admin), "Created admin API key", (), self.org(), home),
            Draft(used, "organization_users_viewed", keyed, f"{admin.name} viewed organization users", (), (), away),
            Draft(used + rng.uniform(30, 120), "user_added_to_group", keyed, added, context, self.site(site), away),
        ]
        country = UNUSUAL_CITIES[2].country
        summary = f"API key created by {admin.email}, used later from {country}"
        query = f"actor:{admin.email} ip:{away['ip']} {self.window}"
        return _Plan(
            "api_token_unusual_ip", summary, admin, time(11, 20), 0.55, drafts, f"API key used from {country}", query,
            target, away["ip"],
        )  # fmt: skip

    def _policy_deleted(self, rng: random.Random, admin: Person) -> _Plan:
        policy = next(p for p in self.d.auth_policies if p.name == "contractors")
        item, deleted = (self.f.auth_policy_item(policy),), f"Deleted authentication policy {policy.name}"
        where = self.where(rng, admin)
        drafts = [Draft(0.0, "auth_policy_deleted", self.f.actor(admin), deleted, item, self.org(), where)]
        summary = f"{admin.email} deleted the authentication policy {policy.name}"
        query = f"action:auth_policy_deleted actor:{admin.email} {self.window}"
        label = f"Policy {policy.name} deleted"
        return _Plan("auth_policy_deleted", summary, admin, time(16, 34), 0.45, drafts, label, query)

    def _impersonation(self, rng: random.Random, admin: Person, target: Person) -> _Plan:
        item, text = (self.f.user_item(target),), f"Logged in as {target.email}"
        where, container = self.where(rng, admin), self.site(self.d.sites[0])
        drafts = [Draft(0.0, "user_logged_in_as_user", self.f.actor(admin), text, item, container, where)]
        summary = f"{admin.email} logged in as {target.email}"
        query = f"action:user_logged_in_as_user actor:{admin.email} {self.window}"
        label = "Admin logged in as a user"
        return _Plan("user_impersonation", summary, admin, time(15, 8), 0.25, drafts, label, query, target)


def _place(plan: _Plan, start: datetime, anchor: datetime) -> datetime:
    """The incident's start: ``local_time`` in the actor's zone, near its share of the window, fully inside it."""
    zone = ZoneInfo(plan.actor.city.tz)
    span = timedelta(seconds=max(d.offset for d in plan.drafts) + 60)
    day = (anchor - (anchor - start) * plan.window_share).astimezone(zone).date()
    at = datetime.combine(day, plan.local_time, zone)
    earliest, latest = start + timedelta(hours=1), anchor - timedelta(hours=1) - span
    while at > latest and at - timedelta(days=1) >= earliest:
        at -= timedelta(days=1)
    while at < earliest and at + timedelta(days=1) <= latest:
        at += timedelta(days=1)
    return min(max(at, earliest), latest)
