"""Domain types for audit events and actions.

An ``AuditEvent`` keeps the Admin API's own JSON shape: field names are the API's (through
aliases), every key the API sends is kept (``extra="allow"``), and everything that real
responses omit or send as ``null`` is optional. ``event.model_dump(mode="json", by_alias=True,
exclude_unset=True)`` gives the event back as the API sent it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SYSTEM_ACTOR_ID = "atlassian-internal-system"
"""The actor id Atlassian uses for changes made by its own systems."""


class WireModel(BaseModel):
    """Base for every API-shaped model: tolerant of extra keys, immutable, round-trips its aliases."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class Links(WireModel):
    self_: str | None = Field(default=None, alias="self")
    alt: str | None = None


class ActorAuth(WireModel):
    auth_type: str | None = Field(default=None, alias="authType")
    token_id: str | None = Field(default=None, alias="tokenId")
    token_label: str | None = Field(default=None, alias="tokenLabel")


class OnBehalfOf(WireModel):
    id: str
    name: str | None = None
    email: str | None = None


class ActorApp(WireModel):
    id: str
    type: str | None = None
    attributes: dict[str, Any] | None = None


class Actor(WireModel):
    id: str
    name: str | None = None
    email: str | None = None
    auth: ActorAuth | None = None
    on_behalf_of: OnBehalfOf | None = Field(default=None, alias="onBehalfOf")
    app: ActorApp | None = None
    links: Links | None = None

    @property
    def is_system(self) -> bool:
        return self.id == SYSTEM_ACTOR_ID

    @property
    def label(self) -> str:
        """The most readable name for this actor: email, then name, then id."""
        if self.email and "@" in self.email:
            return self.email
        return self.name or self.email or self.id


class EventObject(WireModel):
    """An item of an event's ``context`` (what was touched) or ``container`` (where)."""

    id: str | None = None
    type: str | None = None
    attributes: dict[str, Any] | None = None
    links: Links | None = None

    @property
    def label(self) -> str:
        attrs = self.attributes or {}
        for key in ("name", "groupName", "siteName", "siteHostName", "email", "issueKeyOrId"):
            value = attrs.get(key)
            if isinstance(value, str) and value:
                return value
        return self.id or self.type or "?"


class Location(WireModel):
    ip: str | None = None
    geo: str | None = None
    country_name: str | None = Field(default=None, alias="countryName")
    region_name: str | None = Field(default=None, alias="regionName")
    city: str | None = None

    @property
    def place(self) -> str | None:
        """``"City, Country"`` or whichever of the two is known."""
        parts = [p for p in (self.city, self.country_name) if p]
        return ", ".join(parts) if parts else None


class EventMessage(WireModel):
    content: str | None = None
    format: str | None = None


class EventAttributes(WireModel):
    time: datetime
    processed_at: datetime | None = Field(default=None, alias="processedAt")
    action: str
    actor: Actor
    context: list[EventObject] | None = None
    container: list[EventObject] | None = None
    location: Location | None = None


class AuditEvent(WireModel):
    """One audit-log event, as ``/events``, ``/events/{id}`` and ``/events-stream`` return it."""

    id: str
    type: str | None = None
    attributes: EventAttributes
    links: Links | None = None
    message: EventMessage | None = None

    @property
    def time(self) -> datetime:
        return _as_utc(self.attributes.time)

    @property
    def processed_at(self) -> datetime:
        """When Atlassian processed the event; the event time when the API did not say."""
        return _as_utc(self.attributes.processed_at or self.attributes.time)

    @property
    def action(self) -> str:
        return self.attributes.action

    @property
    def actor(self) -> Actor:
        return self.attributes.actor

    @property
    def ip(self) -> str | None:
        location = self.attributes.location
        return location.ip if location else None

    @property
    def context(self) -> list[EventObject]:
        return self.attributes.context or []

    @property
    def container(self) -> list[EventObject]:
        return self.attributes.container or []

    def to_api_json(self) -> dict[str, Any]:
        """The event in the API's own JSON shape (aliases, extra keys kept, unset keys left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class PageMeta(WireModel):
    next: str | None = None
    page_size: int | None = None


class PageLinks(WireModel):
    self_: str | None = Field(default=None, alias="self")
    prev: str | None = None
    next: str | None = None


class EventPage(WireModel):
    """A page of ``/events`` (newest first) or ``/events-stream`` (by processing time)."""

    data: list[AuditEvent] = Field(default_factory=list)
    meta: PageMeta = Field(default_factory=PageMeta)
    links: PageLinks | None = None

    @property
    def next_cursor(self) -> str | None:
        """The cursor of the next page, or ``None`` at the end (absent, null and "" all mean the end)."""
        return self.meta.next or None


class AuditAction(WireModel):
    """An entry of the action catalog (``/event-actions``) in domain form."""

    id: str
    display_name: str
    group: str


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
