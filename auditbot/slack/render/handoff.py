"""The on-call handoff digest as a Slack message: readable in 30 seconds, each count shown once.

Layout::

    header   Handoff: 12 h
    context  <start> → <end> · filters `query` · from auditbot's copy of the log · notes
    section  *1,234 events* · 987 the shift before (+25%)        (or: Quiet shift: nothing matched)
    section  *Needs a look* (4)                      [Search them]  (open alerts first, then risky
             *3 open alerts*, 2 unassigned: #sec-alerts 2 (1 unassigned), #ops 1 · assigned: @jane 1
             <time> · *Export audit log* by x from IP (place)   [Details]   actions and failed-login
             *27 failed logins* for x                              [Search]    bursts; then what the
             *Resolved this shift*: 3 (False positive 2, Remediated 1)          shift resolved)
    section  *New for the org* (not seen in the 30 days before)   [Search… ▾]
             actors · IP addresses · countries
    section  *By group*: Authentication 812, …                      [Search… ▾]   (one section each:
    section  *Top actions*: User login 640, …                       [Search… ▾]    counts in the text,
    section  *Top actors*: jane@… 85, …                             [Search… ▾]    searches in the menu)
    section  *Snoozed*: …
    context  auditbot's copy of the log is up to date · Admin API budget 7 of 10 left this minute
    actions  [Share to channel]                                   (not on a shared or scheduled copy)

Each count is shown once, in text; the section's menu (``handoff_drill``) runs the search behind one of
them. An option's value is the search term; the section's block id carries the window and the filters
(``drill_block_id``), so the search lists exactly the events counted. An action is named as the action
catalog names it everywhere (the search it opens shows the same name).
Every time is a date token (``safe.date``), so each reader sees the shift in their own zone; the
header and the notification text, which cannot hold one, give the length or the UTC window.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

from slack_sdk.models.blocks import Option, SectionBlock, StaticSelectElement

from auditbot.core.handoff import actor_label, change
from auditbot.core.model import AuditEvent
from auditbot.services.handoff import Handoff
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.limits import (
    MESSAGE_BLOCKS,
    MESSAGE_TEXT_BUDGET,
    OPTION_TEXT,
    OPTION_VALUE,
    OPTIONS,
    Budget,
    JsonDict,
    check_blocks,
    more_line,
    pack_lines,
)
from auditbot.slack.render.safe import date, inline_code, md, mention, plain, units, utc_window, window
from auditbot.slack.render.views import Message

NOTABLE_SHOWN = 8
NEW_SHOWN = 5
BREAKDOWN_SHOWN = 6
BLOCK_ID = 255
"""Slack's limit for a block id."""
OPEN_ALERTS_SHOWN = 5
SNOOZES_SHOWN = 5
_SOURCES = {"mirror": "from auditbot's copy of the log", "live": "live from the Admin API"}


def render_handoff(
    handoff: Handoff,
    *,
    shared_by: str | None = None,
    state: str | None = None,
    scheduled: str | None = None,
) -> Message:
    """The digest; ``shared_by`` marks a copy posted to a channel, ``scheduled`` (a schedule id) one
    posted on schedule (neither has a Share button); ``state`` is the value the Share button carries
    (the handoff's text and window), when sharing is offered."""
    a = handoff.aggregates
    subtitle = _subtitle(handoff, shared_by)
    if scheduled:
        subtitle += f" · scheduled ({inline_code(scheduled, 20)})"
    blocks: list[JsonDict] = [kit.header(f"Handoff: {_length(handoff)}"), kit.context(kit.mrkdwn(subtitle))]
    blocks.append(kit.section(_totals(handoff)))
    tail = _tail(handoff, shared_by, state)
    budget = Budget(MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET)
    budget.take([*blocks, *tail])
    numbers = itertools.count(1)
    parts = (_needs_a_look(handoff, numbers), _new_things(handoff, numbers), _breakdown(handoff, numbers))
    for part in (*parts, _alert_state(handoff)):
        for block in part:
            if not budget.fits([block], reserve=[more_line(1, "")]):
                break
            budget.take([block])
            blocks.append(block)
    blocks += tail if not scheduled else [b for b in tail if b.get("type") != "actions"]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    quiet = "quiet" if a.total == 0 else f"{a.total:,} events"
    span = utc_window(handoff.window.start, handoff.window.end)
    return Message(text=kit.fallback(f"Audit handoff, {span} ({_length(handoff)}): {quiet}"), blocks=blocks)


def search_for(handoff: Handoff, term: str = "") -> str:
    """The search that lists a digest line's events: its filters, ``term`` and the window."""
    return window_search(handoff.query, term, handoff.window.start, handoff.window.end)


def window_search(filters: str, term: str, start: datetime, end: datetime) -> str:
    """``filters term since:<start> until:<end>`` (instants in UTC; a results page shows them as dates)."""
    since, until = (f"{t.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" for t in (start, end))
    return " ".join(p for p in (filters, term, f"since:{since} until:{until}") if p)


def drill_block_id(handoff: Handoff, number: int) -> str | None:
    """The block id of a section with a drill-down menu: ``handoff_drill:<n>|<start>|<end>|<filters>``
    (epoch seconds); ``None`` when the filters make it longer than Slack allows."""
    start, end = (int(t.timestamp()) for t in (handoff.window.start, handoff.window.end))
    block_id = f"{ids.HANDOFF_DRILL}:{number}|{start}|{end}|{handoff.query}"
    return block_id if len(block_id) <= BLOCK_ID else None


def drill_search(block_id: str, term: str) -> str:
    """The search a drill-down menu's choice runs, from its section's block id and the option's term;
    raises ``ValueError`` for a block id ``drill_block_id`` did not make."""
    head, start, end, filters = block_id.split("|", 3)
    if not head.startswith(ids.HANDOFF_DRILL):
        raise ValueError("not a handoff section")
    window = [datetime.fromtimestamp(int(t), UTC) for t in (start, end)]
    return window_search(filters, term, window[0], window[1])


def _length(handoff: Handoff) -> str:
    """``12 h``, or ``3 days`` from 72 hours on."""
    hours = (handoff.window.end - handoff.window.start).total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.0f} days"


def _subtitle(handoff: Handoff, shared_by: str | None) -> str:
    parts = [window(handoff.window.start, handoff.window.end)]
    if handoff.query:
        parts.append("filters " + inline_code(handoff.query, 300))
    parts.append(_SOURCES.get(handoff.source, handoff.source))
    if shared_by and (who := mention(shared_by)):
        parts.append(f"shared by {who}")
    text = " · ".join(parts)
    notes = " ".join(md(n, 300) for n in handoff.notes)
    return text + (f"\n{notes}" if notes else "")


def _totals(handoff: Handoff) -> str:
    a = handoff.aggregates
    if a.total == 0:
        quiet = "*Quiet shift*: no audit events matched in this window."
        return quiet + ("" if a.complete else " (partial: the API budget ran out)")
    line = f"*{a.total:,} events*"
    if not a.complete:
        line = f"*At least {a.total:,} events* (partial)"
    before = handoff.previous_total
    if before is not None:
        line += f" · {before:,} the shift before ({change(a.total, before)})" if before else " · none the shift before"
    kinds = len(a.by_action)
    return line + f" · {kinds} kind{'s' if kinds != 1 else ''} of action"


def action_name(handoff: Handoff, action: str) -> str:
    """The one name of an action: the catalog's (as the search it opens shows), else the digest's own label."""
    return handoff.action_names.get(action) or handoff.risky.get(action) or action


def _needs_a_look(handoff: Handoff, numbers: Iterator[int]) -> list[JsonDict]:
    """Risky events, failed-login bursts and open alerts (unassigned first); "nothing" only when all three
    are; then the alerts resolved in the shift, by reason."""
    a = handoff.aggregates
    alerts = len(handoff.open_alerts)
    resolved = [kit.section(_resolved(handoff))] if handoff.resolved else []
    if not a.notable and not a.failed_login_bursts and not alerts:
        nothing = "*Needs a look*: nothing — no risky actions, no failed-login bursts, no open alerts."
        return ([kit.section(nothing)] if a.total else []) + resolved
    count = a.notable_total + len(a.failed_login_bursts) + alerts
    risky = sorted({k for k in handoff.risky if any(t.key == k for t in a.by_action)})
    search_all = None
    if risky and a.notable_total:
        query = search_for(handoff, "action:" + ",".join(risky))
        search_all = kit.button("Search risky actions", _button_id(numbers), query)
    blocks = [kit.section(f"*Needs a look* ({count:,})", accessory=search_all)]
    if alerts:
        blocks.append(kit.section(_open_alerts(handoff)))
    for event in a.notable[:NOTABLE_SHOWN]:
        blocks.append(_notable(handoff, event))
    hidden = a.notable_total - min(len(a.notable), NOTABLE_SHOWN)
    if hidden > 0:
        blocks.append(more_line(hidden, "risky events — Search risky actions lists them all"))
    for tally in a.failed_login_bursts[:NEW_SHOWN]:
        text = f"*{tally.count} failed logins* for {md(tally.label, 120)}"
        query = search_for(handoff, f"action:user_login_failed actor:{_term(tally.key)}")
        blocks.append(kit.section(text, accessory=kit.button("Search", _button_id(numbers), query)))
    return blocks + resolved


def _open_alerts(handoff: Handoff) -> str:
    """``*3 open alerts*, 2 unassigned: #a 2 (1 unassigned), #b 1 · assigned: @jane 1``."""
    by_channel: dict[str, list[int]] = {}
    by_assignee: dict[str, int] = {}
    for alert in handoff.open_alerts:
        counts = by_channel.setdefault(alert.channel_id, [0, 0])
        counts[0] += 1
        if alert.assignee is None:
            counts[1] += 1
        else:
            by_assignee[alert.assignee] = by_assignee.get(alert.assignee, 0) + 1
    ordered = sorted(by_channel.items(), key=lambda i: (-i[1][1], -i[1][0]))[:OPEN_ALERTS_SHOWN]
    where = ", ".join(f"{_channel(c)} {n}" + (f" ({u} unassigned)" if u and u != n else "") for c, (n, u) in ordered)
    count = len(handoff.open_alerts)
    unassigned = sum(u for _, u in by_channel.values())
    line = f"*{count} open {'alert' if count == 1 else 'alerts'}*, {unassigned} unassigned: {where}"
    people = sorted(by_assignee.items(), key=lambda i: (-i[1], i[0]))[:OPEN_ALERTS_SHOWN]
    named = ", ".join(f"{mention(who) or md(who, 40)} {n}" for who, n in people)
    return line + (f" · assigned: {named}" if named else "")


def _resolved(handoff: Handoff) -> str:
    """``*Resolved this shift*: 3 (False positive 2, Remediated 1)``."""
    total = sum(n for _, n in handoff.resolved)
    reasons = ", ".join(f"{reason.label} {n}" for reason, n in handoff.resolved)
    return f"*Resolved this shift*: {total} ({reasons})"


def _notable(handoff: Handoff, event: AuditEvent) -> JsonDict:
    label = action_name(handoff, event.action)
    where = ""
    location = event.attributes.location
    if event.ip:
        place = location.place if location else None
        where = f" from {md(event.ip, 60)}" + (f" ({md(place, 80)})" if place else "")
    text = f"{date(event.attributes.time)} · *{md(label, 100)}* by {md(actor_label(event), 120)}{where}"
    return kit.section(text, accessory=kit.button("Details", ids.EVENT_DETAILS, event.id))


def _new_things(handoff: Handoff, numbers: Iterator[int]) -> list[JsonDict]:
    a = handoff.aggregates
    if not a.knows_new or a.total == 0:
        return []
    rows = [
        (("actor", "actors"), a.new_actors, "actor"),
        (("IP address", "IP addresses"), a.new_ips, "ip"),
        (("country", "countries"), a.new_countries, "location"),
    ]
    lines = []
    for (one, many), tallies, _ in rows:
        if tallies:
            shown = ", ".join(f"{md(t.label, 80)} ({t.count})" for t in tallies[:NEW_SHOWN])
            more = f" +{len(tallies) - NEW_SHOWN} more" if len(tallies) > NEW_SHOWN else ""
            lines.append(f"{len(tallies)} new {one if len(tallies) == 1 else many}: {shown}{more}")
    if not lines:
        return [kit.section("*New for the org*: nothing — every actor, IP address and country was seen before.")]
    choices = [(t.label, f"{term}:{_term(t.key)}") for _, tallies, term in rows for t in tallies[:NEW_SHOWN]]
    heading = f"*New for the org* (not seen in the {handoff.baseline_days} days before this shift)"
    return [_drill_section(handoff, numbers, heading + "\n" + "\n".join(lines), choices)]


def _breakdown(handoff: Handoff, numbers: Iterator[int]) -> list[JsonDict]:
    """By group, top actions and top actors: the counts in text, each section's searches in its menu."""
    a = handoff.aggregates
    if a.total == 0:
        return []
    groups = handoff.groups[:BREAKDOWN_SHOWN]
    actions = a.by_action[:BREAKDOWN_SHOWN]
    actors = a.top_actors[:BREAKDOWN_SHOWN]
    sections = [
        (
            groups,
            "*By group*: " + ", ".join(f"{md(g.label, 60)} {g.count:,}" for g in groups),
            [(g.label, f"group:{_term(g.key)}") for g in groups if g.key != "Other"],
        ),
        (
            actions,
            "*Top actions*: " + ", ".join(f"{md(action_name(handoff, t.key), 60)} {t.count:,}" for t in actions),
            [(action_name(handoff, t.key), f"action:{t.key}") for t in actions],
        ),
        (
            actors,
            "*Top actors*: " + ", ".join(f"{md(t.label, 80)} {t.count:,}" for t in actors),
            [(t.label, f"actor:{_term(t.key)}") for t in actors],
        ),
    ]
    return [_drill_section(handoff, numbers, text, choices) for shown, text, choices in sections if shown]


def _drill_section(handoff: Handoff, numbers: Iterator[int], text: str, choices: list[tuple[str, str]]) -> JsonDict:
    """A section of counts with a menu of the searches behind them (none when no search fits Slack's limits)."""
    options = [
        Option(text=kit.plain_text(plain(label, OPTION_TEXT)), value=term)
        for label, term in choices
        if units(term) <= OPTION_VALUE
    ][:OPTIONS]
    block_id = drill_block_id(handoff, next(numbers)) if options else None
    menu = None
    if options and block_id:
        menu = StaticSelectElement(placeholder=kit.plain_text("Search…"), action_id=ids.HANDOFF_DRILL, options=options)
    return SectionBlock(text=kit.mrkdwn(text), accessory=menu, block_id=block_id if menu else None).to_dict()


def _alert_state(handoff: Handoff) -> list[JsonDict]:
    """The snoozes running (open alerts are under Needs a look)."""
    lines = []
    for snooze in handoff.snoozes[:SNOOZES_SHOWN]:
        name = action_name(handoff, snooze.action)
        on = (
            f"*{md(snooze.subscription, 80)}* ({inline_code(snooze.subscription_id, 20)})"
            if snooze.subscription
            else (inline_code(snooze.subscription_id, 20))
        )
        lines.append(f"*Snoozed*: {md(snooze.actor, 100)} doing {md(name, 80)} on {on} until {date(snooze.until)}")
    if len(handoff.snoozes) > SNOOZES_SHOWN:
        lines.append(f"+{len(handoff.snoozes) - SNOOZES_SHOWN} more snoozes")
    return [kit.section(text) for text in pack_lines(lines)] if lines else []


def _tail(handoff: Handoff, shared_by: str | None, state: str | None) -> list[JsonDict]:
    facts = []
    if handoff.mirror_state is not None:
        facts.append(f"auditbot's copy of the log is {md(handoff.mirror_state, 200)}")
    if handoff.budget_note:
        facts.append(md(handoff.budget_note, 300))
    blocks = [kit.context(kit.mrkdwn(" · ".join(facts)))] if facts else []
    if shared_by is None and state is not None:
        share = kit.button("Share to channel", ids.HANDOFF_SHARE, state)
        if row := kit.actions([share]):
            blocks.append(row)
    return blocks


def _button_id(numbers: Iterator[int]) -> str:
    """Action ids must differ within a message: ``handoff_search:<n>``."""
    return f"{ids.HANDOFF_SEARCH}:{next(numbers)}"


def _term(value: str) -> str:
    """A search term value, quoted when it has spaces or quotes."""
    if any(c.isspace() for c in value) or '"' in value or "," in value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _channel(channel_id: str) -> str:
    return f"<#{channel_id}>" if channel_id.isalnum() else md(channel_id, 20)
