"""Security incidents woven into the generated history, at places fixed by the seed and the anchor.

Each incident is a short sequence of drafts placed at a local time of day in the actor's time
zone, inside the generated window and at least an hour before the anchor, so that every incident
is visible as soon as the sandbox starts. ``Incident.event_ids`` lets tests and demos find them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from auditbot.sandbox.builders import Json, to_us
from auditbot.sandbox.data import UNUSUAL_CITIES, UNUSUAL_HOST_MIN, City
from auditbot.sandbox.directory import ApiToken, Person, random_uuid
from auditbot.sandbox.drafts import Draft, RecipeBase, finish


@dataclass(frozen=True)
class Incident:
    """A woven-in incident: its name, a one-line summary and the ids of its events in time order."""

    name: str
    summary: str
    event_ids: tuple[str, ...]


@dataclass(frozen=True)
class _Plan:
    name: str
    summary: str
    actor: Person
    local_time: time
    window_share: float
    """How far back from the anchor, as a share of the window."""
    drafts: list[Draft]


class IncidentPlanner(RecipeBase):
    """Builds the incident plans for one org; ``events`` turns them into events for a window."""

    def events(self, seed: int, start: datetime, anchor: datetime) -> tuple[list[Incident], list[Json]]:
        rng = random.Random(f"auditbot-sandbox-incidents:{seed}:{to_us(anchor)}")
        incidents: list[Incident] = []
        events: list[Json] = []
        for plan in self._plans(rng, (anchor - start).total_seconds()):
            at = _place(plan, start, anchor) + timedelta(seconds=rng.uniform(0, 50))
            batch = [finish(self.f, rng, d, to_us(at) + int(d.offset * 1_000_000), late_share=0.0) for d in plan.drafts]
            events.extend(batch)
            incidents.append(Incident(plan.name, plan.summary, tuple(e["id"] for e in batch)))
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
            Draft(rng.uniform(90, 240), "added_org_admin", actor, granted, item, self.org(), where),
        ]
        summary = f"{admin.email} made {target.email} an org admin at night from {UNUSUAL_CITIES[0].country}"
        return _Plan("admin_granted_at_night", summary, admin, time(3, 12), 0.15, drafts)

    def _failed_burst(self, rng: random.Random, target: Person) -> _Plan:
        where = self._unusual(rng, UNUSUAL_CITIES[1])
        actor, failed = self.f.actor(target), f"{target.name} failed to log in"
        offsets = sorted(rng.uniform(0, 360) for _ in range(25))
        drafts = [Draft(o, "user_login_failed", actor, failed, location=where) for o in offsets]
        success = offsets[-1] + rng.uniform(20, 90)
        drafts.append(Draft(success, "user_login", actor, f"{target.name} logged in", location=where))
        summary = f"25 failed logins for {target.email} from {where['ip']}, then a successful login"
        return _Plan("failed_login_burst", summary, target, time(22, 41), 0.35, drafts)

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
        summary = f"API key created by {admin.email}, used later from {UNUSUAL_CITIES[2].country}"
        return _Plan("api_token_unusual_ip", summary, admin, time(11, 20), 0.55, drafts)

    def _policy_deleted(self, rng: random.Random, admin: Person) -> _Plan:
        policy = next(p for p in self.d.auth_policies if p.name == "contractors")
        item, deleted = (self.f.auth_policy_item(policy),), f"Deleted authentication policy {policy.name}"
        where = self.where(rng, admin)
        drafts = [Draft(0.0, "auth_policy_deleted", self.f.actor(admin), deleted, item, self.org(), where)]
        summary = f"{admin.email} deleted the authentication policy {policy.name}"
        return _Plan("auth_policy_deleted", summary, admin, time(16, 34), 0.45, drafts)

    def _impersonation(self, rng: random.Random, admin: Person, target: Person) -> _Plan:
        item, text = (self.f.user_item(target),), f"Logged in as {target.email}"
        where, container = self.where(rng, admin), self.site(self.d.sites[0])
        drafts = [Draft(0.0, "user_logged_in_as_user", self.f.actor(admin), text, item, container, where)]
        summary = f"{admin.email} logged in as {target.email}"
        return _Plan("user_impersonation", summary, admin, time(15, 8), 0.25, drafts)


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
