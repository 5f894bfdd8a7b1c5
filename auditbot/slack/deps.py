"""What the Slack listeners work with: the services, and a few facts about the connected org."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from auditbot.core.clock import Clock
from auditbot.services.catalog import ActionCatalog
from auditbot.services.events import EventLookup
from auditbot.services.export import Exporter
from auditbot.services.keyhealth import KeyHealth
from auditbot.services.search import SearchService
from auditbot.slack.render.views import RateBudget
from auditbot.slack.trail import BotTrail
from auditbot.slack.users import UserZones

DEFAULT_QUICK_QUERIES: tuple[tuple[str, str], ...] = (
    ("Admins granted, last 7 days", "action:added_org_admin last:7d"),
    ("Failed logins, last 24 h", "action:user_login_failed last:24h"),
    ("API tokens, last 7 days", 'group:"API tokens" last:7d'),
    ("Policy changes, last 7 days", 'group:"Authentication policies" last:7d'),
)


@dataclass
class SlackDeps:
    search: SearchService
    catalog: ActionCatalog
    events: EventLookup
    exporter: Exporter
    clock: Clock
    zones: UserZones
    org_id: str
    sandbox: bool
    budgets: Callable[[], tuple[RateBudget, ...]]
    quick_queries: tuple[tuple[str, str], ...] = field(default=DEFAULT_QUICK_QUERIES)
    trail: BotTrail | None = None
    """auditbot's own audit trail (queries, shares, exports, denials); None keeps no trail."""
    key_health: KeyHealth | None = None
    redact_shared: bool = False
    mirror_status: Callable[[], str | None] | None = None
    """A line for App Home about the local mirror (ingest's last run), when ingest runs."""
