"""Alert messages: one event as it arrives, a burst's summary and its thread parts, snooze and pause notes.

Layouts::

    render_alert
      section  :rotating_light: *High severity* · a risky action   (risky actions only: core.handoff.RISKY_ACTIONS)
      section  <time> · *Action name*                 (as a search result entry)
               by actor · from IP (place)
               touched: A, B · in: Org
      context  Matched *Admin grants* (`sub-abc`), *Added organization admin* (`sub-def`)
      context  Acknowledged by @jane · <date>          (once acknowledged)
      context  Snoozed by @jane until <date>           (while its actor's action is snoozed)
      context  Assigned to @maya · ✅ Resolved by @jane · False positive · comment · <date>   (triage state)
      actions  [Acknowledge] [Resolve] [Assign to me] [Assign… ▾] [Snooze… ▾] [Investigate] [Details] [Open ↗]
               (no Acknowledge once acknowledged; a resolved alert has [Reopen] in place of Acknowledge,
               Resolve and the assigning; the link only for an event from a known org)

    render_burst_summary
      section  *N audit events matched `sub-abc`* — listed in this thread
      context  counts below are for the first M      (when the items are only the first part)
      section  *By action* — Name: 12 …   |   *Top actors* — actor: 5 …
      context  <first time> → <last time>
      actions  [Acknowledge all]                      (or: context Acknowledged by …)

    render_burst_part
      section  one line per event: <time> · *Action* · actor · IP   (packed, ≤ 3000 each; the time of
               day with seconds when the part spans less than a day)
      context  +N more                                (beyond 50 events)
      actions  [Open details… ▾]

Button and option values carry what a click needs, compactly: the Acknowledge button
``<event id>|<sub ids>``, each Snooze option ``<choice>|<sub ids>|<event id>`` (≤ 150), where
``<sub ids>`` is a comma-separated list, or ``*`` ("every subscription posting in this channel")
when the list would not fit; [Investigate] and [Details] carry the event id.

Subscriptions are shown by their titles (a name, else their query in words) when the caller has them
(``titles``: id → title), with the id beside, since commands take it.

Every time shown is a date token (``safe.date``), seen in each viewer's zone; option texts, which
cannot hold one, say the time in UTC.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InteractiveElement,
    Option,
    StaticSelectElement,
    UserSelectElement,
)

from auditbot.core.errors import AuditbotError
from auditbot.core.handoff import RISKY_ACTIONS
from auditbot.core.model import AuditEvent
from auditbot.core.snooze import CHOICES, FOUR_HOURS, ONE_HOUR, TOMORROW_MORNING
from auditbot.core.triage import OPEN, State, Triage
from auditbot.services.delivery import AlertItem
from auditbot.services.search import FoundEvent
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.limits import (
    ACTIONS_ELEMENTS,
    BUTTON_VALUE,
    MESSAGE_BLOCKS,
    MESSAGE_TEXT_BUDGET,
    OPTION_TEXT,
    OPTION_VALUE,
    SECTION_TEXT,
    JsonDict,
    check_blocks,
    more_line,
    pack_lines,
    text_units,
)
from auditbot.slack.render.results import event_entry
from auditbot.slack.render.safe import (
    allowed_url,
    clean,
    date,
    inline_code,
    md,
    mention,
    plain,
    time_of_day,
    units,
    utc_clock,
    utc_text,
    window,
)
from auditbot.slack.render.views import Message

SNOOZE_LABELS: dict[str, str] = {
    ONE_HOUR: "1 hour",
    FOUR_HOURS: "4 hours",
    TOMORROW_MORNING: "Until 09:00 tomorrow (your time)",
}
EVERY_SUBSCRIPTION = "*"
"""In a value: every subscription posting in the channel (the ids did not fit)."""
ACKNOWLEDGED_BLOCK = "alert_acknowledged"
"""The block_id of the "Acknowledged by" line, so a message is never marked twice."""
SNOOZED_BLOCK = "alert_snoozed"
"""The block_id of the "Snoozed by" line, replaced when the snooze is set again."""
TRIAGE_BLOCK = "alert_triage"
"""The block_id of the triage state line (assignee, resolved, reopened), replaced on every change."""
TRIAGE_ACTION_IDS = frozenset(
    {ids.ALERT_ACK, ids.ALERT_RESOLVE, ids.ALERT_REOPEN, ids.ALERT_ASSIGN_ME, ids.ALERT_ASSIGN}
)
"""The buttons the triage state decides on a card (the others stay as they are)."""
SEVERITY_BLOCK = "alert_severity"
"""The block_id of a risky alert's severity line."""
HIGH = "High"
ADMIN_UI = "https://admin.atlassian.com"
ADMIN_LINK_TEXT = "Open in Atlassian Administration"
TITLE = 120
"""Characters of a subscription's title shown on an alert."""
TITLES_TEXT = 1500
"""Characters the "Matched" line may take before it lists only ids."""
PART_EVENTS = 50
SHOWN_SUBSCRIPTIONS = 10
TOP_ACTIONS = 8
TOP_ACTORS = 5

_SUBSCRIPTION_ID_RE = re.compile(r"sub-[a-z0-9]{1,32}")
_EVENT_SELF_RE = re.compile(r"https://api\.atlassian\.com/admin/v1/orgs/([A-Za-z0-9_-]{1,64})/events/[^/?#]+")
_SEP = "|"


# -- values ----------------------------------------------------------------------------------------


def ack_value(event_id: str, subscription_ids: Sequence[str]) -> str:
    """The Acknowledge button's value: ``<event id>|sub-a,sub-b``."""
    value = f"{event_id}{_SEP}{_ids_text(subscription_ids)}"
    return value if units(value) <= BUTTON_VALUE else f"{event_id}{_SEP}{EVERY_SUBSCRIPTION}"


def read_ack_value(value: str) -> tuple[str, tuple[str, ...]]:
    """(event id, subscription ids) from an Acknowledge button; ``("*",)`` means every one in the channel."""
    event_id, sep, subs = value.rpartition(_SEP)
    if not sep or not event_id:
        raise _stale_button()
    return event_id, _read_ids(subs)


def snooze_value(choice: str, subscription_ids: Sequence[str], event_id: str) -> str | None:
    """A Snooze option's value ``<choice>|sub-a,sub-b|<event id>``; None when even ``*`` does not fit."""
    for subs in (_ids_text(subscription_ids), EVERY_SUBSCRIPTION):
        value = f"{choice}{_SEP}{subs}{_SEP}{event_id}"
        if units(value) <= OPTION_VALUE:
            return value
    return None


def read_snooze_value(value: str) -> tuple[str, tuple[str, ...], str]:
    """(choice, subscription ids, event id) from a Snooze option."""
    choice, sep, rest = value.partition(_SEP)
    subs, sep2, event_id = rest.partition(_SEP)
    if not sep or not sep2 or not event_id or choice not in CHOICES:
        raise _stale_button()
    return choice, _read_ids(subs), event_id


def _ids_text(subscription_ids: Sequence[str]) -> str:
    return ",".join(dict.fromkeys(subscription_ids)) or EVERY_SUBSCRIPTION


def _read_ids(text: str) -> tuple[str, ...]:
    if text == EVERY_SUBSCRIPTION:
        return (EVERY_SUBSCRIPTION,)
    found = tuple(dict.fromkeys(s for s in text.split(",") if s))
    if not found or not all(_SUBSCRIPTION_ID_RE.fullmatch(s) for s in found):
        raise _stale_button()
    return found


def _stale_button() -> AuditbotError:
    return AuditbotError("That alert button could not be read.", hint="Use the buttons of a newer alert.")


# -- one alert -------------------------------------------------------------------------------------


def render_alert(
    item: AlertItem,
    *,
    acknowledged: tuple[str, datetime] | None = None,
    snoozed: tuple[str, datetime] | None = None,
    titles: Mapping[str, str] | None = None,
    triage: Triage = OPEN,
) -> Message:
    """One event for an alert channel: its severity when risky, the subscriptions it matched (by
    ``titles`` when given), and its state: ``acknowledged`` (user id, when), ``snoozed`` (user id, until)
    and ``triage`` (the stored state: assignee, resolved, reopened)."""
    event = item.event
    high = severity(event.action) == HIGH
    blocks = [severity_line()] if high else []
    blocks += [
        event_entry(FoundEvent(event, item.action_name), details=False),
        kit.context(kit.mrkdwn(f"Matched {subscriptions_text(item.subscription_ids, titles)}")),
    ]
    shown_acknowledged = acknowledged is not None and not reopened(triage)
    if acknowledged is not None and shown_acknowledged:
        blocks.append(acknowledged_line(*acknowledged))
    if snoozed is not None:
        blocks.append(snoozed_line(*snoozed))
    line = triage_line(triage)
    if line is not None:
        blocks.append(line)
    value = ack_value(event.id, item.subscription_ids)
    elements: list[InteractiveElement | None] = list(
        triage_elements(triage, value, acknowledged=shown_acknowledged, high=high)
    )
    elements.append(_snooze_select(item))
    elements.append(kit.button("Investigate", ids.ALERT_INVESTIGATE, event.id))
    elements.append(kit.button("Details", ids.EVENT_DETAILS, event.id))
    elements.append(_admin_button(event))
    present = [e for e in elements if e is not None]
    if present:
        blocks.append(ActionsBlock(elements=present).to_dict())
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    subs = ", ".join(_titles_of(item.subscription_ids, titles)[:3])
    level = f" ({HIGH})" if high else ""
    what = clean(item.action_name or event.action)[:150]
    return Message(text=kit.fallback(f"Audit alert{level}: {what} {_by(event)} ({subs})", 1000), blocks=blocks)


def reopened(triage: Triage) -> bool:
    """Open after someone changed it: an earlier acknowledgement no longer stands."""
    return triage.state is State.OPEN and bool(triage.changed_by)


def triage_line(triage: Triage) -> JsonDict | None:
    """The context line saying where the alert stands (block id ``TRIAGE_BLOCK``), or None for an
    untouched, unassigned alert: "Assigned to @maya", "✅ Resolved by @jane · False positive · comment · <date>",
    "Reopened by @jane · <date>"."""
    parts: list[str] = []
    if triage.state is State.RESOLVED:
        resolved = f":white_check_mark: *Resolved* by {mention(triage.changed_by) or 'someone'}"
        if triage.reason is not None:
            resolved += f" · {md(triage.reason.label, 60)}"
        if triage.comment:
            resolved += f" · {md(triage.comment, 600)}"
        if triage.changed_at is not None:
            resolved += f" · {date(triage.changed_at)}"
        parts.append(resolved)
    elif triage.state is State.OPEN and triage.changed_by and triage.assignee is None:
        when = f" · {date(triage.changed_at)}" if triage.changed_at is not None else ""
        who = mention(triage.changed_by) or "someone"
        parts.append(f":arrows_counterclockwise: Open · last changed by {who}{when}")
    if triage.assignee is not None:
        parts.insert(0, f":bust_in_silhouette: Assigned to {mention(triage.assignee) or 'someone'}")
    if not parts:
        return None
    line = kit.context(kit.mrkdwn(" · ".join(parts)))
    return {**line, "block_id": TRIAGE_BLOCK}


def triage_elements(triage: Triage, value: str, *, acknowledged: bool, high: bool = False) -> list[InteractiveElement]:
    """The buttons the alert's state allows, each carrying ``value`` (``ack_value``): [Acknowledge] while
    open, [Resolve], [Assign to me] and the "Assign…" picker until resolved, [Reopen] once resolved."""
    if units(value) > BUTTON_VALUE:
        return []  # no button can carry the alert
    if triage.state is State.RESOLVED:
        return [e for e in [kit.button("Reopen", ids.ALERT_REOPEN, value)] if e is not None]
    buttons: list[ButtonElement | None] = []
    if triage.state is State.OPEN and not acknowledged:
        buttons.append(kit.button("Acknowledge", ids.ALERT_ACK, value, style="danger" if high else "primary"))
    buttons.append(kit.button("Resolve", ids.ALERT_RESOLVE, value))
    buttons.append(kit.button("Assign to me", ids.ALERT_ASSIGN_ME, value))
    elements: list[InteractiveElement] = [b for b in buttons if b is not None]
    picker = UserSelectElement(placeholder=kit.plain_text("Assign…"), action_id=ids.ALERT_ASSIGN)
    if triage.assignee is not None:
        picker.initial_user = triage.assignee
    elements.append(picker)
    return elements


def triaged_blocks(blocks: Sequence[Any], triage: Triage, value: str) -> list[JsonDict]:
    """A posted alert's ``blocks`` showing ``triage``: the state line replaced (or added before its
    buttons), the triage buttons redrawn for the state (the others kept), and the "Acknowledged by" line
    gone once the alert is open again."""
    kept = [
        b
        for b in blocks
        if isinstance(b, dict)
        and b.get("block_id") != TRIAGE_BLOCK
        and not (reopened(triage) and b.get("block_id") == ACKNOWLEDGED_BLOCK)
    ]
    acknowledged = any(b.get("block_id") == ACKNOWLEDGED_BLOCK for b in kept)
    high = any(b.get("block_id") == SEVERITY_BLOCK for b in kept)
    at = next((i for i, b in enumerate(kept) if b.get("type") == "actions"), None)
    fresh: list[JsonDict] = [e.to_dict() for e in triage_elements(triage, value, acknowledged=acknowledged, high=high)]
    line = triage_line(triage)
    if at is None:
        tail = [line] if line is not None else []
        return [*kept, *tail, {"type": "actions", "elements": fresh}][:MESSAGE_BLOCKS]
    old = kept[at]
    others = [
        e for e in old.get("elements") or [] if not (isinstance(e, dict) and e.get("action_id") in TRIAGE_ACTION_IDS)
    ]
    actions = {**old, "elements": [*fresh, *others][:ACTIONS_ELEMENTS]}
    head = [*kept[:at], *([line] if line is not None else [])]
    return [*head, actions, *kept[at + 1 :]][:MESSAGE_BLOCKS]


def burst_triaged_blocks(blocks: Sequence[Any], triage: Triage) -> list[JsonDict]:
    """A posted burst summary's ``blocks`` showing ``triage``: the state line replaced (before its buttons);
    once resolved, its [Acknowledge all] and [Resolve all] gone (an actions block left empty goes too)."""
    batch_ids = (ids.ALERT_ACK_BATCH, ids.ALERT_RESOLVE_BATCH)
    kept: list[JsonDict] = []
    for block in blocks:
        if not isinstance(block, dict) or block.get("block_id") == TRIAGE_BLOCK:
            continue
        if block.get("type") == "actions" and triage.state is State.RESOLVED:
            elements = [
                e for e in block.get("elements") or [] if not (isinstance(e, dict) and e.get("action_id") in batch_ids)
            ]
            if not elements:
                continue
            block = {**block, "elements": elements}
        kept.append(block)
    line = triage_line(triage)
    if line is None:
        return kept[:MESSAGE_BLOCKS]
    at = next((i for i, b in enumerate(kept) if b.get("type") == "actions"), len(kept))
    return [*kept[:at], line, *kept[at:]][:MESSAGE_BLOCKS]


def value_on_card(blocks: Sequence[Any]) -> str | None:
    """The triage value (``ack_value``) a posted card's triage buttons carry, when it has any."""
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") != "actions":
            continue
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") in TRIAGE_ACTION_IDS and element.get("value"):
                return str(element["value"])
    return None


def severity(action: str) -> str | None:
    """``"High"`` for the risky actions (admin grants, API tokens, policy changes…), else None (plain)."""
    return HIGH if action in RISKY_ACTIONS else None


def severity_line() -> JsonDict:
    line = kit.section(f":rotating_light: *{HIGH} severity* · a risky action: check it was expected")
    return {**line, "block_id": SEVERITY_BLOCK}


def admin_url(event: AuditEvent) -> str | None:
    """Where to look at the event in Atlassian Administration: the org's audit log page, for an event
    whose ``links.self`` names its org (``https://api.atlassian.com/admin/v1/orgs/{orgId}/events/{id}``).
    None when it names none. The audit log has no page per event; its search finds the event's actor."""
    found = _EVENT_SELF_RE.fullmatch(event.links.self_ or "") if event.links is not None else None
    return allowed_url(f"{ADMIN_UI}/o/{found.group(1)}/audit-log") if found else None


def _admin_button(event: AuditEvent) -> ButtonElement | None:
    url = admin_url(event)
    if url is None:
        return None
    return ButtonElement(text=kit.plain_text(ADMIN_LINK_TEXT, emoji=True), action_id=ids.ALERT_OPEN_ADMIN, url=url)


def _snooze_select(item: AlertItem) -> StaticSelectElement | None:
    options = []
    for choice in CHOICES:
        value = snooze_value(choice, item.subscription_ids, item.event.id)
        if value is not None:
            options.append(Option(text=kit.plain_text(SNOOZE_LABELS[choice]), value=value))
    if not options:
        return None
    return StaticSelectElement(placeholder=kit.plain_text("Snooze…"), action_id=ids.ALERT_SNOOZE, options=options)


def acknowledged_line(user_id: str, when: datetime) -> JsonDict:
    """The context line "Acknowledged by @jane · <date>" (block id ``ACKNOWLEDGED_BLOCK``)."""
    who = mention(user_id) or "someone"
    line = kit.context(kit.mrkdwn(f":white_check_mark: Acknowledged by {who} · {date(when)}"))
    return {**line, "block_id": ACKNOWLEDGED_BLOCK}


def snoozed_line(user_id: str, until: datetime) -> JsonDict:
    """The context line "Snoozed by @jane until <time>" (block id ``SNOOZED_BLOCK``)."""
    who = mention(user_id) or "someone"
    line = kit.context(kit.mrkdwn(f":zzz: Snoozed by {who} until {date(until)}: this actor doing this action is muted"))
    return {**line, "block_id": SNOOZED_BLOCK}


def snoozed_blocks(blocks: Sequence[Any], user_id: str, until: datetime) -> list[JsonDict]:
    """A posted alert's ``blocks`` marked snoozed: the "Snoozed by" line replaced (or added before its
    buttons); everything else as it was."""
    kept = [b for b in blocks if isinstance(b, dict) and b.get("block_id") != SNOOZED_BLOCK]
    at = next((i for i, b in enumerate(kept) if b.get("type") == "actions"), len(kept))
    return [*kept[:at], snoozed_line(user_id, until), *kept[at:]][:MESSAGE_BLOCKS]


def acknowledged_blocks(blocks: Sequence[Any], user_id: str, when: datetime) -> list[JsonDict]:
    """A posted message's ``blocks`` marked acknowledged: its Acknowledge buttons gone, the line added once.

    For messages that cannot be rendered again from what a click carries (a burst summary's counts).
    """
    kept: list[JsonDict] = []
    placed = False
    for block in blocks:
        if not isinstance(block, dict):
            continue
        if block.get("block_id") == ACKNOWLEDGED_BLOCK:
            return [b for b in blocks if isinstance(b, dict)]  # already marked: the first one stays
        if block.get("type") == "actions":
            elements = [
                e
                for e in block.get("elements") or []
                if not (isinstance(e, dict) and e.get("action_id") in (ids.ALERT_ACK, ids.ALERT_ACK_BATCH))
            ]
            if not elements:
                if not placed:
                    kept.append(acknowledged_line(user_id, when))
                    placed = True
                continue
            block = {**block, "elements": elements}
        kept.append(block)
    if not placed:
        kept.append(acknowledged_line(user_id, when))
    return kept[:MESSAGE_BLOCKS]


def subscriptions_text(subscription_ids: Sequence[str], titles: Mapping[str, str] | None = None) -> str:
    """*Admin grants* (`sub-a`), `sub-b` +N more (escaped): each by its title when ``titles`` has it."""
    titles = titles or {}
    shown = list(subscription_ids[:SHOWN_SUBSCRIPTIONS])

    def one(s: str, *, titled: bool) -> str:
        title = titles.get(s) if titled else None
        return f"*{md(title, TITLE)}* ({inline_code(s, 40)})" if title and clean(title) else inline_code(s, 40)

    parts = [one(s, titled=True) for s in shown]
    if units(", ".join(parts)) > TITLES_TEXT:
        parts = [one(s, titled=False) for s in shown]
    more = len(subscription_ids) - len(shown)
    text = ", ".join(parts) or "a subscription"
    return f"{text} +{more} more" if more > 0 else text


def _titles_of(subscription_ids: Sequence[str], titles: Mapping[str, str] | None) -> list[str]:
    """Plain titles (else ids), for fallback texts."""
    return [clean((titles or {}).get(s) or s)[:TITLE] for s in subscription_ids]


def _by(event: AuditEvent) -> str:
    return "by Atlassian (system)" if event.actor.is_system else f"by {clean(event.actor.label)[:120]}"


def actor_name(event: AuditEvent) -> str:
    """How an event's actor is named in alerts (plain text, not escaped)."""
    return "Atlassian (system)" if event.actor.is_system else clean(event.actor.label)


# -- bursts ----------------------------------------------------------------------------------------


def render_burst_summary(
    items: Sequence[AlertItem],
    *,
    total: int,
    batch: str,
    acknowledged: tuple[str, datetime] | None = None,
    titles: Mapping[str, str] | None = None,
) -> Message:
    """The top-level message of a burst of ``total`` alerts (``items`` may be only the first of them)."""
    total = max(total, len(items))
    subs = list(dict.fromkeys(s for item in items for s in item.subscription_ids))
    noun = "event" if total == 1 else "events"
    high = any(severity(item.event.action) == HIGH for item in items)
    blocks = [severity_line()] if high else []
    blocks.append(
        kit.section(f"*{total:,} audit {noun} matched* {subscriptions_text(subs, titles)} — listed in this thread")
    )
    if len(items) < total:
        blocks.append(kit.context(kit.mrkdwn(f"The counts below are for the first {len(items):,}.")))
    if items:
        actions = Counter(clean(item.action_name or item.event.action) for item in items)
        actors = Counter(actor_name(item.event) for item in items)
        blocks.append(
            kit.fields_section(
                [
                    kit.mrkdwn(_counts("By action", actions, TOP_ACTIONS, "actions")),
                    kit.mrkdwn(_counts("Top actors", actors, TOP_ACTORS, "actors")),
                ]
            )
        )
        times = sorted(item.event.time for item in items)
        span = date(times[0]) if times[0] == times[-1] else window(times[0], times[-1])
        blocks.append(kit.context(kit.mrkdwn(span)))
    resolve_all = kit.button("Resolve all", ids.ALERT_RESOLVE_BATCH, batch)
    if acknowledged is not None:
        blocks.append(acknowledged_line(*acknowledged))
        buttons = kit.actions([resolve_all])
    else:
        buttons = kit.actions([kit.button("Acknowledge all", ids.ALERT_ACK_BATCH, batch, style="primary"), resolve_all])
    if buttons is not None:
        blocks.append(buttons)
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    named = ", ".join(_titles_of(subs, titles)[:3])
    return Message(text=kit.fallback(f"{total:,} audit {noun} matched {named}", 1000), blocks=blocks)


def _counts(title: str, counts: Counter[str], top: int, what: str) -> str:
    lines = [f"*{title}*"]
    lines += [f"{md(name, 60)}: {n:,}" for name, n in counts.most_common(top)]
    if len(counts) > top:
        lines.append(f"+{len(counts) - top} more {what}")
    return "\n".join(lines)


_PART_SCALES = (1.0, 0.6, 0.35, 0.2)


def render_burst_part(items: Sequence[AlertItem]) -> Message:
    """A thread reply listing up to 50 of a burst's events, one line each, and a menu to open any of them."""
    shown = list(items[:PART_EVENTS])
    hidden = len(items) - len(shown)
    blocks: list[JsonDict] = []
    for scale in _PART_SCALES:
        blocks = _part_blocks(shown, hidden, scale)
        if text_units(blocks) <= MESSAGE_TEXT_BUDGET and len(blocks) <= MESSAGE_BLOCKS:
            break
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    noun = "event" if len(items) == 1 else "events"
    return Message(text=kit.fallback(f"{len(items):,} audit {noun}"), blocks=blocks)


def _part_blocks(items: Sequence[AlertItem], hidden: int, scale: float) -> list[JsonDict]:
    def size(n: int) -> int:
        return max(8, int(n * scale))

    times = [item.event.time for item in items]
    within_a_day = bool(times) and max(times) - min(times) < timedelta(days=1)
    lines = [_part_line(item, size, within_a_day) for item in items]
    blocks = [kit.section(text) for text in pack_lines(lines, SECTION_TEXT - 100)]
    if not blocks:
        blocks.append(kit.section("No events."))
    if hidden > 0:
        blocks.append(more_line(hidden, "in this burst"))
    options = [
        Option(text=kit.plain_text(_option_text(item, size(OPTION_TEXT))), value=item.event.id)
        for item in items
        if 0 < units(item.event.id) <= OPTION_VALUE
    ]
    if options:
        select = StaticSelectElement(
            placeholder=kit.plain_text("Open details…"), action_id=ids.ALERT_PART_DETAILS, options=options
        )
        blocks.append(ActionsBlock(elements=[select]).to_dict())
    return blocks


def _part_line(item: AlertItem, size: Callable[[int], int], within_a_day: bool) -> str:
    event = item.event
    when = time_of_day(event.time, seconds=True) if within_a_day else date(event.time)
    parts = [when, f"*{md(item.action_name or event.action, size(60))}*", md(actor_name(event), size(60))]
    if event.ip and clean(event.ip):
        parts.append(md(event.ip, size(45)))
    return " · ".join(parts)


def _option_text(item: AlertItem, limit: int) -> str:
    event = item.event
    return plain(f"{utc_clock(event.time)} {clean(item.action_name or event.action)} · {actor_name(event)}", limit)


# -- notes -----------------------------------------------------------------------------------------


def render_snoozed(user_id: str, actor_label: str, action_name: str, until: datetime) -> Message:
    """The thread note "@jane snoozed <actor> doing <action> until <date>", the date in each viewer's zone."""
    who = mention(user_id) or "Someone"
    text = f":zzz: {who} snoozed *{md(actor_label, 200)}* doing *{md(action_name, 200)}* until {date(until)}."
    fallback = f"Snoozed {clean(actor_label)[:200]} doing {clean(action_name)[:200]} until {utc_text(until)}"
    return Message(
        text=kit.fallback(fallback),
        blocks=_checked([kit.section(text)]),
    )


def render_snooze_ended(
    action_name: str, actor_label: str, subscription_id: str, *, title: str | None = None
) -> Message:
    """ "Snooze ended: alerts for <actor> doing <action> on *Admin grants* (sub-x) resume."."""
    text = (
        f":alarm_clock: Snooze ended: alerts for *{md(actor_label, 200)}* doing *{md(action_name, 200)}* "
        f"on {subscriptions_text([subscription_id], {subscription_id: title} if title else None)} resume."
    )
    fallback = f"Snooze ended: alerts for {clean(actor_label)[:200]} doing {clean(action_name)[:200]} resume."
    return Message(text=kit.fallback(fallback), blocks=_checked([kit.section(text)]))


_REFUSALS: dict[str, tuple[str, str]] = {
    "channel_not_found": (
        "the channel is gone, or it is private and auditbot is not in it",
        "If the channel still exists, invite auditbot: /invite @auditbot in the channel.",
    ),
    "not_in_channel": ("auditbot is not in the channel", "Invite auditbot: /invite @auditbot in the channel."),
    "is_archived": (
        "the channel is archived",
        "Unarchive the channel, or /audit unsubscribe this subscription and subscribe another channel.",
    ),
    "token_revoked": ("auditbot's Slack token was revoked", "Ask a Slack admin to reinstall auditbot."),
    "invalid_auth": ("auditbot's Slack token is no longer valid", "Ask a Slack admin to reinstall auditbot."),
    "account_inactive": ("auditbot's Slack app was deactivated", "Ask a Slack admin to reinstall auditbot."),
}


def render_delivery_paused(
    subscription_id: str,
    channel_id: str,
    query: str,
    error: str,
    *,
    join_error: str | None = None,
    title: str | None = None,
) -> Message:
    """The DM to a subscription's owner when Slack refused to post its alert, or (``join_error``) to show
    auditbot its own posts back because it is not in the channel and could not join: what happened
    and how to fix it."""
    where = channel_text(channel_id)
    if join_error is None:
        what, fix = _REFUSALS.get(
            clean(error),
            (f"Slack refused the post ({inline_code(error, 60)})", "Check the channel and auditbot's access."),
        )
        happened = f"Slack would not take an alert for {where}: {what}."
        fallback = f"Slack refused the post ({clean(error)[:60]})"
    else:
        happened = (
            f"auditbot is not in {where} and Slack would not let it join ({inline_code(join_error, 60)}), "
            "so it cannot check which alerts it already posted there."
        )
        fix = _REFUSALS["not_in_channel"][1]
        fallback = f"auditbot could not join the channel ({clean(join_error)[:60]}): invite it"
    sub = subscriptions_text([subscription_id], {subscription_id: title} if title else None)
    resume = inline_code(f"{ids.COMMAND} resume {clean(subscription_id)[:40]}", 80)
    blocks = [
        kit.section(f":double_vertical_bar: *Alerts paused for* {sub}"),
        kit.section(
            f"{happened} auditbot paused the subscription {sub} (query {inline_code(query, 1600)}) so nothing "
            "is lost; alerts wait until it is resumed."
        ),
        kit.section(f"*To fix:* {md(fix, 300)} Then type {resume}."),
    ]
    named = clean(subscription_id)[:40]
    if title and clean(title):
        named = f"{clean(title)[:TITLE]} ({named})"
    return Message(text=kit.fallback(f"Alerts paused for {named}: {fallback}."), blocks=_checked(blocks))


_CHANNEL_ID_RE = re.compile(r"[CGD][A-Z0-9]{2,}")


def channel_text(channel_id: str) -> str:
    """``<#C…>`` for a well-formed channel id (Slack shows its name; not a ping), else the id as code."""
    if not _CHANNEL_ID_RE.fullmatch(channel_id):
        return inline_code(channel_id, 40)
    return f"a direct message ({inline_code(channel_id, 40)})" if channel_id.startswith("D") else f"<#{channel_id}>"


def is_channel_id(text: str) -> bool:
    return bool(_CHANNEL_ID_RE.fullmatch(text))


def _checked(blocks: Iterable[JsonDict]) -> list[JsonDict]:
    result = list(blocks)
    check_blocks(result, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    return result
