"""Block Kit renderers: pure functions from view models and service results to Slack payloads.

Nothing here does I/O or reads the clock. Every untrusted string is put in ``plain_text`` or
escaped (``safe``), and every payload is checked against Block Kit's limits (``limits``).
"""

from __future__ import annotations

from auditbot.slack.render.alerts import (
    render_alert,
    render_burst_part,
    render_burst_summary,
    render_delivery_paused,
    render_snooze_ended,
)
from auditbot.slack.render.catalog import render_actions
from auditbot.slack.render.detail import render_event_detail
from auditbot.slack.render.errors import render_error
from auditbot.slack.render.form import render_action_options, render_search_form
from auditbot.slack.render.help import render_help
from auditbot.slack.render.home import render_home
from auditbot.slack.render.notice import render_notice
from auditbot.slack.render.results import render_results
from auditbot.slack.render.subscriptions import render_dry_run, render_subscriptions
from auditbot.slack.render.views import HomeView, Message, RateBudget, SearchFormPrefill

__all__ = [
    "HomeView",
    "Message",
    "RateBudget",
    "SearchFormPrefill",
    "render_action_options",
    "render_actions",
    "render_alert",
    "render_burst_part",
    "render_burst_summary",
    "render_delivery_paused",
    "render_dry_run",
    "render_error",
    "render_event_detail",
    "render_help",
    "render_home",
    "render_notice",
    "render_results",
    "render_search_form",
    "render_snooze_ended",
    "render_subscriptions",
]
