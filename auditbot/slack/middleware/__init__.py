"""Bolt global middleware, and the one place their order is decided: ``chain``.

Every request passes, after Bolt's signature check and ``PayloadReader`` (see ``slack.app``):

1. ``replay`` (``integrity.replay_guard``): a signed request sent again is refused with 401.
2. ``dedupe`` (``integrity.dedupe_guard``): a second delivery of one interaction is acked, not run.
3. ``response_url`` (``integrity.response_url_guard``): a response_url off Slack's hooks host is 400.
4. ``access`` (``guard.access_guard``): the access policy; refused people hear why and go no further,
   so they do not spend their search allowance.
5. ``rate_limit`` (``throttle.user_rate_limit``): the per-person search limit; with a ``trail``, each
   refusal is recorded in it (``failures.refusal_recorder``).

Errors shown to a person are recorded by ``failures.failure_trail``, which ``slack.app.build_app``
puts in front of every listener whatever this chain holds.

The integrity checks come first because they are about the request, not the person; the response-URL
prefixes are given once, and both the response_url check and the access guard (which posts its
refusals to a response_url) use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from auditbot.core.access import AccessPolicy
from auditbot.core.clock import Clock
from auditbot.slack.directory import ChannelKinds, UserGroups
from auditbot.slack.middleware.failures import refusal_recorder
from auditbot.slack.middleware.guard import OnDecision, access_guard
from auditbot.slack.middleware.integrity import (
    SLACK_HOOKS,
    dedupe_guard,
    replay_guard,
    response_url_allowed,
    response_url_guard,
)
from auditbot.slack.middleware.throttle import Middleware, user_rate_limit
from auditbot.slack.trail import BotTrail

__all__ = ["Access", "Middleware", "chain"]


@dataclass(frozen=True)
class Access:
    """What the access guard checks against: the policy, where to look up channels and user groups,
    and who hears of each decision (the bot's trail records refusals)."""

    policy: AccessPolicy
    directory: ChannelKinds
    groups: UserGroups | None = None
    on_decision: OnDecision | None = None


def chain(
    clock: Clock,
    *,
    per_minute: int,
    response_prefixes: Sequence[str] = (),
    access: Access | None = None,
    trail: BotTrail | None = None,
) -> list[Middleware]:
    """The middleware for every request, in order: replay, dedupe, response_url, access (when given),
    rate limit. ``response_prefixes`` are response_url roots allowed besides Slack's hooks host (the
    demo playground's loopback root); ``trail`` records the search limit's refusals."""
    prefixes = (SLACK_HOOKS, *response_prefixes)
    guards = [replay_guard(clock), dedupe_guard(clock), response_url_guard(prefixes)]
    if access is not None:
        guards.append(
            access_guard(
                access.policy,
                access.directory,
                groups=access.groups,
                on_decision=access.on_decision,
                response_url_ok=partial(response_url_allowed, prefixes=prefixes),
            )
        )
    on_refused = refusal_recorder(trail) if trail is not None else None
    guards.append(user_rate_limit(clock, per_minute, on_refused=on_refused))
    return guards
