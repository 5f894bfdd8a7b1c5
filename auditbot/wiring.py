"""Connecting to an organization: the configured one, or the built-in sandbox when none is set.

Used by the command-line entry points; the Slack app gets its own wiring with the same parts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from pydantic import SecretStr
from slack_sdk import WebClient

from auditbot.atlassian import AdminApiClient, RequestBudget
from auditbot.atlassian.budget import DEFAULT_LIMITS, EVENT, EVENT_ACTIONS, EVENTS, EVENTS_STREAM
from auditbot.config import Settings
from auditbot.core.access import AccessPolicy, Decision, Permission, Place
from auditbot.core.clock import Clock, SystemClock
from auditbot.core.paging import PageStateCodec
from auditbot.services.alert_matching import AlertMatcher
from auditbot.services.alert_state import AlertStateService
from auditbot.services.bot_trail import BotTrailService
from auditbot.services.catalog import ActionCatalog
from auditbot.services.delivery import Delivery, DeliverySettings
from auditbot.services.events import EventLookup
from auditbot.services.export import Exporter
from auditbot.services.handoff import HandoffService
from auditbot.services.ingest import Ingestor
from auditbot.services.keyhealth import KeyHealth
from auditbot.services.search import SearchService
from auditbot.slack.delivery_client import BlockKitAlerts, SlackAlertChannel
from auditbot.slack.deps import SlackDeps
from auditbot.slack.directory import SlackDirectory, SlackUserGroups
from auditbot.slack.guard import access_guard
from auditbot.slack.integrity import SLACK_HOOKS, integrity_middleware, response_url_allowed
from auditbot.slack.payloads import Who
from auditbot.slack.render.alerts import actor_name
from auditbot.slack.render.views import RateBudget
from auditbot.slack.trail import BotTrail
from auditbot.slack.users import UserZones
from auditbot.store.audit_trail import AuditTrail
from auditbot.store.cursors import StreamCursors
from auditbot.store.db import Database, default_url
from auditbot.store.handoff_counts import HandoffCounts
from auditbot.store.ingest_store import SqlIngestStore
from auditbot.store.leases import Leases
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource
from auditbot.store.mirror_summary import MirrorSummary
from auditbot.store.outbox import Outbox, alert_writer
from auditbot.store.schedules import HandoffSchedules
from auditbot.store.snoozes import Snoozes
from auditbot.store.subscriptions import Subscriptions

SANDBOX_SEED = 7
SLACK_PAGE_SIZE = 10


@dataclass(frozen=True)
class OrgConnection:
    client: AdminApiClient
    org_id: str
    sandbox_url: str | None = None
    """Set when this is the built-in sandbox rather than a configured org."""


@contextmanager
def connect(settings: Settings, clock: Clock | None = None) -> Iterator[OrgConnection]:
    """A client for the configured org; without one, a seeded sandbox org served on loopback."""
    clock = clock or SystemClock()
    limits = {**DEFAULT_LIMITS}
    limits.update({path: settings.events_rate_per_minute for path in limits if path != EVENTS_STREAM})
    limits[EVENTS_STREAM] = settings.stream_rate_per_minute
    budget = RequestBudget(clock, limits)
    if settings.has_org:
        assert settings.atlassian_org_id is not None and settings.atlassian_api_key is not None
        client = AdminApiClient.create(
            org_id=settings.atlassian_org_id,
            api_key=settings.atlassian_api_key,
            base_url=settings.atlassian_api_url,
            timeout=settings.http_timeout_seconds,
            clock=clock,
            budget=budget,
        )
        with client:
            yield OrgConnection(client, settings.atlassian_org_id)
        return
    from auditbot.sandbox import SandboxApi, start_server

    api = SandboxApi.generated(SANDBOX_SEED, clock=clock)
    with start_server(api) as running:
        client = AdminApiClient.create(
            org_id=running.org_id,
            api_key=SecretStr(running.api_key),
            base_url=running.base_url,
            timeout=settings.http_timeout_seconds,
            clock=clock,
            budget=budget,
        )
        with client:
            yield OrgConnection(client, running.org_id, sandbox_url=running.base_url)


def search_service(
    connection: OrgConnection,
    settings: Settings,
    clock: Clock,
    *,
    page_size: int,
    secret: bytes,
    store: Database | None = None,
    max_wait: float = 0.0,
) -> SearchService:
    """Search over the live API, and over the mirror when a store holds a fresh copy of the window.

    ``max_wait`` is how long a search may wait for the API's rate budget: 0 for people in Slack (they
    hear "ready in N s"), longer for the terminal, where waiting is what one wants."""
    catalog = ActionCatalog(
        connection.client,
        org_id=connection.org_id,
        clock=clock,
        ttl_seconds=settings.catalog_ttl_seconds,
        max_wait=None,
    )
    codec = PageStateCodec(hashlib.sha256(secret).digest(), connection.org_id)
    mirror = (
        MirrorSearchSource(store, EventMirror(store, clock=clock), StreamCursors(store, clock=clock)) if store else None
    )
    return SearchService(
        connection.client,
        catalog,
        codec,
        clock,
        page_size=page_size,
        max_wait=max_wait,
        mirror=mirror,
        org_id=connection.org_id,
        freshness=timedelta(seconds=settings.mirror_freshness_seconds),
        counter=MirrorSummary(store, clock=clock) if store else None,
    )


def open_store(settings: Settings) -> Database:
    """The configured database (a SQLite file in the data directory by default), migrated to the latest schema."""
    url = settings.database_url.get_secret_value() if settings.database_url else default_url(settings.data_dir)
    database = Database(url)
    try:
        database.migrate()
    except BaseException:
        database.close()
        raise
    return database


def alert_matcher(store: Database, catalog: ActionCatalog, clock: Clock) -> AlertMatcher:
    """Which subscriptions each new event matches (ingest queues the alerts; Slack tells it of changes)."""
    return AlertMatcher(Subscriptions(store, clock), catalog, clock, snoozes=Snoozes(store, clock))


def ingestor(
    connection: OrgConnection,
    store: Database,
    settings: Settings,
    clock: Clock,
    *,
    owner: str,
    matcher: AlertMatcher | None = None,
) -> Ingestor:
    """The org's stream follower (one per replica; the lease picks which one reads). With a
    ``matcher`` every page also queues its alerts, in the page's transaction."""
    write = alert_writer(Outbox(store, clock), matcher) if matcher is not None else None
    return Ingestor(
        connection.client,
        SqlIngestStore(store, clock, write_outbox=write),
        clock,
        org_id=connection.org_id,
        owner=owner,
        backfill=timedelta(days=settings.backfill_days),
        retention=timedelta(days=settings.retention_days),
    )


def delivery(
    store: Database, settings: Settings, clock: Clock, *, slack: WebClient, catalog: ActionCatalog, owner: str
) -> Delivery:
    """The alert poster (one per replica; the lease picks which one posts). ``slack`` must not retry
    posts by itself: ``delivery_client`` makes one."""
    subscriptions = Subscriptions(store, clock)
    return Delivery(
        Outbox(store, clock),
        SlackAlertChannel(slack),
        BlockKitAlerts(),
        subscriptions,
        EventMirror(store, clock=clock),
        lambda action: catalog.snapshot().get(action).display_name,
        Leases(store, clock),
        clock,
        owner=owner,
        snoozes=Snoozes(store, clock),
        settings=DeliverySettings(
            interval=settings.alert_post_interval_seconds,
            burst_threshold=settings.alert_burst_threshold,
            burst_window=settings.alert_burst_window_seconds,
        ),
    )


def page_state_secret(settings: Settings) -> bytes:
    """The key for button state: configured, or derived from the Slack signing secret so replicas agree."""
    if settings.state_secret is not None:
        return settings.state_secret.get_secret_value().encode()
    if settings.slack_signing_secret is not None:
        seed = settings.slack_signing_secret.get_secret_value().encode()
        return hmac.new(seed, b"auditbot page state", hashlib.sha256).digest()
    return os.urandom(32)


def slack_deps(
    connection: OrgConnection, settings: Settings, clock: Clock, *, secret: bytes, store: Database | None = None
) -> SlackDeps:
    """Everything the Slack listeners use; the API key's health is learned from every Admin API answer."""
    key_health = KeyHealth(clock, expires=settings.api_key_expires)
    connection.client.auth_observer = key_health.observe
    trail = (
        BotTrail(BotTrailService(AuditTrail(store, clock)), security_channel=settings.security_channel)
        if store
        else None
    )
    search = search_service(connection, settings, clock, page_size=SLACK_PAGE_SIZE, secret=secret, store=store)
    budget = connection.client.budget
    mirror_source = (
        MirrorSearchSource(store, EventMirror(store, clock=clock), StreamCursors(store, clock=clock)) if store else None
    )
    events = EventLookup(
        connection.client, local=EventMirror(store, clock=clock) if store else None, org_id=connection.org_id
    )
    alert_state = (
        AlertStateService(
            Outbox(store, clock),
            Snoozes(store, clock),
            Subscriptions(store, clock),
            events,
            clock,
            action_name=lambda action: search.catalog.snapshot().get(action).display_name,
            actor_label=actor_name,
        )
        if store
        else None
    )
    handoff = HandoffService(
        connection.client,
        search.catalog,
        clock,
        org_id=connection.org_id,
        digest=HandoffCounts(store) if store else None,
        mirror=mirror_source,
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
        trail=trail,
        key_health=key_health,
        redact_shared=settings.redact_shared,
        subscriptions=Subscriptions(store, clock) if store else None,
        alert_state=alert_state,
        handoff=handoff,
        schedules=HandoffSchedules(store, clock) if store else None,
        budgets=lambda: tuple(
            RateBudget(s.path, s.limit, s.remaining, s.ready_in)
            for s in (budget.status(path) for path in (EVENTS, EVENT, EVENT_ACTIONS, EVENTS_STREAM))
        ),
    )


def _budget_note(status: Any) -> str:
    return f"Admin API budget: {status.remaining} of {status.limit} searches left this minute"


def guards(
    settings: Settings,
    clock: Clock,
    deps: SlackDeps,
    client: WebClient,
    *,
    open_access: bool = False,
    response_prefixes: tuple[str, ...] = (),
) -> list[Callable[..., Any]]:
    """Middleware for every request, in order: replay, duplicate and response_url checks, the access
    policy (refused people do not spend their allowance), then the per-person search limit."""
    replay, dedupe, response_url, rate_limit = integrity_middleware(
        clock, per_minute=settings.user_queries_per_minute, extra_response_prefixes=response_prefixes
    )
    policy = AccessPolicy(
        viewers=settings.viewers,
        admins=settings.admins,
        channels=settings.channels,
        allow_dms=settings.allow_dms,
        allow_shared_channels=settings.allow_shared_channels,
        open=open_access,
    )
    group_ids = [g for g in (*settings.viewers, *settings.admins) if g.startswith("S")]
    groups = SlackUserGroups(client, group_ids, timer=clock.monotonic) if group_ids else None
    deps.access, deps.user_groups = policy, groups  # subscriptions check the channels they post in
    access = access_guard(
        policy,
        SlackDirectory(client, timer=clock.monotonic),
        groups=groups,
        on_decision=denial_recorder(deps, client),
        response_url_ok=partial(response_url_allowed, prefixes=(SLACK_HOOKS, *response_prefixes)),
    )
    return [replay, dedupe, response_url, access, rate_limit]


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
