"""The production wiring: what ``build_runtime`` builds, for Slack and for a terminal, from the same parts."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from auditbot.config import Settings, load_settings
from auditbot.core.access import AccessPolicy
from auditbot.core.clock import ManualClock
from auditbot.metrics import Metrics
from auditbot.playground import Workspace, start_slack_api
from auditbot.runtime import Runtime, build_runtime
from auditbot.runtime.org import terminal_search
from auditbot.services.search import SearchBusy
from auditbot.slack.middleware import chain

UTC = ZoneInfo("UTC")
WORKER_THREADS = ("ingest", "digests", "alerts")


def stored(tmp_path: Path, **env: str) -> Settings:
    return load_settings({"AUDITBOT_DATA_DIR": str(tmp_path), "AUDITBOT_BACKFILL_DAYS": "1", **env})


def test_slack_searches_never_wait_for_the_budget_but_terminal_ones_do():
    settings = load_settings({})
    clock = ManualClock()
    with build_runtime(settings, clock, store=None) as runtime:
        search = runtime.deps.search
        search.catalog.snapshot()
        for minutes in range(10):
            search.search(f"last:{minutes + 1}h", tz=UTC)
        with pytest.raises(SearchBusy):
            search.search("last:11h", tz=UTC)
        assert clock.slept == [], "nobody in Slack was kept waiting"
        terminal = terminal_search(runtime.connection, settings, clock, page_size=50)
        terminal.search("last:12h", tz=UTC)
        assert sum(clock.slept) >= 1, "the terminal waited for the budget instead"


def test_with_a_sqlite_store_the_deps_are_frozen_and_hold_the_store_parts(tmp_path):
    with build_runtime(stored(tmp_path), ManualClock()) as runtime:
        deps, parts = runtime.deps, runtime.repositories
        assert parts is not None and runtime.store is parts.db
        assert deps.subscriptions is not None and deps.schedules is not None
        assert deps.alert_state is not None
        assert deps.trail is not None and deps.handoff is not None
        assert isinstance(deps.access, AccessPolicy) and not deps.access.open
        assert runtime.matcher is not None and deps.alerts_changed == runtime.matcher.invalidate
        assert deps.mirror_status is not None
        assert "has not read the audit log to its end yet" in (deps.mirror_status() or "")
        with pytest.raises(dataclasses.FrozenInstanceError):
            deps.access = None  # type: ignore[misc]
        parts.subscriptions.create(team_id="T1", channel_id="C1", query="action:user_login", created_by="U1")
        assert [s.query for s in deps.subscriptions.of_team("T1")] == ["action:user_login"]


def test_without_a_store_the_subscription_parts_are_none():
    with build_runtime(load_settings({}), ManualClock(), store=None) as runtime:
        deps = runtime.deps
        assert runtime.repositories is None and runtime.store is None
        assert (deps.subscriptions, deps.alert_state, deps.schedules, deps.trail) == (None,) * 4
        assert deps.mirror_status is None and runtime.matcher is None and runtime.ingest_status is None
        deps.alerts_changed()  # nobody to tell, and no harm done
        with pytest.raises(ValueError, match="store"):
            runtime.workers()


def test_without_ingest_nothing_matches_alerts_or_describes_the_mirror(tmp_path):
    with build_runtime(stored(tmp_path, AUDITBOT_INGEST="false"), ManualClock()) as runtime:
        assert runtime.deps.subscriptions is not None, "subscriptions still work: another replica ingests"
        assert runtime.matcher is None and runtime.deps.mirror_status is None


def test_the_middleware_runs_integrity_checks_then_access_then_the_search_limit():
    with build_runtime(load_settings({}), ManualClock(), store=None) as runtime:
        names = [guard.__name__ for guard in runtime.middleware]
    assert names == ["replay", "dedupe", "response_url", "access", "rate_limit"]
    alone = [guard.__name__ for guard in chain(ManualClock(), per_minute=5)]
    assert alone == ["replay", "dedupe", "response_url", "rate_limit"], "without a policy, no access guard"


def test_the_api_client_is_built_with_its_observers():
    metrics = Metrics(clock=ManualClock())
    with build_runtime(load_settings({}), ManualClock(), store=None, metrics=metrics) as runtime:
        client = runtime.connection.client
        assert client.auth_observer == runtime.key_health.observe
        assert client.response_observer == metrics.observe_api
        runtime.deps.search.search("last:1h", tz=UTC)
    assert runtime.key_health.status().ok, "the key's health was learned from the API's answers"


@pytest.fixture
def slack_api() -> Iterator[str]:
    running = start_slack_api(Workspace(ManualClock()))
    try:
        yield running.api_url
    finally:
        running.close()


class HeldClock(ManualClock):
    """Time stands still, and a wait lasts until the workers are told to stop: each worker does one
    pass, then waits, without spinning and without sleeping for real."""

    def __init__(self, until: threading.Event) -> None:
        super().__init__()
        self._until = until

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self._until.wait()


def test_the_workers_start_and_stop_cleanly_on_an_injected_clock(tmp_path, slack_api):
    settings = stored(tmp_path).model_copy(
        update={"slack_bot_token": SecretStr("xoxb-test"), "slack_api_url": slack_api}
    )
    stop = threading.Event()
    before = set(threading.enumerate())  # other tests' threads may share a name with ours
    with build_runtime(settings, HeldClock(stop)) as runtime:
        status = runtime.ingest_status
        assert status is not None
        with runtime.workers(stop):
            ours = {thread for thread in threading.enumerate() if thread not in before}
            assert {thread.name for thread in ours} >= set(WORKER_THREADS)
            until(lambda: "up to date" in status.line(), stop)
            assert status.line() == "The local copy of the audit log is up to date."
        assert stop.is_set()
        workers = [thread.name for thread in ours if thread.name in WORKER_THREADS and thread.is_alive()]
        assert not workers, "every worker stopped when the block ended"
        assert_leases_released(runtime)


def until(done: Callable[[], bool], stop: threading.Event, *, polls: int = 6000) -> None:
    """Wait for the workers' threads to make ``done()`` true (a wait on them, not on time passing)."""
    for _ in range(polls):
        if done():
            return
        stop.wait(0.01)
    raise AssertionError("the workers did not get there")


def assert_leases_released(runtime: Runtime) -> None:
    assert runtime.repositories is not None
    leases = runtime.repositories.leases
    assert leases.holder(f"ingest:{runtime.connection.org_id}") is None, "ingest gave its lease up as it stopped"
