"""``auditbot demo``: the whole product on one machine, with no Slack workspace and no Atlassian org.

A throwaway SQLite store that ingest fills with the org's last 30 days, and three loopback
servers: the sandbox org (a faithful fake of the Admin API), the real Slack app in HTTP mode,
and the playground, a web page that stands in for the Slack client and serves the Slack Web API
the app calls. The app cannot tell the playground from Slack: it receives signed requests and
answers through response URLs and Web API calls, as in production.

The sandbox org, ingest, the app and the playground share one clock. By default it is an
``OffsetClock``: the real time, which the playground's "Skip 30 min" moves forward, so the org does
in a click what half an hour holds (in a quiet org: nothing) and ingest's next pass, a few seconds
later, reads it.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from auditbot.config import Settings
from auditbot.core.clock import Clock, ManualClock, OffsetClock, SystemClock
from auditbot.playground import Workspace, seed
from auditbot.playground.seed import messages as seeded_messages
from auditbot.runtime import build_runtime
from auditbot.sandbox import RateLimits, RunningSandbox, SandboxApi, start_server
from auditbot.sandbox.generate import GeneratedOrg
from auditbot.slack.request_gate import RequestGate
from auditbot.slack.serve import EVENTS_PATH, wsgi_app
from auditbot.store.db import Database
from auditbot.store.repositories import Repositories
from auditbot.store.subscriptions import Subscriptions

if TYPE_CHECKING:
    from auditbot.playground.web import RunningPlayground

DEMO_TOKEN = "xoxb-playground-demo"
DEMO_ALERTS = (
    "action:user_login_failed,added_org_admin,api_token_created,auth_policy_deleted,"
    "user_logged_in_as_user,password_change,marketplace_app_installed"
)
"""What #sec-alerts is subscribed to in the demo: the risky actions."""
DEMO_FIRST_ALERTS = 3
"""The demo's subscription is dated just before the org's last few risky events, so that many alerts
arrive at once (however quiet the sandbox org's last hours were), then new ones as they happen."""
DEMO_RATE_PER_MINUTE = 60
"""The demo's sandbox answers 60 searches a minute so clicking around stays quick (a real org: 10)."""
DEMO_STREAM_RATE_PER_MINUTE = 60
DEMO_BACKFILL_DAYS = 30
DEMO_READY_SECONDS = 60.0
"""``start_demo`` waits at most this long for ingest's first read to the end of the log (a few seconds)."""
DEMO_INGEST_SECONDS = 5.0
"""Ingest reads the stream this often, so the copy is current a few seconds after a skip ahead."""


DEMO_GENERAL_QUERIES: tuple[tuple[str, str], ...] = (
    ("Failed logins, last 7 days", "action:user_login_failed last:7d"),
    ("API tokens, last 30 days", 'group:"API tokens" last:30d'),
)
"""App Home's quick queries in the demo after the incidents' (a quiet demo org still answers these)."""


def demo_quick_queries(org: GeneratedOrg) -> tuple[tuple[str, str], ...]:
    """App Home's "Try these" in the demo: one query per woven-in incident, whose first page lands on
    it, then a few general ones."""
    return (*((incident.label, incident.query) for incident in org.incidents), *DEMO_GENERAL_QUERIES)


@dataclass
class RunningDemo:
    url: str
    """The playground page."""
    workspace: Workspace
    sandbox: RunningSandbox
    app_url: str
    store: Database
    clock: Clock
    """The clock the sandbox org, ingest and the app share."""
    org: GeneratedOrg
    _closers: list[Any] = field(default_factory=list, repr=False)

    def close(self) -> None:
        for close in reversed(self._closers):
            close()
        self._closers.clear()

    def __enter__(self) -> RunningDemo:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def start_demo(
    *,
    settings: Settings | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int = 7,
    rate_per_minute: int = DEMO_RATE_PER_MINUTE,
    clock: Clock | None = None,
    activity: float = 1.0,
) -> RunningDemo:
    """Start the sandbox, the playground and the app; ``close()`` stops all three.

    ``activity`` is how busy the sandbox org is (``GeneratedOrg``: 1 about 400 events a weekday,
    0.3 an event every few minutes). Without a ``clock`` the demo keeps an ``OffsetClock`` and the
    playground offers to skip ahead on it."""
    from waitress import create_server

    from auditbot.playground.web import start_playground

    settings = settings or Settings()
    skippable = OffsetClock() if clock is None else None
    clock = clock or skippable or SystemClock()
    closers: list[Any] = []
    try:
        data_dir = Path(tempfile.mkdtemp(prefix="auditbot-demo-"))
        closers.append(lambda: shutil.rmtree(data_dir, ignore_errors=True))
        org = GeneratedOrg(seed, anchor=clock.now(), days=DEMO_BACKFILL_DAYS, activity=activity)
        sandbox_api = SandboxApi(org, org_id=org.org_id, clock=clock, limits=RateLimits.of(rate_per_minute))
        sandbox = start_server(sandbox_api)
        closers.append(sandbox.close)
        workspace = Workspace(clock, tokens=(DEMO_TOKEN,), messages=seeded_messages(org.incidents, org.org_id))
        signing_secret = secrets.token_hex(32)
        playground = start_playground(
            workspace,
            signing_secret=signing_secret,
            host=host,
            port=port,
            skip=skippable.skip if skippable is not None else None,
        )
        closers.append(playground.close)
        runtime = build_runtime(
            demo_settings(settings, data_dir, rate_per_minute=rate_per_minute, playground=playground),
            clock,
            sandbox=sandbox,
        )
        closers.append(runtime.close)
        runtime = replace(runtime, deps=replace(runtime.deps, quick_queries=demo_quick_queries(org)))
        store = runtime.store
        assert store is not None
        app = runtime.app(signing_secret=signing_secret)
        health = lambda: {"org": sandbox.org_id, "sandbox": True}  # noqa: E731
        gate = RequestGate(signing_secret, clock=SystemClock())  # signatures carry real time
        server = create_server(
            wsgi_app(app, health, gate=gate), host="127.0.0.1", port=0, threads=settings.listener_threads
        )
        thread = threading.Thread(target=server.run, name="demo-app", daemon=True)
        thread.start()

        def stop_app() -> None:
            server.close()
            thread.join(timeout=5)

        closers.append(stop_app)
        subscribe_demo_channel(store, clock, sandbox_api)
        follow = runtime.workers()
        follow.__enter__()
        closers.append(lambda: follow.__exit__(None, None, None))
        wait_until_mirrored(store, clock, sandbox.org_id, within=DEMO_READY_SECONDS)
        app_url = f"http://127.0.0.1:{server.effective_port}{EVENTS_PATH}"
        playground.connect(app_url)
        return RunningDemo(playground.root_url, workspace, sandbox, app_url, store, clock, org, closers)
    except BaseException:
        for close in reversed(closers):
            close()
        raise


def demo_settings(
    settings: Settings, data_dir: Path, *, rate_per_minute: int, playground: RunningPlayground
) -> Settings:
    """The demo's settings: a throwaway SQLite store, the sandbox org (never a configured one) at its
    rates, the last 30 days read every 5 s, Slack played by the playground (its token, Web API
    and response URLs), and a realistic access policy, so a newcomer meets a refusal: everyone may
    search and share, only Jane, Maya and Tomás export or administer (Ravi cannot), and
    #ext-acme-security, shared with another organization, is refused."""
    return settings.model_copy(
        update={
            "atlassian_org_id": None,
            "atlassian_api_key": None,
            "database_url": None,
            "data_dir": data_dir,
            "events_rate_per_minute": rate_per_minute,
            "stream_rate_per_minute": DEMO_STREAM_RATE_PER_MINUTE,
            "backfill_days": DEMO_BACKFILL_DAYS,
            "ingest_interval_seconds": DEMO_INGEST_SECONDS,
            "ingest": True,
            "slack_bot_token": SecretStr(DEMO_TOKEN),
            "slack_api_url": playground.api_url,
            "response_url_prefixes": (playground.root_url + "/hooks/",),
            "state_secret": SecretStr(secrets.token_hex(32)),
            "viewers": ("*",),
            "admins": (seed.JANE, seed.MAYA, seed.TOMAS),
            "channels": ("*",),
            "allow_dms": True,
            "allow_shared_channels": False,
        }
    )


def wait_until_mirrored(store: Database, clock: Clock, org_id: str, *, within: float) -> bool:
    """Wait until ingest has read the org's log to its end once (so the first search is answered from
    the mirror), at most ``within`` seconds; whether it has. If not, searches go to the API meanwhile."""
    status = Repositories(store, clock).mirror_search
    deadline = clock.monotonic() + within
    while True:
        current = status.status(org_id)
        if current is not None and current.read_to_end_at is not None:
            return True
        if clock.monotonic() >= deadline:
            return False
        clock.sleep(READY_POLL_SECONDS)


READY_POLL_SECONDS = 0.2


def subscribe_demo_channel(store: Database, clock: Clock, sandbox: SandboxApi) -> None:
    """#sec-alerts subscribed to the risky actions by Jane, just before the org's last few of them."""
    now = clock.now()
    risky = frozenset(DEMO_ALERTS.removeprefix("action:").split(","))
    now_us = int(now.timestamp() * 1_000_000)
    processed = sorted(
        e.processed_us for e in sandbox.source.index(now).by_processed if e.action in risky and e.visible(now_us)
    )
    since = now - timedelta(hours=3)
    if processed:
        nth = processed[-min(DEMO_FIRST_ALERTS, len(processed))]
        since = datetime.fromtimestamp(nth / 1_000_000, UTC) - timedelta(seconds=1)
    Subscriptions(store, ManualClock(since)).create(
        team_id=seed.TEAM.id, channel_id=seed.SEC_ALERTS, query=DEMO_ALERTS, created_by=seed.JANE
    )
