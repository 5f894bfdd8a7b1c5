"""Where a process starts: ``build_runtime`` builds everything it needs, before anything uses it.

``auditbot run``, ``auditbot demo``, ``auditbot ingest`` and the Slack test harness (and the
benchmarks through it) all call it, each with its own settings and a few overrides (a clock, a
running sandbox, a store of their own, an org already connected), so they all run the production
wiring. ``auditbot search`` and ``auditbot render`` need only an org: ``org.connect`` and
``org.terminal_search``.

In order, it builds: the store and its ``Repositories``; the API key's health watch and the org
connection (``org.connect``, with its observers); the Slack Web client; search; then, before
``SlackDeps``, the access policy, the user groups, App Home's ``IngestStatus`` and the alert matcher
whose ``invalidate`` the listeners call; then ``SlackDeps`` (frozen) and the middleware
(``slack.middleware.chain`` orders it). ``Runtime.app`` is the Bolt app over those parts and
``Runtime.workers`` runs the background workers (``workers``: ingest, delivery, schedules).

Modules: ``org`` (the org connection, search, the store), ``slack`` (the Slack parts), ``workers``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from slack_bolt import App
from slack_sdk import WebClient

from auditbot.atlassian.budget import EVENT, EVENT_ACTIONS, EVENTS, EVENTS_STREAM
from auditbot.config import Settings
from auditbot.core.clock import Clock
from auditbot.metrics import Metrics
from auditbot.runtime.org import (
    SLACK_PAGE_SIZE,
    ApiObservers,
    OrgConnection,
    connect,
    open_store,
    page_state_secret,
    search_service,
)
from auditbot.runtime.slack import access_policy, slack_deps, slack_middleware, user_groups
from auditbot.runtime.workers import (
    IngestStatus,
    Worker,
    alert_matcher,
    background_workers,
    delivery,
    delivery_worker,
    ingest_worker,
    ingestor,
    process_owner,
    schedules_worker,
)
from auditbot.services.alert_matching import AlertMatcher
from auditbot.services.ingest import Ingestor
from auditbot.services.keyhealth import KeyHealth
from auditbot.slack.app import build_app, slack_client
from auditbot.slack.delivery_client import delivery_client
from auditbot.slack.deps import SlackDeps
from auditbot.slack.keywatch import admin_notifier
from auditbot.slack.middleware import Middleware
from auditbot.store.db import Database
from auditbot.store.repositories import Repositories

if TYPE_CHECKING:
    from auditbot.sandbox import RunningSandbox

__all__ = ["CONFIGURED", "OrgConnection", "Runtime", "build_runtime"]


class _Configured(Enum):
    STORE = "the configured store"


CONFIGURED: Literal[_Configured.STORE] = _Configured.STORE
"""``build_runtime(store=CONFIGURED)``: open (and migrate) the store the settings name."""


@dataclass(frozen=True)
class Runtime:
    """What a process needs, built once. ``close()`` (or ``with``) releases what ``build_runtime`` opened."""

    settings: Settings
    clock: Clock
    connection: OrgConnection
    repositories: Repositories | None
    """None: no store, so no subscriptions, schedules, trail or ingest."""
    slack: WebClient
    deps: SlackDeps
    middleware: tuple[Middleware, ...]
    key_health: KeyHealth
    ingest_status: IngestStatus | None
    matcher: AlertMatcher | None
    """Which subscriptions new events match; ``deps.alerts_changed`` is its ``invalidate``."""
    metrics: Metrics | None
    owner: str
    """This process's name on the leases it takes."""
    _resources: ExitStack = field(repr=False, compare=False)

    @property
    def store(self) -> Database | None:
        return self.repositories.db if self.repositories else None

    def app(self, *, signing_secret: str | None, socket_mode: bool = False, executor: Executor | None = None) -> App:
        """The Bolt app: the listeners over ``deps``, behind ``middleware``."""
        return build_app(
            self.deps,
            client=self.slack,
            signing_secret=signing_secret,
            socket_mode=socket_mode,
            listener_threads=self.settings.listener_threads,
            executor=executor,
            middleware=self.middleware,
        )

    def ingestor(
        self, *, queue_alerts: bool = True, backfill_days: float | None = None, page_limit: int = 500
    ) -> Ingestor:
        """The org's stream follower; with ``queue_alerts`` each page also queues its alerts."""
        if self.repositories is None:
            raise ValueError("ingest needs a store")
        return ingestor(
            self.connection,
            self.repositories,
            self.settings,
            self.clock,
            owner=self.owner,
            matcher=self.matcher if queue_alerts else None,
            backfill_days=backfill_days,
            page_limit=page_limit,
        )

    def workers(
        self, stop: threading.Event | None = None, *, interval: float | None = None
    ) -> AbstractContextManager[threading.Event]:
        """The background workers, running while the block runs (see ``workers.background_workers``):
        ingest (every ``interval`` seconds, default the setting), and with a Slack bot token the
        scheduled handoffs and (with ``settings.alerts``) alert delivery."""
        if self.repositories is None:
            raise ValueError("the background workers need a store")
        settings, metrics = self.settings, self.metrics
        running: list[Worker] = [
            ingest_worker(
                self.ingestor(),
                self.ingest_status,
                interval=interval or settings.ingest_interval_seconds,
                metrics=metrics,
            )
        ]
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        if token and self.deps.handoff is not None:
            poster = slack_client(token, base_url=settings.slack_api_url)
            running.append(
                schedules_worker(
                    self.repositories, self.deps.handoff, poster, self.clock, owner=self.owner, metrics=metrics
                )
            )
        if token and settings.alerts:
            alerts = delivery(
                self.repositories,
                settings,
                self.clock,
                slack=delivery_client(token, base_url=settings.slack_api_url),
                catalog=self.deps.catalog,
                owner=self.owner,
            )
            running.append(delivery_worker(alerts, interval=settings.alert_poll_seconds, metrics=metrics))
        return background_workers(running, stop)

    def close(self) -> None:
        self._resources.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def build_runtime(
    settings: Settings,
    clock: Clock,
    *,
    store: Database | Literal[_Configured.STORE] | None = CONFIGURED,
    connection: OrgConnection | None = None,
    sandbox: RunningSandbox | None = None,
    slack: WebClient | None = None,
    metrics: Metrics | None = None,
    open_access: bool = False,
    alerts_changed: Callable[[], None] | None = None,
) -> Runtime:
    """Everything a process needs, from ``settings`` on ``clock``.

    ``store``: the configured one (opened, migrated and closed with the runtime), a ``Database`` the
    caller keeps, or None for none. ``connection``: an org the caller has connected (and whose
    client's observers it sets up), instead of ``org.connect``; ``sandbox``: a running sandbox to
    connect to when no org is configured (the demo's). ``slack``: the Web client (default: one with
    the bot token for ``settings.slack_api_url``). ``metrics`` hear of every API answer, ingest pass
    and delivery, and watch the budgets and the outbox. ``open_access``: everyone may do everything
    (the demo). ``alerts_changed`` is told, beside the alert matcher, whenever subscriptions or snoozes
    change (a test counts it)."""
    resources = ExitStack()
    try:
        database = resources.enter_context(open_store(settings)) if store is CONFIGURED else store
        key_health = KeyHealth(clock, expires=settings.api_key_expires)
        if connection is None:
            observers = ApiObservers(auth=key_health.observe, response=metrics.observe_api if metrics else None)
            connection = resources.enter_context(connect(settings, clock, observers=observers, sandbox=sandbox))
        repositories = Repositories(database, clock) if database is not None else None
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        client = slack or slack_client(token, base_url=settings.slack_api_url, clock=clock)
        if settings.admins:
            key_health.on_change(admin_notifier(client, settings.admins))
        search = search_service(
            connection,
            settings,
            clock,
            page_size=SLACK_PAGE_SIZE,
            secret=page_state_secret(settings),
            repositories=repositories,
        )
        status: IngestStatus | None = None
        matcher: AlertMatcher | None = None
        if repositories is not None and settings.ingest:  # this process follows the log: App Home says how
            freshness = timedelta(seconds=settings.mirror_freshness_seconds)
            status = IngestStatus(repositories, connection.org_id, clock, freshness=freshness)
            matcher = alert_matcher(repositories, search.catalog, clock)
        deps = slack_deps(
            connection,
            settings,
            clock,
            search=search,
            key_health=key_health,
            repositories=repositories,
            access=access_policy(settings, open_access=open_access),
            groups=user_groups(settings, client, clock),
            mirror_status=status.line if status else None,
            alerts_changed=_both(matcher.invalidate if matcher else None, alerts_changed),
        )
        if metrics is not None:
            _watch(metrics, connection, repositories)
        return Runtime(
            settings=settings,
            clock=clock,
            connection=connection,
            repositories=repositories,
            slack=client,
            deps=deps,
            middleware=tuple(
                slack_middleware(settings, clock, deps, client, response_prefixes=settings.response_url_prefixes)
            ),
            key_health=key_health,
            ingest_status=status,
            matcher=matcher,
            metrics=metrics,
            owner=process_owner(),
            _resources=resources,
        )
    except BaseException:
        resources.close()
        raise


def _watch(metrics: Metrics, connection: OrgConnection, repositories: Repositories | None) -> None:
    budget = connection.client.budget
    metrics.watch_budgets(lambda: [budget.status(path) for path in (EVENTS, EVENT, EVENT_ACTIONS, EVENTS_STREAM)])
    if repositories is not None:
        outbox = repositories.outbox
        metrics.watch_outbox(lambda: outbox.count("pending"))


def _both(first: Callable[[], None] | None, second: Callable[[], None] | None) -> Callable[[], None] | None:
    """One callback calling each of those given (None when neither is)."""
    if first is None or second is None:
        return first or second

    def both() -> None:
        first()
        second()

    return both
