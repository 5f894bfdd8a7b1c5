"""A seeded, live sandbox org: ``days`` of history before the anchor, and more as the clock moves on.

Events are made per UTC hour with an RNG seeded from (seed, hour number since the epoch), so an
hour's events are the same whenever, and in whatever order, hours are made. Hours are made
lazily, up to the hour the clock is in. Volume follows each city's local working day: busy on
weekday business hours, quiet at night and at weekends. Incidents (``incidents.py``) are placed
by the seed and the anchor and added to the hour they fall in.
"""

from __future__ import annotations

import math
import random
import threading
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from auditbot.sandbox.admin import AdminRecipes
from auditbot.sandbox.builders import EventFactory, Json, from_us, to_us
from auditbot.sandbox.data import HOME_CITIES, City
from auditbot.sandbox.directory import OrgDirectory, Person, build_directory
from auditbot.sandbox.drafts import Draft, finish
from auditbot.sandbox.incidents import Incident, IncidentPlanner
from auditbot.sandbox.people import PeopleRecipes
from auditbot.sandbox.store import EventIndex, IndexedEvent

HOUR_US = 3_600_000_000

LOCAL_PROFILE: tuple[float, ...] = (
    0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.08, 0.3, 0.8, 1.0, 1.0, 1.0,
    0.6, 1.0, 1.0, 1.0, 0.95, 0.7, 0.35, 0.18, 0.14, 0.1, 0.06, 0.03,
)  # fmt: skip
"""Relative activity by local hour of day."""
WEEKEND_FACTOR = 0.15
ACTIVITY_RATE = 0.06
"""Activities per unit of personal activity weight per fully busy hour (≈ 400 events a weekday)."""
SCIM_EVERY_HOURS = 4


class Recipes(PeopleRecipes, AdminRecipes):
    """Every activity recipe with its relative frequency."""

    def __init__(self, directory: OrgDirectory, factory: EventFactory) -> None:
        super().__init__(directory, factory)
        weighted = (
            (self.session, 52), (self.issue_views, 8), (self.failed_login, 4), (self.logout, 4),
            (self.group_membership, 6), (self.product_access, 2.5), (self.profile_viewed, 2),
            (self.password_change, 1.5), (self.space_permission, 1.5), (self.users_viewed, 1.5),
            (self.invite, 1.2), (self.provisioning_token, 1.0), (self.password_reset, 1.0),
            (self.detail_change, 0.8), (self.app_restriction, 0.8), (self.twosv_enabled, 0.5),
            (self.group_change, 0.4), (self.removed_from_site, 0.4), (self.token_housekeeping, 0.2),
            (self.app_installed, 0.2), (self.audit_export, 0.15), (self.org_policy_change, 0.15),
            (self.domain_check, 0.05),
        )  # fmt: skip
        self.recipes = [recipe for recipe, _ in weighted]
        self.cum_weights = list(accumulate(weight for _, weight in weighted))


class GeneratedOrg:
    """The seeded live org; an ``EventSource`` for ``SandboxApi``."""

    def __init__(self, seed: int = 1, *, anchor: datetime, days: int = 30, activity: float = 1.0) -> None:
        """``activity`` scales how busy people are (1: about 400 events a weekday; 0.3: an event every
        few minutes in working hours and quiet hours at night)."""
        if anchor.tzinfo is None:
            raise ValueError("anchor must be timezone-aware")
        if days < 1:
            raise ValueError("days must be at least 1")
        if activity < 0:
            raise ValueError("activity must not be negative")
        self.activity = activity
        self.seed = seed
        self.days = days
        self.anchor = anchor.astimezone(UTC)
        self.directory = build_directory(seed)
        self.org_id = self.directory.org_id
        self.window_start = from_us(to_us(self.anchor - timedelta(days=days)) // HOUR_US * HOUR_US)
        self._factory = EventFactory(self.directory)
        self._recipes = Recipes(self.directory, self._factory)
        self._cities = [_CityCrowd(city, self.directory.people_in(city), activity) for city in HOME_CITIES]
        planner = IncidentPlanner(self.directory, self._factory)
        self.incidents: list[Incident]
        self.incidents, incident_events = planner.events(seed, self.window_start, self.anchor)
        self._incident_events: dict[int, list[Json]] = {}
        for event in incident_events:
            hour = to_us(datetime.fromisoformat(event["attributes"]["time"])) // HOUR_US
            self._incident_events.setdefault(hour, []).append(event)
        self._lock = threading.Lock()
        self._index = EventIndex.build(())
        self._next_hour = to_us(self.window_start) // HOUR_US

    def incident(self, name: str) -> Incident:
        return next(i for i in self.incidents if i.name == name)

    def index(self, now: datetime) -> EventIndex:
        """Every event of every hour up to the one ``now`` falls in (later ones are made on a later call)."""
        last_hour = to_us(now) // HOUR_US
        with self._lock:
            if self._next_hour <= last_hour:
                made = [
                    _indexed(event)
                    for hour in range(self._next_hour, last_hour + 1)
                    for event in self.hour_events(hour)
                ]
                self._index = self._index.extended(made)
                self._next_hour = last_hour + 1
            return self._index

    def hour_events(self, hour: int) -> list[Json]:
        """The events of UTC hour number ``hour`` (hours since the epoch); the same on every call."""
        rng = random.Random(f"auditbot-sandbox-hour:{self.seed}:{hour}")
        start = from_us(hour * HOUR_US)
        activities: list[list[Draft]] = []
        for crowd in self._cities:
            for _ in range(_poisson(rng, crowd.expected(start))):
                person = rng.choices(crowd.people, cum_weights=crowd.cum_weights)[0]
                recipe = rng.choices(self._recipes.recipes, cum_weights=self._recipes.cum_weights)[0]
                activities.append(recipe(rng, person))
        if hour % SCIM_EVERY_HOURS == self.seed % SCIM_EVERY_HOURS:
            activities.append(self._recipes.scim_sync(rng))
        if rng.random() < 0.02:
            activities.append(self._recipes.system_rare(rng))
        events: list[Json] = []
        for drafts in activities:
            span = max(d.offset for d in drafts)
            begin = rng.uniform(0.0, max(1.0, 3599.0 - span))
            for draft in drafts:
                events.append(finish(self._factory, rng, draft, hour * HOUR_US + int((begin + draft.offset) * 1e6)))
        events.extend(self._incident_events.get(hour, ()))
        return events


class _CityCrowd:
    """The people of one home city, with their activity weights, and how busy the city is at a given hour."""

    def __init__(self, city: City, people: tuple[Person, ...], activity: float = 1.0) -> None:
        self.people = people
        self.cum_weights = list(accumulate(p.activity for p in people))
        self.total = (self.cum_weights[-1] if people else 0.0) * activity
        self.zone = ZoneInfo(city.tz) if people else None

    def expected(self, hour_start: datetime) -> float:
        if self.zone is None:
            return 0.0
        local = hour_start.astimezone(self.zone)
        weekday = 1.0 if local.weekday() < 5 else WEEKEND_FACTOR
        return self.total * ACTIVITY_RATE * LOCAL_PROFILE[local.hour] * weekday


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _indexed(event: Json) -> IndexedEvent:
    attributes = event["attributes"]
    return IndexedEvent.build(
        event, datetime.fromisoformat(attributes["time"]), datetime.fromisoformat(attributes["processedAt"])
    )
