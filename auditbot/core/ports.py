"""What the services need from the outside world, as small protocols and plain values.

``AuditLogApi`` is the Admin API as the services see it; ``auditbot.atlassian.AdminApiClient``
implements it over HTTP. ``EventFilters`` are the server-side filters of ``/events``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from auditbot.core.model import AuditAction, AuditEvent, EventPage

SortOrder = Literal["asc", "desc"]


@dataclass(frozen=True, slots=True)
class PlaceFilter:
    """One ``location`` entry: the API matches on city and country name."""

    city: str | None = None
    country_name: str | None = None


@dataclass(frozen=True, slots=True)
class EventFilters:
    """The filters ``/events`` applies on the server. Empty tuples and ``None`` mean "any"."""

    q: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    action: str | None = None
    actors: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    locations: tuple[PlaceFilter, ...] = ()


class AuditLogApi(Protocol):
    """The four audit-log operations of the Admin API, named as the API names them."""

    def list_events(
        self,
        filters: EventFilters | None = None,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        max_wait: float | None = None,
    ) -> EventPage: ...

    def get_event(self, event_id: str, *, max_wait: float | None = None) -> AuditEvent: ...

    def list_event_actions(self, *, locale: str | None = None, max_wait: float | None = None) -> list[AuditAction]: ...

    def poll_events(
        self,
        *,
        cursor: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        sort_order: SortOrder | None = None,
        max_wait: float | None = None,
    ) -> EventPage: ...
