"""``/audit alerts``: posted alerts by triage state, newest first, a page at a time; and App Home's
"Assigned to you".

Layout::

    header   Open alerts / Your alerts / Resolved alerts
    context  newest first · in <#C…> · matching "filters" · page N · (filters checked over the newest 200 only)
    section  *Acknowledged* · assigned to <@U1>                       [Details]   (one per alert)
             <time> · *Action name*
             by actor · from IP (place)
             in <#C…>
    context  +N more on this page            (only when they do not all fit)
    actions  [Previous] [Next]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from auditbot.core.triage import State, Triage
from auditbot.services.alert_list import MAX_SCANNED, AlertListPage, ListedAlert
from auditbot.services.search import FoundEvent
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.limits import (
    MESSAGE_BLOCKS,
    MESSAGE_TEXT_BUDGET,
    Budget,
    JsonDict,
    check_blocks,
    more_line,
)
from auditbot.slack.render.results import event_entry
from auditbot.slack.render.safe import date, inline_code, md, mention
from auditbot.slack.render.views import Message

TITLES = {"open": "Open alerts", "mine": "Your alerts", "resolved": "Resolved alerts"}
EMPTY = {
    "open": "No open alerts.",
    "mine": "No alerts are assigned to you.",
    "resolved": "No resolved alerts.",
}
COMMENT_CHARS = 200
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")


def render_alert_list(page: AlertListPage) -> Message:
    """One page of ``/audit alerts``: each alert with its state, assignee and event, and paging buttons."""
    about = ["newest first"]
    if page.channel_id:
        about.append(f"in {_channel(page.channel_id)}")
    if page.text:
        about.append(f"matching “{md(page.text, 100)}”")
    if page.number > 1:
        about.append(f"page {page.number}")
    if page.scanned:
        about.append(f"filters are checked over the newest {MAX_SCANNED} alerts only")
    head = [kit.header(TITLES[page.view]), kit.context(kit.mrkdwn(" · ".join(about)))]
    paging = kit.actions(
        [
            kit.button("Previous", ids.ALERT_LIST_PREV, page.previous) if page.previous else None,
            kit.button("Next", ids.ALERT_LIST_NEXT, page.next, style="primary") if page.next else None,
        ]
    )
    tail = [paging] if paging is not None else []
    budget = Budget(MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET)
    budget.take([*head, *tail])
    reserve = [more_line(len(page.alerts), "alerts")]
    rows: list[JsonDict] = []
    for alert in page.alerts:
        row = alert_entry(alert)
        if not budget.fits([row], reserve=reserve):
            break
        budget.take([row])
        rows.append(row)
    if not page.alerts:
        empty = EMPTY[page.view]
        if page.channel_id or page.text:
            empty = empty.rstrip(".") + " that match these filters."
        rows.append(kit.section(empty))
    elif len(rows) < len(page.alerts):
        rows.append(more_line(len(page.alerts) - len(rows), "alerts"))
    blocks = [*head, *rows, *tail]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    count = len(page.alerts)
    summary = f"{count} alert{'s' if count != 1 else ''}" + (f", page {page.number}" if page.number > 1 else "")
    return Message(text=kit.fallback(f"{TITLES[page.view]}: {summary}"), blocks=blocks)


def alert_entry(alert: ListedAlert) -> JsonDict:
    """One alert: its state line, the event as search results show it, and the channel it was posted in."""
    where = f"in {_channel(alert.channel_id)}"
    if alert.event is None:
        text = f"{state_line(alert.triage)}\n{inline_code(alert.event_id, 80)} (the event cannot be read now)\n{where}"
        return kit.section(text, accessory=kit.button("Details", ids.EVENT_DETAILS, alert.event_id))
    entry = event_entry(FoundEvent(alert.event, alert.action_name))
    entry["text"]["text"] = f"{state_line(alert.triage)}\n{entry['text']['text']}\n{where}"
    return entry


def state_line(triage: Triage) -> str:
    """``*Acknowledged* · assigned to <@U1>``; a resolved alert says why, by whom and when."""
    parts = [f"*{triage.state.label}*"]
    if triage.state is State.RESOLVED:
        if triage.reason is not None:
            parts[0] += f" ({triage.reason.label})"
        who = mention(triage.changed_by)
        if who:
            parts.append(f"by {who}" + (f" {date(triage.changed_at)}" if triage.changed_at else ""))
        if triage.comment:
            parts.append(f"“{md(triage.comment, COMMENT_CHARS)}”")
    assignee = mention(triage.assignee) if triage.assignee else None
    parts.append(f"assigned to {assignee}" if assignee else "unassigned")
    return " · ".join(parts)


def assigned_blocks(alerts: Sequence[ListedAlert], *, shown: int, command: str = ids.COMMAND) -> list[JsonDict]:
    """App Home's "Assigned to you": up to ``shown`` alerts (one more in ``alerts`` says there are more);
    nothing when none is assigned."""
    if not alerts:
        return []
    head = kit.section("*Assigned to you*")
    more = f"{command} alerts mine"
    note = f"More in {inline_code(more, 40)}." if len(alerts) > shown else f"All of them: {inline_code(more, 40)}."
    return [head, *(alert_entry(a) for a in alerts[:shown]), kit.context(kit.mrkdwn(note))]


def _channel(channel_id: str) -> str:
    return f"<#{channel_id}>" if _CHANNEL_ID.fullmatch(channel_id) else inline_code(channel_id, 40)
