"""Connecting to an organization: the configured one, or the built-in sandbox when none is set.

Used by the command-line entry points; the Slack app gets its own wiring with the same parts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pydantic import SecretStr

from auditbot.atlassian import AdminApiClient, RequestBudget
from auditbot.atlassian.budget import DEFAULT_LIMITS, EVENT, EVENT_ACTIONS, EVENTS, EVENTS_STREAM
from auditbot.config import Settings
from auditbot.core.clock import Clock, SystemClock
from auditbot.core.paging import PageStateCodec
from auditbot.services.catalog import ActionCatalog
from auditbot.services.events import EventLookup
from auditbot.services.export import Exporter
from auditbot.services.search import SearchService
from auditbot.slack.deps import SlackDeps
from auditbot.slack.render.views import RateBudget
from auditbot.slack.users import UserZones
from auditbot.store.db import Database, default_url

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
    connection: OrgConnection, settings: Settings, clock: Clock, *, page_size: int, secret: bytes
) -> SearchService:
    catalog = ActionCatalog(
        connection.client,
        org_id=connection.org_id,
        clock=clock,
        ttl_seconds=settings.catalog_ttl_seconds,
        max_wait=None,
    )
    codec = PageStateCodec(hashlib.sha256(secret).digest(), connection.org_id)
    return SearchService(connection.client, catalog, codec, clock, page_size=page_size, max_wait=120.0)


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


def page_state_secret(settings: Settings) -> bytes:
    """The key for button state: configured, or derived from the Slack signing secret so replicas agree."""
    if settings.state_secret is not None:
        return settings.state_secret.get_secret_value().encode()
    if settings.slack_signing_secret is not None:
        seed = settings.slack_signing_secret.get_secret_value().encode()
        return hmac.new(seed, b"auditbot page state", hashlib.sha256).digest()
    return os.urandom(32)


def slack_deps(connection: OrgConnection, settings: Settings, clock: Clock, *, secret: bytes) -> SlackDeps:
    search = search_service(connection, settings, clock, page_size=SLACK_PAGE_SIZE, secret=secret)
    budget = connection.client.budget
    return SlackDeps(
        search=search,
        catalog=search.catalog,
        events=EventLookup(connection.client),
        exporter=Exporter(search, search.codec),
        clock=clock,
        zones=UserZones(clock),
        org_id=connection.org_id,
        sandbox=connection.sandbox_url is not None,
        budgets=lambda: tuple(
            RateBudget(s.path, s.limit, s.remaining, s.ready_in)
            for s in (budget.status(path) for path in (EVENTS, EVENT, EVENT_ACTIONS, EVENTS_STREAM))
        ),
    )
