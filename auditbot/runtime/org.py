"""The organization a process talks to, and the store it keeps: ``connect``, ``search_service``, ``open_store``.

``connect`` is the one place an ``AdminApiClient`` is built for a process: for the configured org,
or, when none is set, for a seeded sandbox org served on loopback (or the running sandbox the
caller passes, as the demo does). Its observers are given at construction.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from pydantic import SecretStr

from auditbot.atlassian import AdminApiClient, RequestBudget
from auditbot.atlassian.budget import DEFAULT_LIMITS, EVENTS_STREAM
from auditbot.atlassian.client import ResponseObserver
from auditbot.config import Settings
from auditbot.core.clock import Clock, SystemClock
from auditbot.core.errors import ApiUnauthorized
from auditbot.core.paging import PageStateCodec
from auditbot.services.catalog import ActionCatalog
from auditbot.services.search import SearchService
from auditbot.store.db import Database, default_url
from auditbot.store.repositories import Repositories

if TYPE_CHECKING:
    from auditbot.sandbox import RunningSandbox

SANDBOX_SEED = 7
SLACK_PAGE_SIZE = 10
TERMINAL_MAX_WAIT = 120.0
"""How long a terminal search waits for the API's rate budget by default (people in Slack never wait)."""


@dataclass(frozen=True)
class OrgConnection:
    client: AdminApiClient
    org_id: str
    sandbox_url: str | None = None
    """Set when this is the built-in sandbox rather than a configured org."""


@dataclass(frozen=True)
class ApiObservers:
    """Who hears of every Admin API answer: the key's health, and the metrics."""

    auth: Callable[[ApiUnauthorized | None], None] | None = None
    response: ResponseObserver | None = None


def request_budget(settings: Settings, clock: Clock) -> RequestBudget:
    """The Admin API's rate budget: the configured searches a minute, and the stream's own rate."""
    limits = {**DEFAULT_LIMITS}
    limits.update({path: settings.events_rate_per_minute for path in limits if path != EVENTS_STREAM})
    limits[EVENTS_STREAM] = settings.stream_rate_per_minute
    return RequestBudget(clock, limits)


@contextmanager
def connect(
    settings: Settings,
    clock: Clock | None = None,
    *,
    observers: ApiObservers | None = None,
    sandbox: RunningSandbox | None = None,
) -> Iterator[OrgConnection]:
    """A client for the configured org; without one, ``sandbox`` (kept running by the caller) or else
    a seeded sandbox org served on loopback for as long as the block runs."""
    clock = clock or SystemClock()
    observers = observers or ApiObservers()
    budget = request_budget(settings, clock)

    def client(org_id: str, api_key: SecretStr, base_url: str) -> AdminApiClient:
        return AdminApiClient.create(
            org_id=org_id,
            api_key=api_key,
            base_url=base_url,
            timeout=settings.http_timeout_seconds,
            clock=clock,
            budget=budget,
            auth_observer=observers.auth,
            response_observer=observers.response,
        )

    if settings.has_org:
        assert settings.atlassian_org_id is not None and settings.atlassian_api_key is not None
        with client(settings.atlassian_org_id, settings.atlassian_api_key, settings.atlassian_api_url) as configured:
            yield OrgConnection(configured, settings.atlassian_org_id)
        return
    if sandbox is not None:
        with client(sandbox.org_id, SecretStr(sandbox.api_key), sandbox.base_url) as given:
            yield OrgConnection(given, sandbox.org_id, sandbox_url=sandbox.base_url)
        return
    from auditbot.sandbox import SandboxApi, start_server

    api = SandboxApi.generated(SANDBOX_SEED, clock=clock)
    with start_server(api) as running, client(running.org_id, SecretStr(running.api_key), running.base_url) as built:
        yield OrgConnection(built, running.org_id, sandbox_url=running.base_url)


def search_service(
    connection: OrgConnection,
    settings: Settings,
    clock: Clock,
    *,
    page_size: int,
    secret: bytes,
    repositories: Repositories | None = None,
    max_wait: float = 0.0,
) -> SearchService:
    """Search over the live API, and over the mirror when the store holds a fresh copy of the window.

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
    return SearchService(
        connection.client,
        catalog,
        codec,
        clock,
        page_size=page_size,
        max_wait=max_wait,
        mirror=repositories.mirror_search if repositories else None,
        org_id=connection.org_id,
        freshness=timedelta(seconds=settings.mirror_freshness_seconds),
        counter=repositories.mirror_summary if repositories else None,
    )


def terminal_search(
    connection: OrgConnection, settings: Settings, clock: Clock, *, page_size: int, max_wait: float = TERMINAL_MAX_WAIT
) -> SearchService:
    """Search for a terminal command: over the API only, waiting for the budget up to ``max_wait``; its
    button state is signed with a key nobody keeps (a terminal has no buttons to press later)."""
    return search_service(connection, settings, clock, page_size=page_size, secret=os.urandom(32), max_wait=max_wait)


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
