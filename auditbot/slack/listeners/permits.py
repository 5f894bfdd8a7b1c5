"""The permission check every state-changing use case makes itself, whatever the access guard decided.

The guard refuses a request before any listener runs; the use cases (pause, resume, unsubscribe,
subscribe, schedule, unschedule, acknowledge, snooze, export, reading the bot's log) ask the same
``AccessPolicy`` again for the person of the request's typed value, so a request the guard read
wrongly still changes nothing. A refusal is recorded in the bot's trail and told politely.
Without a policy (``deps.access`` is None: no access guard is set up) there is nothing to ask.
"""

from __future__ import annotations

from slack_sdk import WebClient

from auditbot.core.access import Decision, Permission, Place
from auditbot.core.errors import AuditbotError
from auditbot.slack.deps import SlackDeps
from auditbot.slack.directory import LookupFailed
from auditbot.slack.listeners.common import record
from auditbot.slack.payloads import Who


def decide_for(deps: SlackDeps, user_id: str, place: Place, permission: Permission) -> Decision | None:
    """The policy's answer for ``user_id`` at ``place`` (user groups looked up only when needed);
    None without a policy."""
    policy = deps.access
    if policy is None:
        return None
    decision = policy.decide(user_id, frozenset(), place, permission)
    if decision.allowed or policy.open or not policy.group_ids or deps.user_groups is None:
        return decision
    try:
        groups = deps.user_groups.groups_of(user_id)
    except LookupFailed as exc:
        return Decision.unavailable(f"lookup failed: {exc}")
    return policy.decide(user_id, groups, place, permission)


def require(deps: SlackDeps, client: WebClient | None, who: Who, permission: Permission, what: str) -> None:
    """Go on only when ``who`` may use ``permission``; otherwise record a denied ``what`` and raise the
    policy's polite message. The place was checked by the access guard; this checks the person."""
    decision = decide_for(deps, who.user_id, Place.nowhere(), permission)
    if decision is None or decision.allowed:
        return
    record(deps, client, who, what, outcome="denied", detail=f"{permission.value}: {decision.reason}")
    raise AuditbotError(decision.message)
