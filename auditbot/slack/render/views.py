"""View models the renderers take besides the services' own types (ResultPage, AuditEvent, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditbot.services.subscriptions import Subscription


@dataclass(frozen=True, slots=True)
class Message:
    """A Slack message: ``text`` is the notification and screen-reader fallback, ``blocks`` the layout."""

    text: str
    blocks: list[dict[str, Any]]

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


@dataclass(frozen=True, slots=True)
class RateBudget:
    path: str
    limit: int
    remaining: int
    ready_in: float


@dataclass(frozen=True, slots=True)
class HomeView:
    """What App Home shows: the org, whether the key works, the rate budget, quick queries, subscriptions."""

    org_id: str
    sandbox: bool
    key_ok: bool | None
    """True: the API answered; False: it rejected the key; None: not checked yet."""
    key_problem: str | None = None
    key_expires: datetime | None = None
    budgets: tuple[RateBudget, ...] = ()
    catalog_note: str | None = None
    mirror_note: str | None = None
    """How far behind the local mirror of the audit log is (or why it is not updating)."""
    quick_queries: tuple[tuple[str, str], ...] = ()
    """(label, query text) pairs offered as buttons."""
    subscriptions: tuple[Subscription, ...] | None = None
    """The workspace's alert subscriptions; None when auditbot keeps none (no store), hiding the section."""


@dataclass(frozen=True, slots=True)
class SearchFormPrefill:
    """Initial values of the search form (from a query or a message being investigated)."""

    since: datetime | None = None
    until: datetime | None = None
    actions: tuple[tuple[str, str], ...] = ()
    """(action id, display name) already selected."""
    actors: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    text: str = ""
    notes: tuple[str, ...] = field(default=())
