"""App Home for a person: the connected org, whether the API key works, the rate budget left, quick
queries, the alerts assigned to the person and the workspace's subscriptions, built from the deps and published."""

from __future__ import annotations

from datetime import UTC, datetime, time

from slack_sdk import WebClient

from auditbot.slack.deps import SlackDeps
from auditbot.slack.render import render_home
from auditbot.slack.render.home import ASSIGNED_SHOWN
from auditbot.slack.render.views import HomeView


def home_view(deps: SlackDeps, team_id: str = "") -> HomeView:
    """Home for a person of workspace ``team_id`` (its subscriptions are listed when auditbot keeps them)."""
    snapshot = deps.catalog.snapshot()
    key_ok = not snapshot.stale if snapshot.fetched_at or snapshot.stale else None
    problem, expires = snapshot.problem, None
    if deps.key_health is not None:
        status = deps.key_health.status()
        key_ok = status.ok if status.ok is not None else key_ok
        problem = status.problem or problem
        expires = datetime.combine(status.expires, time(), UTC) if status.expires else None
    return HomeView(
        org_id=deps.org_id,
        sandbox=deps.sandbox,
        key_ok=key_ok,
        key_problem=problem,
        key_expires=expires,
        budgets=deps.budgets(),
        catalog_note=snapshot.problem if snapshot.stale and snapshot.actions else None,
        quick_queries=deps.quick_queries,
        mirror_note=deps.mirror_status() if deps.mirror_status else None,
        subscriptions=tuple(deps.subscriptions.of_team(team_id)) if deps.subscriptions is not None else None,
    )


def publish_home(deps: SlackDeps, client: WebClient, user_id: str, team_id: str, *, sent: str | None = None) -> None:
    """Publish (or refresh) App Home for ``user_id`` of workspace ``team_id``; ``sent``: the query of the
    quick query whose results were just sent to the person's DM (App Home then says so, by its label)."""
    label = next((name for name, query in deps.quick_queries if query == sent), sent)
    assigned = deps.alert_list.assigned_to(team_id, user_id, limit=ASSIGNED_SHOWN + 1) if deps.alert_list else []
    client.views_publish(user_id=user_id, view=render_home(home_view(deps, team_id), sent=label, assigned=assigned))
