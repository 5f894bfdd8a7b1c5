"""A page of search results as a Slack message: one compact entry per event, paging buttons.

Layout::

    header   Audit log: <canonical query>
    context  <window start> → <window end> · page N · live from the Admin API · notes…
    context  intro (optional: "From the message: 2 emails, 1 IP")
    section  *418 events* · busiest actors and IP addresses:     ("At least 20 events" where unknown)
    actions  [actor: jane@example.com · 120] … [ip: 203.0.113.7 · 27] …   (each narrows the search)
    section  <time> · *Action name* (times 2)    [Details]      (one per row; repeats collapsed)
             by actor · from IP (place)
             touched: A, B, C +2 more · in: Site         (no "in:" for the org itself)
    context  +N more on this page               (only when the events do not all fit)
    context  Scanned N events; more may match — Next continues   (partial pages)
    actions  Prev · Next · First page · Share to channel · Export CSV
             (no Share or Export when nothing matched; a shared copy has no buttons at all, and says who
             shared it)

The header names the query's terms; a window of fixed instants (``since:2026-12-02T12:49:43Z``, as the
handoff's drill-downs carry) is left to the window line under it, which shows it in the reader's zone.
"""

from __future__ import annotations

from slack_sdk.models.blocks import ButtonElement

from auditbot.core.collapse import collapse, row_key
from auditbot.core.errors import AuditbotError
from auditbot.core.model import AuditEvent, EventObject
from auditbot.core.query import parse
from auditbot.core.timespec import DateTimeSpec, TimeSpec
from auditbot.services.result_summary import Narrowing, ResultSummary
from auditbot.services.search import FoundEvent, ResultPage
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.advice import empty_result_advice
from auditbot.slack.render.limits import (
    BUTTON_TEXT,
    CONTEXT_ELEMENTS,
    MESSAGE_BLOCKS,
    MESSAGE_TEXT_BUDGET,
    Budget,
    JsonDict,
    check_blocks,
    more_line,
)
from auditbot.slack.render.safe import clean, clip, date, md, mention, window
from auditbot.slack.render.views import Message

SHOWN_ITEMS = 3
"""Context and container labels shown per event before "+N more"."""
TIMES = "\u00d7"
"""The multiplication sign of a collapsed row's count."""
ORG_TYPES = frozenset({"org", "orgs", "organization", "organizations"})
"""Container types that mean the organization itself: "in: <org>" on every org-level event says nothing."""
_SOURCES = {"live": "live from the Admin API", "mirror": "from auditbot's copy of the log"}


def render_results(page: ResultPage, *, shared_by: str | None = None, intro: str | None = None) -> Message:
    """One result page; with ``shared_by`` (a Slack user id) a static copy for a channel."""
    shared = shared_by is not None
    head = [_header(page), _summary(page)]
    if intro and clean(intro):
        head.append(kit.context(kit.mrkdwn(md(intro, 500))))
    if page.summary is not None and page.events:
        head.extend(summary_blocks(page.summary, buttons=not shared))
    tail = _tail(page, shared_by)
    budget = Budget(MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET)
    budget.take([*head, *tail])
    rows = collapse(page.events, lambda found: row_key(found.event))
    reserve = [more_line(len(rows), "on this page")]
    entries: list[JsonDict] = []
    for row in rows:
        entry = event_entry(row.first, details=not shared, repeats=row.count)
        if not budget.fits([entry], reserve=reserve):
            break
        budget.take([entry])
        entries.append(entry)
    hidden = sum(row.count for row in rows[len(entries) :])
    if not page.events:
        entries.append(_nothing_found(page))
    elif hidden:
        entries.append(more_line(hidden, "on this page"))
    blocks = [*head, *entries, *tail]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    return Message(text=_fallback(page, shared), blocks=blocks)


def event_entry(found: FoundEvent, *, details: bool = True, repeats: int = 1) -> JsonDict:
    """The compact section for one event, with a Details button when ``details``; ``repeats``: how many events
    the row stands for (the same action, actor and address in the same minute), shown as ``TIMES`` N."""
    event = found.event
    times = f" {TIMES}{repeats}" if repeats > 1 else ""
    lines = [f"{date(event.attributes.time)} · *{md(found.action_name or event.action, 200)}*{times}"]
    lines.append(" · ".join(p for p in (_actor(event), _origin(event)) if p))
    touched = _touched(event)
    if touched:
        lines.append(touched)
    button = kit.button("Details", ids.EVENT_DETAILS, event.id) if details else None
    return kit.section("\n".join(lines), accessory=button)


def render_shared_event(found: FoundEvent, shared_by: str) -> Message:
    """One event shared from its details into a conversation: the compact entry and who shared it."""
    who = mention(shared_by)
    entry = event_entry(found, details=False)
    blocks = [entry, kit.context(kit.mrkdwn(f"Shared by {who} from the event details" if who else "Shared event"))]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    name = clean(found.action_name or found.event.action)[:200]
    return Message(text=kit.fallback(f"Shared audit event: {name}"), blocks=blocks)


def summary_blocks(summary: ResultSummary, *, buttons: bool = True) -> list[JsonDict]:
    """The total, then the busiest actors and addresses: buttons that narrow the search, or text (in a shared
    copy, and for one the search is already narrowed to)."""
    named = [("actor", n) for n in summary.actors] + [("ip", n) for n in summary.ips]
    clickable = [(kind, n) for kind, n in named if buttons and n.state]
    as_text = [f"{md(n.label, 100)} ({n.count:,})" for kind, n in named if (kind, n) not in clickable]
    parts = [f"*{total_text(summary)}*" + ("" if summary.exact else " so far")]
    if as_text:
        parts.append(f"busiest: {', '.join(as_text)}")
    if clickable:
        parts.append("click a busiest actor or IP address to narrow the search")
    blocks = [kit.section(" · ".join(parts))]
    row = kit.actions([_narrow_button(kind, n, index) for index, (kind, n) in enumerate(clickable)])
    if row is not None:
        blocks.append(row)
    return blocks


def total_text(summary: ResultSummary) -> str:
    """``418 events``, ``1 event``, or ``At least 20 events`` where only a lower bound is known."""
    noun = "event" if summary.total == 1 else "events"
    count = f"{summary.total:,} {noun}"
    return count if summary.exact else f"At least {count}"


def _narrow_button(kind: str, narrowing: Narrowing, index: int) -> ButtonElement | None:
    text = clip(clean(f"{kind}: {narrowing.label} · {narrowing.count:,}"), BUTTON_TEXT)
    return kit.button(text, f"{ids.SEARCH_NARROW}:{index}", narrowing.state, emoji=False)


def _header(page: ResultPage) -> JsonDict:
    query = clean(readable_query(page.query))
    return kit.header(f"Audit log: {query}" if query else "Audit log: all events")


def readable_query(text: str) -> str:
    """``text`` without ``since:``/``until:`` terms that are fixed instants (the window line shows those as
    dates in the reader's zone); any other query, or text that does not parse, unchanged."""
    try:
        query = parse(text)
    except AuditbotError:
        return text
    fixed = {name: _fixed(spec) for name, spec in (("since", query.since), ("until", query.until))}
    if not any(fixed.values()):
        return text
    changes = {name: None for name, is_fixed in fixed.items() if is_fixed}
    return query.replace(**changes).canonical


def _summary(page: ResultPage) -> JsonDict:
    source = md(page.source_note, 120) if page.source_note else _SOURCES.get(page.source) or md(page.source, 60)
    line = f"{window(page.window.start, page.window.end)} · page {page.page} · {source}"
    elements = [kit.mrkdwn(line)]
    notes = [n for n in page.notes if clean(n)]
    room = CONTEXT_ELEMENTS - 1
    if len(notes) > room:
        notes = [*notes[: room - 1], f"+{len(notes) - room + 1} more notes"]
    elements.extend(kit.mrkdwn(md(note, 300)) for note in notes)
    return kit.context(*elements)


def _fixed(spec: TimeSpec | None) -> bool:
    return isinstance(spec, DateTimeSpec) and spec.value.tzinfo is not None


def _tail(page: ResultPage, shared_by: str | None) -> list[JsonDict]:
    tail: list[JsonDict] = []
    if page.partial:
        note = f"Scanned {page.scanned} events; more may match — Next continues."
        if page.retry_after is not None:
            note += f" Rate limit reached; ready in {max(1, round(page.retry_after))} s."
        tail.append(kit.context(kit.mrkdwn(note)))
    if shared_by is not None:
        who = mention(shared_by)
        tail.append(kit.context(kit.mrkdwn(f"Shared by {who}" if who else "Shared to this channel")))
        return tail
    found = bool(page.events)
    buttons = kit.actions(
        [
            kit.button("Prev", ids.PAGE_PREV, page.prev_state) if page.prev_state else None,
            kit.button("Next", ids.PAGE_NEXT, page.next_state, style="primary") if page.next_state else None,
            kit.button("First page", ids.PAGE_FIRST, page.first_state) if page.page > 2 and page.first_state else None,
            kit.button("Share to channel", ids.SHARE_PAGE, page.state) if found else None,
            kit.button("Export CSV", ids.EXPORT_CSV, page.state) if found or page.partial else None,
        ]
    )
    if buttons is not None:
        tail.extend([kit.divider(), buttons])
    return tail


def _nothing_found(page: ResultPage) -> JsonDict:
    if page.partial:
        return kit.section("*No events matched yet.* Next scans further back in the window.")
    return kit.section(f"*No events matched.* {empty_result_advice(page.query, page.window)}")


def _actor(event: AuditEvent) -> str:
    actor = event.actor
    if actor.is_system:
        return "by Atlassian (system)"
    return f"by {md(actor.label, 120)}"


def _origin(event: AuditEvent) -> str:
    location = event.attributes.location
    if location is None:
        return ""
    parts = [md(location.ip, 60)] if location.ip and clean(location.ip) else []
    place = location.place
    if place and clean(place):
        parts.append(f"({md(place, 80)})")
    return f"from {' '.join(parts)}" if parts else ""


def _touched(event: AuditEvent) -> str:
    places = [item for item in event.container if (item.type or "").casefold() not in ORG_TYPES]
    parts = [p for p in (_labels("touched", event.context), _labels("in", places)) if p]
    return " · ".join(parts)


def _labels(what: str, items: list[EventObject]) -> str:
    labels = [md(item.label, 60) for item in items[:SHOWN_ITEMS]]
    if not labels:
        return ""
    more = f" +{len(items) - SHOWN_ITEMS} more" if len(items) > SHOWN_ITEMS else ""
    return f"{what}: {', '.join(labels)}{more}"


def _fallback(page: ResultPage, shared: bool) -> str:
    count = len(page.events)
    noun = "event" if count == 1 else "events"
    prefix = "Shared audit log" if shared else "Audit log"
    counted = f"{count} {noun}" if page.summary is None else total_text(page.summary).lower()
    return kit.fallback(f"{prefix}: {counted} for {clean(readable_query(page.query))[:200] or 'all events'}")
