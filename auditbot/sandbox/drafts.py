"""Event drafts and the shared base of the activity recipes.

A recipe turns one "activity" (a login session, an admin adding someone to a group, an identity
provider sync…) into a few ``Draft`` events with offsets in seconds from the activity's start.
The generator (``generate.py``) decides when activities happen and turns drafts into events.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from auditbot.sandbox.builders import EventFactory, Json, Precision, truncate_us
from auditbot.sandbox.directory import OrgDirectory, Person, Site


@dataclass(frozen=True)
class Draft:
    """An event before it has an id and an exact time."""

    offset: float
    action: str
    actor: Json
    message: str
    context: tuple[Json, ...] = ()
    container: tuple[Json, ...] = ()
    location: Json | None = None
    event_id: str | None = None
    """A fixed id (the README's example event); None: one drawn from the rng."""


class RecipeBase:
    """What every recipe needs: the org, an event factory and a few choices made the same way."""

    def __init__(self, directory: OrgDirectory, factory: EventFactory) -> None:
        self.d = directory
        self.f = factory
        self.jira_sites = tuple(s for s in directory.sites if {"software", "service-desk"} & set(s.products))
        self.wiki_sites = tuple(s for s in directory.sites if "confluence" in s.products)

    def where(self, rng: random.Random, person: Person) -> Json:
        """The location of ``person``: usually the office, sometimes home."""
        ip = person.office_ip if rng.random() < 0.65 else person.home_ip
        return self.f.location(person.city, ip)

    def admin_near(self, rng: random.Random, person: Person) -> Person:
        """An org admin, preferably one in the same time zone as ``person``."""
        local = [a for a in self.d.admins if a.city.tz == person.city.tz]
        return rng.choice(local or list(self.d.admins))

    def org(self) -> tuple[Json, ...]:
        return tuple(self.f.org_container())

    def site(self, site: Site, **extra: str) -> tuple[Json, ...]:
        return tuple(self.f.site_container(site, **extra))


def finish(factory: EventFactory, rng: random.Random, draft: Draft, time_us: int, *, late_share: float = 0.02) -> Json:
    """The full event for ``draft`` at ``time_us``, with an id, a timestamp precision and a processing delay.

    Processing normally follows 0.2-1.5 s after the event; ``late_share`` of events are processed
    2-30 minutes late (the reason ``/events-stream`` exists).
    """
    roll = rng.random()
    precision: Precision = "us" if roll < 0.3 else "ms" if roll < 0.9 else "s"
    time_us = truncate_us(time_us, precision)
    late = rng.random() < late_share
    delay_s = rng.uniform(120, 1800) if late else rng.uniform(0.2, 1.5)
    drawn = str(uuid.UUID(int=rng.getrandbits(128), version=4))  # drawn even when fixed: the rng stays in step
    return factory.event(
        event_id=draft.event_id or drawn,
        time_us=time_us,
        precision=precision,
        processed_us=truncate_us(time_us + int(delay_s * 1_000_000), "ms"),
        action=draft.action,
        actor=draft.actor,
        context=list(draft.context),
        container=list(draft.container),
        message=draft.message,
        location=draft.location,
        relations=rng.random() < 0.3,
    )
