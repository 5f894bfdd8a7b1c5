"""``/audit bot-log``: auditbot's own trail for admins, newest first, a page at a time.

Each entry is one section of two lines: what happened and how it went, who, where (the channel's
``#name`` when Slack told it) and when; then what was asked and the detail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditbot.services.bot_trail import TrailEntry
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.limits import MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET, Budget, check_blocks, more_line
from auditbot.slack.render.safe import date, inline_code, md, mention
from auditbot.slack.render.views import Message

_MARK = {"denied": "⛔", "error": "⚠️"}
QUERY_CHARS = 300
DETAIL_CHARS = 300


def render_bot_log(
    entries: Sequence[TrailEntry],
    *,
    text: str | None = None,
    channels: Mapping[str, str] | None = None,
    page: int = 1,
    next_state: str | None = None,
    previous_state: str | None = None,
) -> Message:
    """One page of the log; ``channels`` names channel ids (``#sec-alerts``), ``next_state`` and
    ``previous_state`` are the Next and Previous buttons' values."""
    title = "auditbot's own log" + (f" matching {md(text, 100)}" if text else "")
    about = "Every query, share, export, refusal and error, newest first."
    if page > 1:
        about += f" Page {page}."
    head = [kit.header(title), kit.context(kit.mrkdwn(about))]
    paging = kit.actions(
        [
            kit.button("Previous", ids.BOT_LOG_PREV, previous_state) if previous_state else None,
            kit.button("Next", ids.BOT_LOG_NEXT, next_state, style="primary") if next_state else None,
        ]
    )
    tail = [paging] if paging is not None else []
    budget = Budget(MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET)
    budget.take([*head, *tail])
    reserve = [more_line(len(entries), "entries")]
    rows = []
    for entry in entries:
        row = kit.section(_entry(entry, channels or {}))
        if not budget.fits([row], reserve=reserve):
            break
        budget.take([row])
        rows.append(row)
    if not entries:
        empty = f"No entries match {md(text, 100)}." if text else "Nothing recorded yet."
        rows.append(kit.section(empty))
    elif len(rows) < len(entries):
        rows.append(more_line(len(entries) - len(rows), "entries"))
    blocks = [*head, *rows, *tail]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    summary = f"{len(entries)} entries" + (f", page {page}" if page > 1 else "")
    return Message(text=f"auditbot's own log: {summary}", blocks=blocks)


def _entry(entry: TrailEntry, channels: Mapping[str, str]) -> str:
    who = mention(entry.user_id) or md(entry.user_id, 40)
    mark = _MARK.get(entry.outcome)
    what = f"*{md(entry.kind, 40)}*"
    if entry.outcome != "ok" and entry.outcome != entry.kind:
        what += f" {md(entry.outcome, 20)}"
    where = ""
    if entry.channel_id:
        where = f" in {md(channels.get(entry.channel_id, entry.channel_id), 80)}"
    first = " ".join(p for p in (mark, what) if p) + f" · {who}{where} · {date(entry.at)}"
    second = [inline_code(entry.query, QUERY_CHARS)] if entry.query else []
    if entry.detail:
        second.append(md(entry.detail, DETAIL_CHARS))
    return first + ("\n" + " · ".join(second) if second else "")
