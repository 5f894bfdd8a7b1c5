"""The alert crash test: a worker (ingest + delivery) SIGKILLed 50 times, half of them between a post
reaching Slack and its commit; every (channel, event) ends up posted exactly once.

The sandbox org and the Slack stand-in run here, over loopback; the worker is a subprocess on a
SQLite file. Kills alternate between "when the worker's n-th request arrives" (n drawn from a
seeded rng: in ingest, in a read back, before a post) and "the instant the Slack stand-in has
stored a post, before it answers", the case only reconciliation against the channel can resolve.
Those post kills take turns between a channel the bot is in and a public one it only posts to
(``chat:write.public``; it is removed from it before every round), so reading back there, which
needs a join, is certain to happen. Every kill is placed by the servers, not by the wall clock.
"""

from __future__ import annotations

import random
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
from auditbot.store.outbox import Channel, Outbox
from auditbot.store.schema import events
from auditbot.store.subscriptions import Subscriptions
from tests.delivery.crash_runner import SETTINGS
from tests.ingest.crash_runner import OffsetClock
from tests.ingest.helpers import ANCHOR, SEED, make_client
from tests.ingest.workers import Killer, KillingSandbox, Worker, sender

KILLS = 50
DAYS = 3
MEMBER = seed.SEC_ALERTS
"""A public channel the bot is in."""
POSTS_ONLY = seed.IT_OPS
"""A public channel the bot is not in: it posts there with ``chat:write.public``, and must join to read it."""
CHANNELS = (MEMBER, POSTS_ONLY, seed.INCIDENTS, seed.PARTNER)
IN_CHANNELS = (MEMBER, seed.INCIDENTS, seed.PARTNER)
POST_TARGETS: tuple[str | None, ...] = (POSTS_ONLY, None, MEMBER, None)
"""Where the post kills land, in turn (``None``: the worker's first post anywhere)."""
MAX_REQUEST = 4
"""The other kills land when a worker's n-th request arrives, n in 1..MAX_REQUEST."""
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
    """The Slack stand-in, asking ``killer`` before each call and after each stored post."""

    def __init__(self, workspace: Workspace, killer: Killer) -> None:
        super().__init__(workspace)
        self.killer = killer

    def api(self, method: str, params: JsonDict, headers: Mapping[str, str]) -> HttpAnswer:
        pid = sender(headers)
        if self.killer.arrived(pid, method):
            return HttpAnswer(503, {}, b"")  # nobody is left to read it
        answer = super().api(method, params, headers)
        if method == "chat.postMessage" and b'"ok": true' in answer.body:
            self.killer.posted(pid, str(params.get("channel")))
        return answer


def arrange_membership(workspace: Workspace) -> None:
    """Before every round: the bot in every channel but ``POSTS_ONLY``, which it is removed from again
    if a worker joined it, so every read back there needs a join."""
    for channel in IN_CHANNELS:
        workspace.directory.add_member(channel, seed.BOT_USER_ID)
    workspace.directory.remove_member(POSTS_ONLY, seed.BOT_USER_ID)


def post_target(db: Database, turn: int) -> str | None:
    """This turn's channel for a post kill, when a post there is certain, else any channel.

    A post is certain where more events wait than one message carries: the last worker's
    unconfirmed post (the only kind reconciliation can settle without posting) covers fewer.
    """
    wanted = POST_TARGETS[turn % len(POST_TARGETS)]
    if wanted is None:
        return None
    waiting = Outbox(db, ManualClock(ANCHOR)).pending(Channel(seed.TEAM.id, wanted), limit=SETTINGS.max_rows)
    return wanted if len({row.event_id for row in waiting}) > SETTINGS.part_size else None


def joins(workspace: Workspace, channel: str) -> int:
    return sum(1 for call in workspace.calls_to("conversations.join") if call.get("channel") == channel)


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
def test_alerts_survive_50_kills_each_channel_event_posted_exactly_once(tmp_path: Path) -> None:
    sandbox_clock = ManualClock(ANCHOR)  # the sandbox's time stands still: a fixed set of events
    api = SandboxApi.generated(
        SEED, days=DAYS, anchor=ANCHOR, clock=sandbox_clock, limits=RateLimits.of(100_000, 100_000)
    )  # every restarted worker reads the action catalog again
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    t0 = time.time()  # the workers' clocks and the stand-in's read ANCHOR + seconds since t0, alike
    workspace = Workspace(OffsetClock(ANCHOR, t0))
    killer = Killer()
    rng = random.Random(20261126)
    with Database(url) as db:
        db.migrate()
        made_at = ManualClock(ANCHOR - timedelta(days=DAYS + 1))
        subscriptions = Subscriptions(db, made_at)
        for n, query in enumerate(QUERIES):
            channel = CHANNELS[n % len(CHANNELS)]
            subscriptions.create(team_id=seed.TEAM.id, channel_id=channel, query=query, created_by=seed.JANE)
    slack = start_slack_api(workspace, handler=KillingSlack(workspace, killer))
    kills: Counter[str] = Counter()
    post_kills_in: Counter[str] = Counter()
    workers = tmp_path / "workers"
    try:
        with start_server(KillingSandbox(api, killer)) as running, Database(url) as db:
            args = [url, running.base_url, api.org_id, api.api_key, slack.api_url, ANCHOR.isoformat(), str(t0)]
            args.append(str(DAYS))
            spawned = 0
            while sum(kills.values()) < KILLS:
                arrange_membership(workspace)
                if sum(kills.values()) % 2 == 0:
                    killer.after_post(post_target(db, kills["post"]))
                else:
                    killer.at_request(rng.randint(1, MAX_REQUEST))
                spawned += 1
                worker = Worker("tests.delivery.crash_runner", args, workers, spawned)
                code = worker.wait()
                landed, landed_in = killer.landed, killer.landed_in
                killer.disarm()
                if code == 0:  # it finished before its kill: nothing was left to post
                    assert worker.finished(), f"a worker exited without saying done\n{worker}"
                    break
                assert landed is not None, f"worker {spawned} was killed by something else\n{worker}"
                kills["post" if landed_in else "request"] += 1
                if landed_in:
                    post_kills_in[landed_in] += 1
            arrange_membership(workspace)
            final = Worker("tests.delivery.crash_runner", args, workers, spawned + 1)
            assert final.wait(timeout=120) == 0 and final.finished(), f"the last worker did not finish\n{final}"
    finally:
        slack.close()
    figures = (
        f"{sum(kills.values())} kills: {kills['post']} between a post and its commit "
        f"({', '.join(f'{c}: {n}' for c, n in sorted(post_kills_in.items()))}), {kills['request']} at a request; "
        f"{joins(workspace, POSTS_ONLY)} joins of {POSTS_ONLY} to read it back"
    )
    assert sum(kills.values()) == KILLS, f"the alerts ran out before the kills did: {figures}"
    assert kills["post"] >= 20, f"too few kills landed between a post and its commit: {figures}"
    assert post_kills_in[MEMBER] >= 1 and post_kills_in[POSTS_ONLY] >= 1, figures
    assert joins(workspace, POSTS_ONLY) >= post_kills_in[POSTS_ONLY], f"each read back there joined: {figures}"
    client = make_client(api, sandbox_clock)
    catalog = ActionCatalog(client, org_id=api.org_id, clock=sandbox_clock, max_wait=None)
    with Database(url) as db:
        stored = Subscriptions(db, sandbox_clock)
        paused = [(s.id, s.channel_id, s.last_error) for s in stored.of_team(seed.TEAM.id) if s.paused]
        assert not paused, f"subscriptions paused: {paused}"
        expected = expected_ids(db, stored, catalog)
        assert Outbox(db, sandbox_clock).count("failed") == 0
    total = sum(len(ids) for ids in expected.values())
    assert total > 500, "enough alerts to make the test mean something"
    duplicated = lost = 0
    for channel in CHANNELS:
        posted = posted_ids(workspace, channel)
        duplicates = {i: n for i, n in posted.items() if n > 1}
        assert expected[channel], f"{channel}: no alert expected: the test would not cover it"
        assert not duplicates, f"{channel}: {len(duplicates)} events posted more than once; {figures}"
        assert set(posted) == expected[channel], (
            f"{channel}: lost {len(expected[channel] - set(posted))}, extra {len(set(posted) - expected[channel])}"
        )
        duplicated += len(duplicates)
        lost += len(expected[channel] - set(posted))
    per_channel = ", ".join(f"{c}: {len(expected[c])}" for c in CHANNELS)
    print(f"\nalert crash test: {figures}; {total} alerts ({per_channel}), {duplicated} duplicated, {lost} lost")
