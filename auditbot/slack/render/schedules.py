"""Digest schedules: the confirmation, the channel's note, the list, and the answer to unschedule.

Layouts::

    render_digest_scheduled
      section  :white_check_mark: *Scheduled `dg-x`*: the handoff digest in #channel
               at 09:00, 21:00 (Europe/Berlin) · filters `…` / every event
      context  next digest <date> (your time) · the zone came from your Slack profile
      context  /audit digest schedules lists them · /audit digest unschedule dg-x
      section  :warning: problem                       (when the channel's note could not be posted)

    render_digest_schedules
      header   Digest schedules
      context  N in this workspace · how to add one
      section  `dg-x` · #channel · 09:00, 21:00 Europe/Berlin     (one per schedule)
               filters `…` / every event
               by @owner · created <date> · last run <date> · next <date> (your time) · last error `…`
      context  +N more — narrow the list: /audit digest schedules <text>

Everything stored (times, zone, filters, errors) is data: cleaned, escaped and clipped here.
A schedule's times of day are a fact of its zone, so they are stated in it and name it; every
moment (the next digest, the last run) is a date token each reader sees in their own zone, and
"your time" says so where both stand side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from auditbot.services.schedules import HandoffSchedule
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.alerts import channel_text
from auditbot.slack.render.limits import MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET, Budget, JsonDict, check_blocks, more_line
from auditbot.slack.render.safe import clean, date, inline_code, md, mention, plain
from auditbot.slack.render.views import Message

DIGEST = f"{ids.COMMAND} digest"
HOW_TO_ADD = f"{DIGEST} schedule #channel 09:00,21:00 Europe/Berlin [filters] adds one"


def times_text(schedule: HandoffSchedule) -> str:
    """``09:00, 21:00 (Europe/Berlin)``, escaped."""
    times = ", ".join(md(t, 5) for t in schedule.times.split(","))
    return f"{md(times, 400)} ({md(schedule.tz, 60)})"


def _times(schedule: HandoffSchedule) -> str:
    """``09:00, 21:00 (Europe/Berlin)`` for a notification (not escaped)."""
    return f"{', '.join(clean(t)[:5] for t in schedule.times.split(','))[:200]} ({clean(schedule.tz)[:60]})"


def filters_text(query: str, limit: int = 1600) -> str:
    return f"filters {inline_code(query, limit)}" if clean(query) else "every event"


def render_digest_scheduled(
    schedule: HandoffSchedule,
    *,
    next_at: datetime | None,
    zone_note: str | None = None,
    problem: str | None = None,
) -> Message:
    """The answer to ``/audit digest schedule``: what was scheduled, when it next posts, how to undo it."""
    s = schedule
    blocks = [
        kit.section(
            f":white_check_mark: *Scheduled {inline_code(s.id, 40)}*: the handoff digest in "
            f"{channel_text(s.channel_id)} at {times_text(s)}, {filters_text(s.query)}."
        ),
    ]
    when = [
        f"next digest {date(next_at)} (your time)" if next_at else "no digest time",
        "each covers the time since the one before",
    ]
    if zone_note and clean(zone_note):
        when.append(md(zone_note, 200))
    blocks.append(kit.context(kit.mrkdwn(" · ".join(when))))
    blocks.append(
        kit.context(kit.mrkdwn(f"{DIGEST} schedules lists them · {DIGEST} unschedule {md(s.id, 40)} stops this one"))
    )
    if problem and clean(problem):
        blocks.append(kit.section(f":warning: {md(problem, 500)}"))
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    fallback = f"Scheduled {clean(s.id)[:40]}: handoff digest at {_times(s)}"
    return Message(text=kit.fallback(fallback), blocks=blocks)


def render_digest_note(user_id: str, schedule: HandoffSchedule) -> Message:
    """The note in the channel: "@jane scheduled the handoff digest here at 09:00, 21:00 (Europe/Berlin) (dg-x)"."""
    who = mention(user_id) or "Someone"
    text = (
        f"{who} scheduled the on-call handoff digest in this channel at {times_text(schedule)}, "
        f"{filters_text(schedule.query)} ({inline_code(schedule.id, 40)})."
    )
    blocks = [kit.section(text)]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    fallback = f"The handoff digest is scheduled here at {_times(schedule)}"
    return Message(text=kit.fallback(fallback), blocks=blocks)


def render_digest_unscheduled(schedule: HandoffSchedule) -> Message:
    """The answer to ``/audit digest unschedule``."""
    s = schedule
    text = (
        f"Removed {inline_code(s.id, 40)}: no more handoff digests in {channel_text(s.channel_id)} "
        f"at {times_text(s)}. {inline_code(f'{DIGEST} schedule', 40)} makes a new one."
    )
    blocks = [kit.section(text)]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    return Message(text=kit.fallback(f"Removed {clean(s.id)[:40]}"), blocks=blocks)


def render_digest_schedules(
    schedules: Sequence[HandoffSchedule],
    *,
    next_slots: Mapping[str, datetime | None] | None = None,
    text: str | None = None,
) -> Message:
    """The workspace's digest schedules (those matching ``text`` when given); ``next_slots`` by schedule id."""
    title = "Digest schedules" + (f" matching {plain(text, 60)}" if text and clean(text) else "")
    count = len(schedules)
    head = [kit.header(title), kit.context(kit.mrkdwn(md(f"{count} in this workspace · {HOW_TO_ADD}", 300)))]
    budget = Budget(MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET)
    budget.take(head)
    blocks = [*head, *_entries(schedules, next_slots or {}, budget)]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    return Message(text=kit.fallback(f"{count} digest schedules"), blocks=blocks)


def _entries(
    schedules: Sequence[HandoffSchedule], next_slots: Mapping[str, datetime | None], budget: Budget
) -> list[JsonDict]:
    if not schedules:
        return [kit.section(md(f"No digest schedules yet. {HOW_TO_ADD}.", 300))]
    narrow = md(f"— narrow the list: {DIGEST} schedules <text>", 200)
    reserve = [more_line(len(schedules), narrow)]
    entries: list[JsonDict] = []
    shown = 0
    for schedule in schedules:
        entry = [_entry(schedule, next_slots.get(schedule.id))]
        if not budget.fits(entry, reserve=reserve):
            break
        budget.take(entry)
        entries += entry
        shown += 1
    if shown < len(schedules):
        entries.append(more_line(len(schedules) - shown, narrow))
    return entries


def _entry(s: HandoffSchedule, next_at: datetime | None) -> JsonDict:
    owner = mention(s.created_by) or md(s.created_by, 40)
    details = [f"by {owner}", f"created {date(s.created_at)}"]
    details.append(f"last run {date(s.last_run_at)}" if s.last_run_at else "not run yet")
    if next_at is not None:
        details.append(f"next {date(next_at)} (your time)")
    lines = [
        f"{inline_code(s.id, 40)} · {channel_text(s.channel_id)} · {times_text(s)}",
        f"Filters {inline_code(s.query, 1200)}" if clean(s.query) else "Every event",
        " · ".join(details),
    ]
    if s.last_error and clean(s.last_error):
        lines.append(f":warning: last error {inline_code(s.last_error, 400)}")
    return kit.section("\n".join(lines))
