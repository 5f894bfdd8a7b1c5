"""``/audit bot-log``: auditbot's own audit trail for admins, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from auditbot.services.bot_trail import TrailEntry
from auditbot.slack.render import kit
from auditbot.slack.render.limits import MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET, Budget, check_blocks, more_line
from auditbot.slack.render.safe import date, inline_code, md, mention
from auditbot.slack.render.views import Message

_OUTCOME = {"ok": "✓", "denied": "⛔ denied", "error": "⚠ error"}


def render_bot_log(entries: Sequence[TrailEntry], *, text: str | None = None) -> Message:
    title = "auditbot's own log" + (f" matching {md(text, 100)}" if text else "")
    head = [kit.header(title), kit.context(kit.mrkdwn("Every query, share, export and denial, newest first."))]
    budget = Budget(MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET)
    budget.take(head)
    reserve = [more_line(len(entries), "entries")]
    rows = []
    for entry in entries:
        row = kit.section(_line(entry))
        if not budget.fits([row], reserve=reserve):
            break
        budget.take([row])
        rows.append(row)
    if not entries:
        rows.append(kit.section("Nothing recorded yet."))
    elif len(rows) < len(entries):
        rows.append(more_line(len(entries) - len(rows), "entries"))
    blocks = [*head, *rows]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    return Message(text=f"auditbot's own log: {len(entries)} entries", blocks=blocks)


def _line(entry: TrailEntry) -> str:
    who = mention(entry.user_id) or md(entry.user_id, 40)
    parts = [f"{date(entry.at)} · *{md(entry.kind, 40)}* {_OUTCOME.get(entry.outcome, md(entry.outcome, 20))}"]
    parts.append(f"by {who}" + (f" in {inline_code(entry.channel_id, 40)}" if entry.channel_id else ""))
    if entry.query:
        parts.append(inline_code(entry.query, 600))
    if entry.detail:
        parts.append(md(entry.detail, 600))
    return "\n".join(parts)
