"""What to try when a search found nothing: a wider window while one is possible, else one filter fewer.

A window of 30 days or more is as wide as the advice goes (the demo's org, and auditbot's copy of the
log by default, hold 30 days), so a search over it is told which filter to drop instead: the one
that most likely excluded everything (free text, then addresses and places, then people, products and
actions; exclusions last).
"""

from __future__ import annotations

from datetime import timedelta

from auditbot.core.errors import AuditbotError
from auditbot.core.query import Query, parse
from auditbot.core.timespec import TimeWindow
from auditbot.slack.render.safe import inline_code

WIDEST_WINDOW_DAYS = 30
QUERY_CHARS = 600
_SLACK = timedelta(hours=1)
"""A window this close to 30 days counts as 30 days (``since:2026-11-01`` read on the 1st of December)."""
NARROWEST_FIRST = (
    "text",
    "ips",
    "locations",
    "actors",
    "products",
    "actions",
    "groups",
    "not_ips",
    "not_locations",
    "not_actors",
    "not_products",
    "not_actions",
    "not_groups",
)
"""The order in which filters are offered for dropping."""


def empty_result_advice(query_text: str, window: TimeWindow) -> str:
    """One sentence (mrkdwn, with the suggested query as code) for a search over ``window`` that matched nothing."""
    try:
        query = parse(query_text)
    except AuditbotError:
        return "Try fewer terms."
    if window.end - window.start < timedelta(days=WIDEST_WINDOW_DAYS) - _SLACK:
        wider = f"{query.replace(since=None, until=None).canonical} last:{WIDEST_WINDOW_DAYS}d".strip()
        return f"Try a wider window: {inline_code(wider, QUERY_CHARS)}"
    for name in NARROWEST_FIRST:
        if getattr(query, name):
            dropped = Query(**{name: getattr(query, name)}).canonical
            rest = query.replace(**{name: ()}).canonical
            return f"Try without {inline_code(dropped, QUERY_CHARS)}: {inline_code(rest, QUERY_CHARS)}"
    return "Nothing in this window matched; the org was quiet then."
