"""The on-call handoff digest as a Slack message: readable in 30 seconds, every count a search.

Layout::

    header   Handoff: 12 h
    context  <start> → <end> · filters `query` · from auditbot's copy of the log · notes
    section  *1,234 events* · +25% on the 12 h before          (or: Quiet shift: nothing matched)
    section  *Needs a look*                                      (risky actions, failed-login bursts)
             <time> · *Org admin granted* by x from IP (place)   [Details]   (one block each)
    section  *New for the org* (not seen in the 30 days before)
             actors · IP addresses · countries
    section  *By group* / *Top actions* / *Top actors*  (text)
    actions  [Authentication 812] [User login 640] [jane@… 85] …  (every count runs its search)
    section  *Alerts not acknowledged* · *Snoozed*
    context  auditbot's copy of the log is up to date · Admin API budget 7 of 10 left this minute
    actions  [Share to channel]                                   (not on a shared or scheduled copy)

Counts are buttons (``handoff_search:n``) whose value is the search that lists those events.
Every time is a date token (``safe.date``), so each reader sees the shift in their own zone; the
header and the notification text, which cannot hold one, give the length or the UTC window.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC

from slack_sdk.models.blocks import ButtonElement

from auditbot.core.handoff import actor_label, change
from auditbot.core.model import AuditEvent
from auditbot.services.handoff import Handoff
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.limits import (
    ACTIONS_ELEMENTS,
    BUTTON_TEXT,
    MESSAGE_BLOCKS,
    MESSAGE_TEXT_BUDGET,
    Budget,
    JsonDict,
    check_blocks,
    more_line,
    pack_lines,
)
from auditbot.slack.render.safe import clean, clip, date, inline_code, md, mention, utc_window, window
from auditbot.slack.render.views import Message

NOTABLE_SHOWN = 8
NEW_SHOWN = 5
COUNT_BUTTONS = 20
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
    start, end = (f"{t.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" for t in (handoff.window.start, handoff.window.end))
    return " ".join(p for p in (handoff.query, term, f"since:{start} until:{end}") if p)


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
    if handoff.previous_total is not None:
        line += f" · {change(a.total, handoff.previous_total)} on the {handoff.previous_total:,} of the shift before"
    kinds = len(a.by_action)
    return line + f" · {kinds} kind{'s' if kinds != 1 else ''} of action"


def _needs_a_look(handoff: Handoff, numbers: Iterator[int]) -> list[JsonDict]:
    a = handoff.aggregates
    if not a.notable and not a.failed_login_bursts:
        return [kit.section("*Needs a look*: no risky actions and no failed-login bursts.")] if a.total else []
    blocks = [kit.section(f"*Needs a look* ({a.notable_total + len(a.failed_login_bursts)})")]
    for event in a.notable[:NOTABLE_SHOWN]:
        blocks.append(_notable(handoff, event))
    hidden = a.notable_total - min(len(a.notable), NOTABLE_SHOWN)
    if hidden > 0:
        blocks.append(more_line(hidden, "risky events — the Risky actions button lists them all"))
    for tally in a.failed_login_bursts[:NEW_SHOWN]:
        text = f"*{tally.count} failed logins* for {md(tally.label, 120)}"
        query = search_for(handoff, f"action:user_login_failed actor:{_term(tally.key)}")
        blocks.append(kit.section(text, accessory=kit.button("Search", _button_id(numbers), query)))
    return blocks


def _notable(handoff: Handoff, event: AuditEvent) -> JsonDict:
    label = handoff.risky.get(event.action) or handoff.action_names.get(event.action, event.action)
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
        ("actors", a.new_actors, "actor"),
        ("IP addresses", a.new_ips, "ip"),
        ("countries", a.new_countries, "location"),
    ]
    lines = []
    for what, tallies, _ in rows:
        if tallies:
            shown = ", ".join(f"{md(t.label, 80)} ({t.count})" for t in tallies[:NEW_SHOWN])
            more = f" +{len(tallies) - NEW_SHOWN} more" if len(tallies) > NEW_SHOWN else ""
            lines.append(f"{len(tallies)} new {what}: {shown}{more}")
    if not lines:
        return [kit.section("*New for the org*: nothing — every actor, IP address and country was seen before.")]
    buttons = [
        _count_button(handoff, numbers, f"New: {t.label}", t.count, f"{term}:{_term(t.key)}")
        for _, tallies, term in rows
        for t in tallies[:NEW_SHOWN]
    ]
    heading = f"*New for the org* (not seen in the {handoff.baseline_days} days before)"
    blocks = [kit.section(heading + "\n" + "\n".join(lines))]
    if row := kit.actions(buttons[:ACTIONS_ELEMENTS]):
        blocks.append(row)
    return blocks


def _breakdown(handoff: Handoff, numbers: Iterator[int]) -> list[JsonDict]:
    a = handoff.aggregates
    if a.total == 0:
        return []
    groups = ", ".join(f"{md(g.label, 60)} {g.count:,}" for g in handoff.groups[:8])
    actions = ", ".join(f"{md(handoff.action_names.get(t.key, t.key), 60)} {t.count:,}" for t in a.by_action[:5])
    actors = ", ".join(f"{md(t.label, 80)} {t.count:,}" for t in a.top_actors[:5])
    texts = pack_lines([f"*By group*: {groups}", f"*Top actions*: {actions}", f"*Top actors*: {actors}"])
    blocks = [kit.section(text) for text in texts]
    risky = sorted({k for k in handoff.risky if any(t.key == k for t in a.by_action)})
    buttons = []
    if risky:
        buttons.append(_count_button(handoff, numbers, "Risky actions", a.notable_total, "action:" + ",".join(risky)))
    buttons += [
        _count_button(handoff, numbers, g.label, g.count, f"group:{_term(g.key)}")
        for g in handoff.groups[:6]
        if g.key != "Other"
    ]
    buttons += [
        _count_button(handoff, numbers, handoff.action_names.get(t.key, t.key), t.count, f"action:{t.key}")
        for t in a.by_action[:6]
    ]
    buttons += [_count_button(handoff, numbers, t.label, t.count, f"actor:{_term(t.key)}") for t in a.top_actors[:5]]
    buttons = buttons[:COUNT_BUTTONS]
    for start in range(0, len(buttons), ACTIONS_ELEMENTS):
        if row := kit.actions(buttons[start : start + ACTIONS_ELEMENTS]):
            blocks.append(row)
    return blocks


def _alert_state(handoff: Handoff) -> list[JsonDict]:
    lines = []
    if handoff.open_alerts:
        by_channel: dict[str, int] = {}
        for alert in handoff.open_alerts:
            by_channel[alert.channel_id] = by_channel.get(alert.channel_id, 0) + 1
        where = ", ".join(f"{_channel(c)} {n}" for c, n in list(by_channel.items())[:OPEN_ALERTS_SHOWN])
        lines.append(f"*Alerts not acknowledged*: {len(handoff.open_alerts)} ({where})")
    for snooze in handoff.snoozes[:SNOOZES_SHOWN]:
        name = handoff.action_names.get(snooze.action, snooze.action)
        lines.append(
            f"*Snoozed*: {md(snooze.actor, 100)} doing {md(name, 80)} on {inline_code(snooze.subscription_id, 20)}"
            f" until {date(snooze.until)}"
        )
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


def _count_button(handoff: Handoff, numbers: Iterator[int], label: str, count: int, term: str) -> ButtonElement | None:
    text = clip(clean(f"{label} · {count:,}"), BUTTON_TEXT)
    return kit.button(text, _button_id(numbers), search_for(handoff, term))


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
