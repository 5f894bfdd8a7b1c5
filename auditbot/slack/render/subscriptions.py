"""Alert subscriptions: the dry run before subscribing, the confirmation, the channel's note, the list.

Layouts::

    render_dry_run
      section  *Dry run: alerts for #channel*
               *Name* — or the query in words                    (the name when one was given)
               `query`
      section  *N events* matched in the last 7 days (about X a day)     ("At least N" when counting stopped)
      context  counted from auditbot's copy of the log / live from the Admin API · notes
      section  :warning: noisy warning                                    (over 50 a day on average)
      section  *Newest matches*  + up to three result entries [Details]
      actions  [Subscribe #channel] [Cancel]

    render_subscriptions (and the Subscriptions section of App Home)
      header   Alert subscriptions
      context  N in this workspace · how to add one
      section  *Title* · #channel · paused          (one per subscription; its name, else its query in words)
               the query in words                     (when it has a name)
               `sub-x` · by @owner · created <date> · last alert <date> · last error `…`
               `query`                                (not in App Home)
      actions  [Pause] or [Resume] · [Remove]
      context  +N more — narrow the list: /audit subscriptions <text>

    render_subscription_note / render_subscription_changed_note   (in the subscription's channel)
      section  @jane subscribed this channel to *Title* … / paused alerts for *Title* here …

Channels are written ``<#C…>`` (Slack shows the name; it notifies nobody), owners ``<@U…>``. A
subscription's name is the subscriber's text: it is escaped wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject

from auditbot.services.subscriptions import Change, DryRun, Subscription
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.alerts import channel_text
from auditbot.slack.render.limits import (
    BUTTON_TEXT,
    BUTTON_VALUE,
    MESSAGE_BLOCKS,
    MESSAGE_TEXT_BUDGET,
    Budget,
    JsonDict,
    check_blocks,
    more_line,
)
from auditbot.slack.render.results import event_entry
from auditbot.slack.render.safe import clean, date, inline_code, md, mention, plain, units
from auditbot.slack.render.views import Message

TITLE = 200
"""Characters of a title shown (a name has at most 80; a description of a long query is cut)."""
_SOURCES = {"live": "counted live from the Admin API", "mirror": "counted from auditbot's copy of the log"}


class SubscribeValue(NamedTuple):
    """What a [Subscribe] button carries."""

    channel_id: str
    channel_name: str | None
    query: str
    name: str | None = None
    """The subscription's name, when the subscriber gave one."""


def subscribe_value(channel_id: str, query: str, channel_name: str | None = None, name: str | None = None) -> str:
    """The [Subscribe] button's value: ``<channel id>[#<channel name>] <canonical query>[\n<name>]``
    (channel names have no spaces; queries and subscription names no line breaks)."""
    channel = clean(channel_name).replace(" ", "") if channel_name else ""
    value = f"{channel_id}#{channel} {query}" if channel and units(channel) <= 80 else f"{channel_id} {query}"
    named = clean(name) if name else ""
    return f"{value}\n{named}" if named else value


def read_subscribe_value(value: str) -> SubscribeValue:
    """What a [Subscribe] button carries."""
    value, _, name = value.partition("\n")
    channel, _, query = value.partition(" ")
    channel_id, _, channel_name = channel.partition("#")
    return SubscribeValue(channel_id, channel_name or None, query, name.strip() or None)


def title_text(sub: Subscription) -> str:
    """A subscription's title in bold (its name, else its query in words), escaped."""
    return f"*{md(sub.title, TITLE)}*"


def render_dry_run(
    dry: DryRun, channel_id: str, channel_name: str | None, *, name: str | None = None, description: str = ""
) -> Message:
    """What subscribing ``channel_id`` to ``dry.query`` would have posted, with [Subscribe] and [Cancel].
    ``name`` is the one the subscriber gave; ``description`` the query in words."""
    where = channel_text(channel_id)
    days = round(dry.days)
    counted = f"{dry.count:,}" if dry.exact else f"At least {dry.count:,}"
    noun = "event" if dry.count == 1 else "events"
    per_day = f"about {dry.per_day:,.0f} a day" if dry.per_day >= 1 else "less than one a day"
    line = f"*{counted} {noun}* matched in the last {days} days ({'at least ' if not dry.exact else ''}{per_day})."
    if not dry.exact:
        line += " Counting stopped there to spare the Admin API's rate limit."
    notes = [_SOURCES.get(dry.source) or md(dry.source, 60), *(md(n, 300) for n in dry.notes[:8])]
    title = name or description
    titled = f"*{md(title, TITLE)}*\n" if title and clean(title) else ""
    blocks = [
        kit.section(f"*Dry run: alerts for {where}*\n{titled}{inline_code(dry.query, 1600)}"),
        kit.section(line),
        kit.context(*(kit.mrkdwn(n) for n in notes)),
    ]
    if dry.noisy:
        blocks.append(
            kit.section(
                f":warning: *That is noisy:* {per_day} would be posted in {where}. Consider narrowing the query "
                "(a specific action:, -actor: to leave out service accounts, ip: ranges) before subscribing."
            )
        )
    if dry.examples:
        blocks.append(kit.section("*Newest matches*"))
        blocks += [event_entry(found) for found in dry.examples]
    else:
        blocks.append(kit.section(f"Nothing matched in the last {days} days; new matches will still be posted."))
    blocks.append(kit.context(kit.mrkdwn("Every new event that matches will be posted in the channel as it arrives.")))
    confirm = _button(
        _subscribe_label(channel_id, channel_name),
        ids.SUBSCRIBE_CONFIRM,
        subscribe_value(channel_id, dry.query, channel_name, name),
        "primary",
    )
    cancel = _button("Cancel", ids.SUBSCRIBE_CANCEL, "cancel")
    actions = kit.actions([confirm, cancel])
    if actions is not None:
        blocks.append(actions)
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    text = f"Dry run: {counted} {noun} in {days} days for {clean(title or dry.query)[:300]}"
    return Message(text=kit.fallback(text), blocks=blocks)


def _subscribe_label(channel_id: str, channel_name: str | None) -> str:
    if channel_id.startswith("D"):
        return "Subscribe here"
    name = clean(channel_name) if channel_name else ""
    return plain(f"Subscribe #{name}" if name else "Subscribe", BUTTON_TEXT)


def render_subscribed(subscription: Subscription, *, problem: str | None = None) -> Message:
    """The confirmation that replaces the dry run."""
    sub = subscription
    blocks = [
        kit.section(
            f":white_check_mark: *Subscribed {channel_text(sub.channel_id)}* to {title_text(sub)} "
            f"({inline_code(sub.id, 40)})\n{inline_code(sub.query, 1600)}"
        ),
        kit.context(
            kit.mrkdwn(
                f"{ids.COMMAND} pause {md(sub.id, 40)} · {ids.COMMAND} unsubscribe {md(sub.id, 40)} · "
                f"{ids.COMMAND} subscriptions lists them all"
            )
        ),
    ]
    if problem and clean(problem):
        blocks.append(kit.section(f":warning: {md(problem, 500)}"))
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    fallback = f"Subscribed to {clean(sub.title)[:TITLE]} ({clean(sub.id)[:40]}): {clean(sub.query)[:300]}"
    return Message(text=kit.fallback(fallback), blocks=blocks)


def render_subscription_note(user_id: str, subscription: Subscription) -> Message:
    """The note in the subscribed channel: "@jane subscribed this channel to *Title*: audit events
    matching `query` (sub-x)"."""
    sub = subscription
    who = mention(user_id) or "Someone"
    text = (
        f"{who} subscribed this channel to {title_text(sub)}: audit events matching "
        f"{inline_code(sub.query, 1600)} ({inline_code(sub.id, 40)})."
    )
    blocks = [kit.section(text)]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    fallback = f"This channel is now subscribed to {clean(sub.title)[:TITLE]}"
    return Message(text=kit.fallback(fallback), blocks=blocks)


def render_subscription_changed_note(user_id: str, change: Change, subscription: Subscription) -> Message:
    """The note in a subscription's channel when someone pauses, resumes or removes it, so muting a
    channel's alerts leaves a trace where they were posted: "@jane paused alerts for *Title* here"."""
    sub = subscription
    who = mention(user_id) or "Someone"
    code = inline_code(sub.id, 40)
    resume = inline_code(f"{ids.COMMAND} resume {clean(sub.id)[:40]}", 80)
    text, fallback = {
        "pause": (
            f":double_vertical_bar: {who} paused alerts for {title_text(sub)} here ({code}). "
            f"New matches are not posted until {resume}.",
            "paused alerts for",
        ),
        "resume": (
            f":arrow_forward: {who} resumed alerts for {title_text(sub)} here ({code}). New matches are posted again.",
            "resumed alerts for",
        ),
        "unsubscribe": (
            f":no_entry_sign: {who} removed the subscription {title_text(sub)} ({code}): its alerts stop here.",
            "removed the subscription",
        ),
    }[change]
    blocks = [kit.section(text)]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    return Message(text=kit.fallback(f"Someone {fallback} {clean(sub.title)[:TITLE]}"), blocks=blocks)


def render_subscription_changed(verb: str, subscription: Subscription, *, problem: str | None = None) -> Message:
    """A short answer to pause, resume or unsubscribe: what happened, to which, and the way back;
    ``problem`` when the note in the channel could not be posted."""
    sub = subscription
    follow = {
        "Paused": f"{inline_code(f'{ids.COMMAND} resume {clean(sub.id)[:40]}', 80)} starts it again.",
        "Resumed": "New matches are posted again.",
        "Removed": f"{inline_code(f'{ids.COMMAND} subscribe', 40)} makes a new one.",
    }.get(verb, "")
    text = (
        f"{md(verb, 20)} {title_text(sub)} ({inline_code(sub.id, 40)} in {channel_text(sub.channel_id)}). "
        f"{follow}\n{inline_code(sub.query, 1600)}"
    )
    blocks = [kit.section(text)]
    if problem and clean(problem):
        blocks.append(kit.section(f":warning: {md(problem, 500)}"))
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    return Message(text=kit.fallback(f"{verb} {clean(sub.title)[:TITLE]} ({clean(sub.id)[:40]})"), blocks=blocks)


def changed_notice(verb: str, subscription: Subscription) -> str:
    """The list's line after a button: "Paused Admin grants (sub-x)." (plain text)."""
    return f"{verb} {clean(subscription.title)[:TITLE]} ({clean(subscription.id)[:40]})."


def render_subscriptions(
    subscriptions: Sequence[Subscription], *, notice: str | None = None, text: str | None = None
) -> Message:
    """Every subscription of the workspace (those matching ``text`` when given), with their buttons."""
    title = "Alert subscriptions" + (f" matching {plain(text, 60)}" if text and clean(text) else "")
    count = len(subscriptions)
    how = f"{ids.COMMAND} subscribe #channel <query> adds one"
    head = [
        kit.header(title),
        kit.context(kit.mrkdwn(md(f"{count} in this workspace · {how}", 300))),
    ]
    if notice and clean(notice):
        head.append(kit.section(md(notice, 1000)))
    budget = Budget(MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET)
    budget.take(head)
    blocks = [*head, *subscription_entries(subscriptions, budget)]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    return Message(text=kit.fallback(f"{count} alert subscriptions"), blocks=blocks)


def subscription_entries(
    subscriptions: Sequence[Subscription], budget: Budget, *, compact: bool = False
) -> list[JsonDict]:
    """A section and a row of buttons per subscription, as many as ``budget`` holds, then "+N more"."""
    if not subscriptions:
        return [kit.section(md(f"No subscriptions yet. {ids.COMMAND} subscribe #channel <query> adds one.", 300))]
    narrow = md(f"— narrow the list: {ids.COMMAND} subscriptions <text>", 200)
    reserve = [more_line(len(subscriptions), narrow)]
    entries: list[JsonDict] = []
    shown = 0
    for sub in subscriptions:
        entry = _entry(sub, compact=compact)
        if not budget.fits(entry, reserve=reserve):
            break
        budget.take(entry)
        entries += entry
        shown += 1
    if shown < len(subscriptions):
        entries.append(more_line(len(subscriptions) - shown, narrow))
    return entries


def _entry(sub: Subscription, *, compact: bool) -> list[JsonDict]:
    state = " · :double_vertical_bar: *paused*" if sub.paused else ""
    lines = [f"{title_text(sub)} · {channel_text(sub.channel_id)}{state}"]
    if sub.name and sub.description and clean(sub.description):
        lines.append(md(sub.description, TITLE))
    details = [inline_code(sub.id, 40)]
    if not compact:
        owner = mention(sub.created_by) or md(sub.created_by, 40)
        details.append(f"by {owner} · created {date(sub.created_at)}")
        details.append(f"last alert {date(sub.last_delivery_at)}" if sub.last_delivery_at else "no alert yet")
    if sub.false_positives is not None:
        details.append(false_positive_share(*sub.false_positives))
    if sub.last_error and clean(sub.last_error):
        details.append(f":warning: last error {inline_code(sub.last_error, 200)}")
    lines.append(" · ".join(details))
    if not compact:
        lines.append(inline_code(sub.query, 1600))
    section = kit.section("\n".join(lines))
    toggle = (
        _button("Resume", ids.SUBSCRIPTION_RESUME, sub.id, "primary")
        if sub.paused
        else _button("Pause", ids.SUBSCRIPTION_PAUSE, sub.id)
    )
    remove = _button("Remove", ids.SUBSCRIPTION_REMOVE, sub.id, "danger", confirm=_remove_confirm(sub))
    present = [b for b in (toggle, remove) if b is not None]
    if not present:
        return [section]
    return [section, ActionsBlock(elements=present).to_dict()]


def false_positive_share(false_positives: int, resolved: int) -> str:
    """``false positives: 4 of 10 resolved, 40%`` (of the alerts resolved in the last 30 days)."""
    share = round(100 * false_positives / resolved) if resolved else 0
    return f"false positives: {false_positives} of {resolved} resolved, {share}%"


def _remove_confirm(sub: Subscription) -> ConfirmObject:
    return ConfirmObject(
        title=kit.plain_text(plain(f"Remove {clean(sub.id)}?", 100)),
        text=kit.plain_text(plain(f"Alerts for {clean(sub.title)} stop for good. Query: {clean(sub.query)}", 300)),
        confirm=kit.plain_text("Remove"),
        deny=kit.plain_text("Keep it"),
        style="danger",
    )


def _button(
    text: str, action_id: str, value: str, style: str | None = None, *, confirm: ConfirmObject | None = None
) -> ButtonElement | None:
    if not value or units(value) > BUTTON_VALUE:
        return None
    return ButtonElement(
        text=kit.plain_text(text, emoji=True), action_id=action_id, value=value, style=style, confirm=confirm
    )
