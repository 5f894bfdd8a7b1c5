"""Shared parts of the ingest tests: a sandbox org on a manual clock, clients for it, and the truth to compare with."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from pydantic import SecretStr
from sqlalchemy import func, select

from auditbot.atlassian import AdminApiClient, RequestBudget
from auditbot.atlassian.budget import DEFAULT_LIMITS, EVENTS_STREAM
from auditbot.atlassian.client import RetryPolicy
from auditbot.core.clock import Clock
from auditbot.sandbox import RateLimits, SandboxApi
from auditbot.sandbox.builders import to_us
from auditbot.store import Database
from auditbot.store.schema import events

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""The end of the generated org's history and where the tests' clocks start."""
SEED = 7
BASE = "http://sandbox.test/admin"


def make_sandbox(clock: Clock, *, days: int = 3, stream_per_minute: int = 100_000, **options: object) -> SandboxApi:
    limits = RateLimits.of(stream_per_minute=stream_per_minute)
    return SandboxApi.generated(SEED, days=days, anchor=ANCHOR, clock=clock, limits=limits, **options)


def make_client(
    api: SandboxApi, clock: Clock, *, stream_per_minute: int = 100_000, attempts: int = 2
) -> AdminApiClient:
    """A client for ``api`` in-process, whose waits and retries run on ``clock``."""
    budget = RequestBudget(clock, {**DEFAULT_LIMITS, EVENTS_STREAM: stream_per_minute})
    return AdminApiClient.create(
        org_id=api.org_id,
        api_key=SecretStr(api.api_key),
        base_url=BASE,
        transport=api.transport(),
        clock=clock,
        budget=budget,
        retry=RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=0.05),
        rng=random.Random(1),
    )


def visible_ids(api: SandboxApi, start: datetime, now: datetime) -> set[str]:
    """Ids of the events the sandbox serves at ``now`` that were processed at or after ``start``."""
    now_us, start_us = to_us(now), to_us(start)
    index = api.source.index(now)
    return {e.id for e in index.by_processed if e.visible(now_us) and e.processed_us >= start_us}


def mirror_ids(db: Database, org_id: str) -> tuple[set[str], int]:
    """The ids in the mirror and how many rows hold them."""
    with db.read() as conn:
        ids = set(conn.execute(select(events.c.id).where(events.c.org_id == org_id)).scalars())
        rows = conn.execute(select(func.count()).select_from(events).where(events.c.org_id == org_id)).scalar_one()
    return ids, int(rows)
