"""Matching events against alert subscriptions: the subscription index against a loop over every one.

100,000 events (the seeded sandbox org's 30 days, repeated) against 1,000 subscriptions of mixed
shapes. The naive loop (each subscription's checks built once, then all run for every event) is timed
on the first 2,000 events and reported per event beside the index, which runs over all 100,000.
Run: python -m bench.bench_match
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

from auditbot.core.match import ALL_TERMS, Check, Subscribed, SubscriptionIndex, text_check
from auditbot.core.model import AuditAction, AuditEvent
from auditbot.core.query import parse
from auditbot.sandbox import GeneratedOrg, load_actions
from auditbot.services.catalog import CatalogSnapshot
from auditbot.services.plan import resolve
from bench.result import TIMES, Log, Result, milliseconds, quiet

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
EVENTS = 100_000
SUBSCRIPTIONS = 1_000
NAIVE_SAMPLE = 2_000
QUICK_EVENTS = 5_000
QUICK_SUBSCRIPTIONS = 200
QUICK_NAIVE_SAMPLE = 200


def subscriptions(events: list[AuditEvent], rng: random.Random, count: int = SUBSCRIPTIONS) -> list[Subscribed]:
    actions = tuple(
        AuditAction(id=a["id"], display_name=a["attributes"]["displayName"], group=a["attributes"]["groupDisplayName"])
        for a in load_actions()
    )
    snapshot = CatalogSnapshot(actions, ANCHOR)
    actors = sorted({e.actor.email or e.actor.id for e in events})
    ips = sorted({e.ip for e in events if e.ip})
    action_ids = sorted({a.id for a in actions})
    shapes = [
        lambda: f"action:{rng.choice(action_ids)}",
        lambda: f"action:{rng.choice(action_ids)},{rng.choice(action_ids)} -actor:{rng.choice(actors)}",
        lambda: f"actor:{rng.choice(actors)}",
        lambda: f"ip:{rng.choice(ips)}",
        lambda: f"actor:{rng.choice(actors)} -action:user_login",
        lambda: 'group:"Authentication policies"',
    ]
    rare = ["ip:198.51.100.0/24 -action:user_login", "product:jira", '"admin" action:added_org_admin']
    texts = [rng.choice(shapes)() for _ in range(count - len(rare))] + rare
    return [Subscribed(f"s{n}", resolve(parse(text), snapshot)) for n, text in enumerate(texts)]


def compiled(subs: list[Subscribed]) -> list[tuple[str, list[Check]]]:
    """Each subscription's checks built once, as the index builds them: a fair baseline."""
    return [
        (s.id, [c for c in (s.criteria.check(ALL_TERMS), text_check(s.criteria.query.text)) if c is not None])
        for s in subs
    ]


def naive_matching(subs: list[tuple[str, list[Check]]], event: AuditEvent) -> list[str]:
    return [sid for sid, checks in subs if all(check(event) for check in checks)]


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    total, count, sample = (
        (QUICK_EVENTS, QUICK_SUBSCRIPTIONS, QUICK_NAIVE_SAMPLE) if quick else (EVENTS, SUBSCRIPTIONS, NAIVE_SAMPLE)
    )
    org = GeneratedOrg(7, anchor=ANCHOR, days=30)
    base = [AuditEvent.model_validate(e.raw) for e in org.index(ANCHOR).by_time]
    events = (base * (total // len(base) + 1))[:total]
    subs = subscriptions(base, random.Random(5), count)
    started = time.perf_counter()
    index = SubscriptionIndex(subs)
    built = time.perf_counter() - started

    started = time.perf_counter()
    indexed_hits = sum(len(index.matching(e)) for e in events)
    indexed = time.perf_counter() - started

    started = time.perf_counter()
    loop = compiled(subs)
    naive_hits = sum(len(naive_matching(loop, e)) for e in events[:sample])
    naive = time.perf_counter() - started
    sample_hits = sum(len(index.matching(e)) for e in events[:sample])
    assert sample_hits == naive_hits, "the index and the loop disagree"

    per_indexed = indexed / total * 1e6
    per_naive = naive / sample * 1e6
    log(f"{total:,} events x {count:,} subscriptions ({indexed_hits:,} matches); index built in {built:.2f} s")
    log(f"index:       {indexed:6.2f} s in all, {per_indexed:8.1f} us per event")
    log(f"naive loop:  {per_naive:8.1f} us per event (timed on {sample:,} events)")
    log(f"ratio index / naive: {per_indexed / per_naive:.3f} ({per_naive / per_indexed:.0f}x faster)")
    return [
        Result(
            f"`match`: {total:,} events against {count:,} alert subscriptions of mixed shapes",
            f"subscription index: {per_indexed:.1f} µs per event, {milliseconds(indexed)} in all "
            f"({per_naive / per_indexed:.0f}{TIMES} faster)",
            f"a loop running every subscription's precompiled checks on each event: {per_naive:,.0f} µs per event "
            f"(timed on {sample:,} events)",
            per_indexed / per_naive,
        )
    ]


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
