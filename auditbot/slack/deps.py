"""What the Slack listeners work with: the services, and a few facts about the connected org.

The alert parts (``subscriptions``, ``alert_state``) need a store; without one the subscription
commands and the alert buttons say so. ``alerts_changed`` is called after every change to subscriptions or
snoozes, so alert matching picks it up. ``access`` (with ``user_groups``) is the policy the access
guard applies; the subscription commands ask it whether a subscription may post in a channel.

``auditbot.runtime.build_runtime`` builds it, with every part made before it; it is frozen, so what a
listener sees is what was built (a test that wants other parts builds another with
``dataclasses.replace``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from auditbot.core.access import AccessPolicy
from auditbot.core.clock import Clock
from auditbot.services.alert_list import AlertListService
from auditbot.services.alert_state import AlertStateService
from auditbot.services.catalog import ActionCatalog
from auditbot.services.events import EventLookup
from auditbot.services.export import Exporter
from auditbot.services.handoff import HandoffService
from auditbot.services.keyhealth import KeyHealth
from auditbot.services.schedules import ScheduleService
from auditbot.services.search import SearchService
from auditbot.services.subscriptions import SubscriptionService
from auditbot.slack.directory import UserGroups
from auditbot.slack.render.views import RateBudget
from auditbot.slack.trail import BotTrail
from auditbot.slack.users import UserZones

DEFAULT_QUICK_QUERIES: tuple[tuple[str, str], ...] = (
    ("Admins granted, last 7 days", "action:added_org_admin last:7d"),
    ("Failed logins, last 24 h", "action:user_login_failed last:24h"),
    ("API tokens, last 7 days", 'group:"API tokens" last:7d'),
    ("Policy changes, last 7 days", 'group:"Authentication policies" last:7d'),
)


@dataclass(frozen=True)
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
    """A line for App Home about the local mirror (how fresh it is, and ingest's last run), when there is a store."""
    subscriptions: SubscriptionService | None = None
    """The workspace's alert subscriptions (it tells alert matching of every change); None (no store)
    turns the subscription commands off."""
    alert_state: AlertStateService | None = None
    """Acknowledge and snooze, for the buttons on alerts."""
    alert_list: AlertListService | None = None
    """Posted alerts by triage state (``/audit alerts``, App Home's "Assigned to you"); None (no store)."""
    resolve_admins_only: bool = False
    """Resolving and reopening an alert need ADMIN (``AUDITBOT_RESOLVE_ADMINS_ONLY``); else SEARCH, as assigning."""
    alerts_changed: Callable[[], None] = field(default=lambda: None)  # nothing to tell by default
    """Called after subscriptions or snoozes change (``AlertMatcher.invalidate``)."""
    access: AccessPolicy | None = None
    """The access policy, to check the channel a subscription posts in. None: a subscription may only
    post in the conversation where it is made (which the access guard has already let through)."""
    handoff: HandoffService | None = None
    """The on-call handoff digest (``/audit handoff``)."""
    user_groups: UserGroups | None = None
    """User group lookups for ``access`` when it names groups (as the access guard has)."""
    schedules: ScheduleService | None = None
    """Scheduled handoff digests (``/audit digest schedule``); None (no store) turns those commands off."""
