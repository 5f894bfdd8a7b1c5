"""The alert crash test: a worker (ingest + delivery) SIGKILLed 50 times, half of them between a post
reaching Slack and its commit; every (channel, event) ends up posted exactly once.

The sandbox org and the Slack stand-in run here, over loopback; the worker is a subprocess on a
SQLite file. Kills alternate between "at a random moment" and "the instant the Slack stand-in has
stored a post, before it answers" — the case only reconciliation against the channel can resolve.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from auditbot.core.clock import ManualClock
from auditbot.core.match import text_check
from auditbot.core.model import AuditEvent
from auditbot.core.query import parse
from auditbot.playground import SlackApiHandler, Workspace, seed
from auditbot.playground.handler import HttpAnswer
from auditbot.playground.model import JsonDict
from auditbot.playground.server import start_slack_api
from auditbot.sandbox import RateLimits, SandboxApi, start_server
from auditbot.services.catalog import ActionCatalog
from auditbot.services.delivery import ALERT_EVENT_TYPE
from auditbot.services.plan import resolve
from auditbot.store import Database
from auditbot.store.outbox import Outbox
from auditbot.store.schema import events
from auditbot.store.subscriptions import Subscriptions
from tests.ingest.crash_runner import OffsetClock
from tests.ingest.helpers import ANCHOR, SEED, make_client

KILLS = 50
DAYS = 3
ROOT = Path(__file__).resolve().parents[2]
CHANNELS = (seed.SEC_ALERTS, seed.IT_OPS, seed.INCIDENTS, seed.PARTNER)
QUERIES = (
    "action:user_login",
    "action:user_login_failed",
    "action:user_logout",
    "action:jira_issue_viewed",
    'group:"API tokens"',
    "action:added_org_admin,auth_policy_deleted",
    "ip:203.0.113.0/24",
    "-action:user_login,jira_issue_viewed,user_logout",
    '"logged in as"',
    "action:user_added_to_group,user_removed_from_group",
    "action:password_change",
    "action:user_granted_product_access,user_revoked_product_access",
    "product:jira -action:jira_issue_viewed",
    "action:user_profile_viewed",
    "action:user_login -ip:203.0.113.0/24",
    "action:user_logout,user_login_failed",
    'group:"Authentication policies"',
    "action:jira_issue_viewed",
    "action:user_login",
    "action:user_invited,user_added_to_site",
)


class KillingSlack(SlackApiHandler):
    """The Slack stand-in that, when armed, SIGKILLs the worker right after storing a post."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.victim: int | None = None
        self.killed = threading.Event()

    def api(self, method: str, params: JsonDict, headers: Mapping[str, str]) -> HttpAnswer:
        answer = super().api(method, params, headers)
        victim = self.victim
        if method == "chat.postMessage" and victim is not None and b'"ok": true' in answer.body:
            self.victim = None
            os.kill(victim, signal.SIGKILL)
            self.killed.set()
        return answer


def spawn(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.delivery.crash_runner", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def posted_ids(workspace: Workspace, channel: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for message in workspace.messages(channel):
        metadata: Any = message.metadata
        if message.user == seed.BOT_USER_ID and metadata and metadata.get("event_type") == ALERT_EVENT_TYPE:
            found.update(i for i in str(metadata["event_payload"]["event_ids"]).split(",") if i)
    return found


def expected_ids(db: Database, subscriptions: Subscriptions, catalog: ActionCatalog) -> dict[str, set[str]]:
    with db.read() as conn:
        mirrored = [AuditEvent.model_validate_json(body) for body in conn.execute(select(events.c.body)).scalars()]
    snapshot = catalog.snapshot()
    expected: dict[str, set[str]] = {channel: set() for channel in CHANNELS}
    for subscription in subscriptions.active():
        criteria = resolve(parse(subscription.query), snapshot)
        text = text_check(criteria.query.text)
        expected[subscription.channel_id] |= {
            e.id for e in mirrored if criteria.matches(e) and (text is None or text(e))
        }
    return expected


@pytest.mark.timeout(600)
def test_alerts_survive_50_kills_each_channel_event_posted_exactly_once(tmp_path):
    sandbox_clock = ManualClock(ANCHOR)  # the sandbox's time stands still: a fixed set of events
    api = SandboxApi.generated(
        SEED, days=DAYS, anchor=ANCHOR, clock=sandbox_clock, limits=RateLimits.of(100_000, 100_000)
    )  # every restarted worker reads the action catalog again
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    t0 = time.time()
    workspace = Workspace(OffsetClock(ANCHOR, t0))
    handler = KillingSlack(workspace)
    rng = random.Random(20261126)
    with Database(url) as db:
        db.migrate()
        made_at = ManualClock(ANCHOR - timedelta(days=DAYS + 1))
        subscriptions = Subscriptions(db, made_at)
        for n, query in enumerate(QUERIES):
            channel = CHANNELS[n % len(CHANNELS)]
            subscriptions.create(team_id=seed.TEAM.id, channel_id=channel, query=query, created_by=seed.JANE)
    slack = start_slack_api(workspace, handler=handler)
    kills = {"post": 0, "random": 0}
    try:
        with start_server(api) as running:
            args = [
                url,
                running.base_url,
                api.org_id,
                api.api_key,
                slack.api_url,
                ANCHOR.isoformat(),
                str(t0),
                str(DAYS),
            ]
            while sum(kills.values()) < KILLS:
                child = spawn(args)
                assert child.stdout is not None
                assert child.stdout.readline().strip() == "ready"
                if sum(kills.values()) % 2 == 0:
                    handler.killed.clear()
                    handler.victim = child.pid
                    handler.killed.wait(timeout=20)
                    handler.victim = None
                    if child.poll() is None:  # nothing left to post: a plain kill then
                        os.kill(child.pid, signal.SIGKILL)
                else:
                    time.sleep(rng.uniform(0.0, 0.4))
                    if child.poll() is None:
                        os.kill(child.pid, signal.SIGKILL)
                child.communicate(timeout=20)
                assert child.returncode in (0, -signal.SIGKILL)
                if child.returncode == -signal.SIGKILL:
                    kills["post" if handler.killed.is_set() else "random"] += 1
                handler.killed.clear()
            final = spawn(args)
            out, _ = final.communicate(timeout=120)
            assert final.returncode == 0, out[-2000:]
            assert out.split()[-1] == "done"
    finally:
        slack.close()
    assert kills["post"] >= 20, f"only {kills['post']} kills landed between a post and its commit"
    client = make_client(api, sandbox_clock)
    catalog = ActionCatalog(client, org_id=api.org_id, clock=sandbox_clock, max_wait=None)
    with Database(url) as db:
        expected = expected_ids(db, Subscriptions(db, sandbox_clock), catalog)
        assert Outbox(db, sandbox_clock).count("failed") == 0
    assert sum(len(ids) for ids in expected.values()) > 500, "enough alerts to make the test mean something"
    for channel in CHANNELS:
        posted = posted_ids(workspace, channel)
        duplicates = {i: n for i, n in posted.items() if n > 1}
        assert not duplicates, f"{channel}: {len(duplicates)} events posted more than once"
        assert set(posted) == expected[channel], (
            f"{channel}: lost {len(expected[channel] - set(posted))}, extra {len(set(posted) - expected[channel])}"
        )
