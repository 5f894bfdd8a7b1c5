"""Wire models for the Admin API's envelopes: event pages, the action list and error bodies.

Real pages vary: ``meta.next`` may be a string, ``null``, ``""`` or absent; ``meta`` carries
extra keys (``prev``, ``total``, ``start_index``…); ``links`` may be ``{}``. All of it parses.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from auditbot.core.model import AuditAction, AuditEvent, EventPage, PageLinks, PageMeta, WireModel

__all__ = [
    "ApiErrorBody",
    "ApplicationErrorItem",
    "EventActionItem",
    "EventActionsPage",
    "EventEnvelope",
    "EventPage",
    "PageLinks",
    "PageMeta",
    "json_body",
]


class EventEnvelope(WireModel):
    """``/events/{eventId}`` answers ``{"data": <event>}``."""

    data: AuditEvent


class EventActionAttributes(WireModel):
    display_name: str = Field(default="", alias="displayName")
    group_display_name: str = Field(default="", alias="groupDisplayName")


class EventActionItem(WireModel):
    id: str
    type: str | None = None
    attributes: EventActionAttributes = Field(default_factory=EventActionAttributes)


class EventActionsPage(WireModel):
    data: list[EventActionItem] = Field(default_factory=list)

    def to_actions(self) -> list[AuditAction]:
        """Domain actions; ids are lower-cased (real events carry them so) and blank names left blank."""
        return [
            AuditAction(
                id=item.id.lower(),
                display_name=item.attributes.display_name,
                group=item.attributes.group_display_name,
            )
            for item in self.data
        ]


class ApplicationErrorItem(WireModel):
    id: str | None = None
    status: str | int | None = None
    code: str | None = None
    title: str | None = None
    detail: str | None = None


class ApiErrorBody(WireModel):
    """Either shape the API uses for errors: ``{"errors": [...]}`` or ``{"code": n, "message": "..."}``."""

    errors: list[ApplicationErrorItem] | None = None
    code: int | float | str | None = None
    message: str | None = None
    error: str | None = None

    def summary(self) -> tuple[str | None, str | None]:
        """(code, human text) from whichever shape this body has."""
        if self.errors:
            first = self.errors[0]
            return first.code, first.detail or first.title
        code = None if self.code is None else str(self.code)
        return code, self.message or self.error


def json_body(value: WireModel) -> dict[str, Any]:
    return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
