"""Alert subscriptions: the dry run before subscribing, the confirmation, the channel's note, the list.

Layouts::

    render_dry_run
      section  *Dry run: alerts for #channel* — `query`
      section  *N events* matched in the last 7 days (about X a day)     ("At least N" when counting stopped)
      context  counted from auditbot's copy of the log / live from the Admin API · notes
      section  :warning: noisy warning                                    (over 50 a day on average)
      section  *Newest matches*  + up to three result entries [Details]
      actions  [Subscribe #channel] [Cancel]

    render_subscriptions (and the Subscriptions section of App Home)
      header   Alert subscriptions
      context  N in this workspace · how to add one
      section  `sub-x` · #channel · paused          (one per subscription)
               `query`
               by @owner · created <date> · last alert <date> · last error `…`
      actions  [Pause] or [Resume] · [Remove]
      context  +N more — narrow the list: /audit subscriptions <text>

Channels are written ``<#C…>`` (Slack shows the name; it notifies nobody), owners ``<@U…>``.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject

from auditbot.services.subscriptions import DryRun, Subscription
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

_SOURCES = {"live": "counted live from the Admin API", "mirror": "counted from auditbot's copy of the log"}


def subscribe_value(channel_id: str, query: str, channel_name: str | None = None) -> str:
    """The [Subscribe] button's value: ``<channel id>[#<name>] <canonical query>`` (names have no spaces)."""
    name = clean(channel_name).replace(" ", "") if channel_name else ""
    return f"{channel_id}#{name} {query}" if name and units(name) <= 80 else f"{channel_id} {query}"


def read_subscribe_value(value: str) -> tuple[str, str | None, str]:
    """(channel id, its name when known, query) from a [Subscribe] button."""
    channel, _, query = value.partition(" ")
    channel_id, _, name = channel.partition("#")
    return channel_id, name or None, query


def render_dry_run(dry: DryRun, channel_id: str, channel_name: str | None) -> Message:
    """What subscribing ``channel_id`` to ``dry.query`` would have posted, with [Subscribe] and [Cancel]."""
    where = channel_text(channel_id)
    days = round(dry.days)
    counted = f"{dry.count:,}" if dry.exact else f"At least {dry.count:,}"
    noun = "event" if dry.count == 1 else "events"
    per_day = f"about {dry.per_day:,.0f} a day" if dry.per_day >= 1 else "less than one a day"
    line = f"*{counted} {noun}* matched in the last {days} days ({'at least ' if not dry.exact else ''}{per_day})."
    if not dry.exact:
        line += " Counting stopped there to spare the Admin API's rate limit."
    notes = [_SOURCES.get(dry.source) or md(dry.source, 60), *(md(n, 300) for n in dry.notes[:8])]
    blocks = [
        kit.section(f"*Dry run: alerts for {where}*\n{inline_code(dry.query, 1600)}"),
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
        subscribe_value(channel_id, dry.query, channel_name),
        "primary",
    )
    cancel = _button("Cancel", ids.SUBSCRIBE_CANCEL, "cancel")
    actions = kit.actions([confirm, cancel])
    if actions is not None:
        blocks.append(actions)
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    text = f"Dry run: {counted} {noun} in {days} days for {clean(dry.query)[:300]}"
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
            f":white_check_mark: *Subscribed {channel_text(sub.channel_id)}* as {inline_code(sub.id, 40)}\n"
            f"{inline_code(sub.query, 1600)}"
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
    return Message(text=kit.fallback(f"Subscribed as {clean(sub.id)[:40]}: {clean(sub.query)[:300]}"), blocks=blocks)


def render_subscription_note(user_id: str, subscription: Subscription) -> Message:
    """The note in the subscribed channel: "@jane subscribed this channel to audit events matching `query` (sub-x)"."""
    who = mention(user_id) or "Someone"
    text = (
        f"{who} subscribed this channel to audit events matching {inline_code(subscription.query, 1600)} "
        f"({inline_code(subscription.id, 40)})."
    )
    blocks = [kit.section(text)]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    fallback = f"This channel is now subscribed to audit events matching {clean(subscription.query)[:300]}"
    return Message(text=kit.fallback(fallback), blocks=blocks)


def render_subscription_changed(verb: str, subscription: Subscription) -> Message:
    """A short answer to pause, resume or unsubscribe: what happened, to which, and the way back."""
    sub = subscription
    follow = {
        "Paused": f"{inline_code(f'{ids.COMMAND} resume {clean(sub.id)[:40]}', 80)} starts it again.",
        "Resumed": "New matches are posted again.",
        "Removed": f"{inline_code(f'{ids.COMMAND} subscribe', 40)} makes a new one.",
    }.get(verb, "")
    text = (
        f"{md(verb, 20)} {inline_code(sub.id, 40)} ({channel_text(sub.channel_id)}, "
        f"{inline_code(sub.query, 1600)}). {follow}"
    )
    blocks = [kit.section(text)]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    return Message(text=kit.fallback(f"{verb} {clean(sub.id)[:40]}"), blocks=blocks)


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
    lines = [
        f"{inline_code(sub.id, 40)} · {channel_text(sub.channel_id)}{state}",
        inline_code(sub.query, 600 if compact else 1600),
    ]
    details = []
    if not compact:
        owner = mention(sub.created_by) or md(sub.created_by, 40)
        details.append(f"by {owner} · created {date(sub.created_at)}")
        details.append(f"last alert {date(sub.last_delivery_at)}" if sub.last_delivery_at else "no alert yet")
    if sub.last_error and clean(sub.last_error):
        details.append(f":warning: last error {inline_code(sub.last_error, 200)}")
    if details:
        lines.append(" · ".join(details))
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


def _remove_confirm(sub: Subscription) -> ConfirmObject:
    return ConfirmObject(
        title=kit.plain_text(plain(f"Remove {clean(sub.id)}?", 100)),
        text=kit.plain_text(plain(f"Its alerts stop for good. Query: {clean(sub.query)}", 300)),
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
