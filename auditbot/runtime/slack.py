"""The Slack side of a process: the access policy, ``SlackDeps`` (what the listeners use) and its middleware.

Everything ``SlackDeps`` holds is made before it (the policy, the user groups, the App Home line, the
callback that tells alert matching of changes), so it is built once, frozen, and never changed.
The middleware's order is the Slack package's business (``slack.middleware.chain``); this module
only hands it its parts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient

from auditbot.atlassian.budget import EVENT, EVENT_ACTIONS, EVENTS, EVENTS_STREAM
from auditbot.config import Settings
from auditbot.core.access import AccessPolicy, Decision, Permission, Place
from auditbot.core.clock import Clock
from auditbot.runtime.org import OrgConnection, page_state_secret
from auditbot.services.alert_list import AlertListService
from auditbot.services.alert_state import AlertStateService
from auditbot.services.bot_trail import BotTrailService
from auditbot.services.events import EventLookup
from auditbot.services.export import Exporter
from auditbot.services.handoff import HandoffService
from auditbot.services.keyhealth import KeyHealth
from auditbot.services.plan import resolve
from auditbot.services.schedules import ScheduleService
from auditbot.services.search import SearchService
from auditbot.services.subscriptions import SubscriptionPreview, SubscriptionService
from auditbot.services.trail_pages import TrailPageCodec
from auditbot.services.triage import TriageService
from auditbot.slack.channel_names import ChannelNames
from auditbot.slack.deps import SlackDeps
from auditbot.slack.directory import SlackDirectory, SlackUserGroups, UserGroups
from auditbot.slack.middleware import Access, Middleware, chain
from auditbot.slack.payloads import Who
from auditbot.slack.render.alerts import actor_name
from auditbot.slack.render.views import RateBudget
from auditbot.slack.trail import BotTrail
from auditbot.slack.users import UserZones
from auditbot.store.repositories import Repositories


def access_policy(settings: Settings, *, open_access: bool = False) -> AccessPolicy:
    """Who may do what, where (``open_access``: everyone everywhere, as in the demo)."""
    return AccessPolicy(
        viewers=settings.viewers,
        admins=settings.admins,
        channels=settings.channels,
        allow_dms=settings.allow_dms,
        allow_shared_channels=settings.allow_shared_channels,
        open=open_access,
    )


def user_groups(settings: Settings, client: WebClient, clock: Clock) -> UserGroups | None:
    """Lookups of the user groups the policy names (Slack ids starting with S); None when it names none."""
    group_ids = [g for g in (*settings.viewers, *settings.admins) if g.startswith("S")]
    return SlackUserGroups(client, group_ids, timer=clock.monotonic) if group_ids else None


def slack_deps(
    connection: OrgConnection,
    settings: Settings,
    clock: Clock,
    *,
    search: SearchService,
    key_health: KeyHealth,
    repositories: Repositories | None = None,
    access: AccessPolicy | None = None,
    groups: UserGroups | None = None,
    mirror_status: Callable[[], str | None] | None = None,
    alerts_changed: Callable[[], None] | None = None,
) -> SlackDeps:
    """Everything the Slack listeners use (``search``: ``org.search_service`` with Slack's page size, which
    never waits for the budget); the alert, schedule and trail parts need ``repositories``."""
    stored = repositories
    changed = alerts_changed or _nothing
    budget = connection.client.budget
    events = EventLookup(connection.client, local=stored.mirror if stored else None, org_id=connection.org_id)
    alert_state = (
        AlertStateService(
            stored.outbox,
            stored.snoozes,
            stored.subscriptions,
            events,
            clock,
            action_name=lambda action: search.catalog.snapshot().get(action).display_name,
            actor_label=actor_name,
            triage=TriageService(stored.alert_states, clock),
            states=stored.alert_states,
            changed=changed,
        )
        if stored
        else None
    )
    handoff = HandoffService(
        connection.client,
        search.catalog,
        clock,
        org_id=connection.org_id,
        digest=stored.handoff_counts if stored else None,
        mirror=stored.mirror_search if stored else None,
        alerts=alert_state,
        freshness=timedelta(seconds=settings.mirror_freshness_seconds),
        budget_note=lambda: _budget_note(budget.status(EVENTS)),
    )
    return SlackDeps(
        search=search,
        catalog=search.catalog,
        events=events,
        exporter=Exporter(search, search.codec),
        clock=clock,
        zones=UserZones(clock),
        org_id=connection.org_id,
        sandbox=connection.sandbox_url is not None,
        trail=(
            BotTrail(
                BotTrailService(stored.trail, pages=TrailPageCodec(page_state_secret(settings))),
                names=ChannelNames(timer=clock.monotonic),
                security_channel=settings.security_channel,
            )
            if stored
            else None
        ),
        key_health=key_health,
        redact_shared=settings.redact_shared,
        mirror_status=mirror_status,
        subscriptions=(
            SubscriptionService(
                stored.subscriptions,
                SubscriptionPreview(search, clock),
                changed=changed,
                resolved=stored.alert_states,
                clock=clock,
            )
            if stored
            else None
        ),
        alert_state=alert_state,
        alert_list=(
            AlertListService(
                stored.alert_states,
                events,
                lambda action: search.catalog.snapshot().get(action).display_name,
                lambda query: resolve(query, search.catalog.snapshot()),
                secret=page_state_secret(settings),
            )
            if stored
            else None
        ),
        alerts_changed=changed,
        resolve_admins_only=settings.resolve_admins_only,
        access=access,
        handoff=handoff,
        user_groups=groups,
        schedules=ScheduleService(stored.schedules, search.catalog, clock) if stored else None,
        budgets=lambda: tuple(
            RateBudget(s.path, s.limit, s.remaining, s.ready_in)
            for s in (budget.status(path) for path in (EVENTS, EVENT, EVENT_ACTIONS, EVENTS_STREAM))
        ),
    )


def slack_middleware(
    settings: Settings, clock: Clock, deps: SlackDeps, client: WebClient, *, response_prefixes: Sequence[str] = ()
) -> list[Middleware]:
    """The middleware for every request (``slack.middleware.chain`` decides the order), guarding with
    the policy ``deps`` holds and recording refusals (the policy's and the search limit's) in its trail."""
    access = (
        Access(
            deps.access,
            SlackDirectory(client, timer=clock.monotonic),
            groups=deps.user_groups,
            on_decision=denial_recorder(deps, client),
        )
        if deps.access is not None
        else None
    )
    return chain(
        clock,
        per_minute=settings.user_queries_per_minute,
        response_prefixes=response_prefixes,
        access=access,
        trail=deps.trail,
    )


def denial_recorder(deps: SlackDeps, client: WebClient) -> Callable[..., None]:
    """Writes every refusal into the bot's own audit trail (allowed requests are recorded by the listeners)."""

    def on_decision(
        decision: Decision, who: Who, place: Place, permission: Permission, kind: str, query: str | None
    ) -> None:
        if decision.allowed or deps.trail is None:
            return
        deps.trail.record(
            client,
            team_id=who.team_id,
            user_id=who.user_id,
            kind="denied",
            outcome="denied",
            query=query,
            channel_id=place.channel_id,
            detail=f"{permission.value} {kind}: {decision.reason}",
        )

    return on_decision


def _budget_note(status: Any) -> str:
    return f"Admin API budget: {status.remaining} of {status.limit} searches left this minute"


def _nothing() -> None:
    """Nobody to tell that subscriptions changed (no alert matching in this process)."""
