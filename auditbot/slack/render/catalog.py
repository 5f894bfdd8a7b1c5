"""``/audit actions [text]``: the action catalog by group, packed into as few sections as fit.

Layout::

    header   Audit actions  (or: Audit actions matching "text")
    context  N actions in M groups · catalog fetched <time> · stale note
    section  *Group*                      (several groups and their actions per section,
             Display name `action_id`      up to 3,000 characters each)
    context  +N more — narrow with /audit actions <text>
"""

from __future__ import annotations

from auditbot.core.model import AuditAction
from auditbot.services.catalog import CatalogSnapshot
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.limits import (
    MESSAGE_BLOCKS,
    MESSAGE_TEXT_BUDGET,
    Budget,
    JsonDict,
    check_blocks,
    more_line,
    pack_lines,
)
from auditbot.slack.render.safe import clean, date, escape, inline_code, md
from auditbot.slack.render.views import Message

NAME_UNITS = 120
ID_UNITS = 150


def render_actions(snapshot: CatalogSnapshot, text: str | None = None) -> Message:
    """The catalog grouped, or only the actions whose id, name or group contains ``text``."""
    wanted = clean(text or "")
    groups = matching_groups(snapshot, wanted)
    count = sum(len(actions) for actions in groups.values())
    title = f'Audit actions matching "{wanted}"' if wanted else "Audit actions"
    head = [kit.header(title), _summary(snapshot, count, len(groups))]
    if not count:
        head.append(_nothing(snapshot, wanted))
    budget = Budget(MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET)
    budget.take(head)
    more = [_more(count)]
    body: list[JsonDict] = []
    shown = 0
    for text_block, size in _sections(groups):
        block = kit.section(text_block)
        if not budget.fits([block], reserve=more):
            body.append(_more(count - shown))
            break
        budget.take([block])
        body.append(block)
        shown += size
    blocks = [*head, *body]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    fallback = f"{count} audit actions" + (f' matching "{wanted[:100]}"' if wanted else "")
    return Message(text=kit.fallback(fallback), blocks=blocks)


def matching_groups(snapshot: CatalogSnapshot, text: str) -> dict[str, list[AuditAction]]:
    """The catalog's groups, each with its actions that hold every word of ``text`` (``CatalogSnapshot.search``)."""
    return snapshot.search_groups(text)


def _summary(snapshot: CatalogSnapshot, count: int, groups: int) -> JsonDict:
    parts = [f"{count} {'action' if count == 1 else 'actions'} in {groups} {'group' if groups == 1 else 'groups'}"]
    if snapshot.fetched_at is not None:
        parts.append(f"catalog fetched {date(snapshot.fetched_at)}")
    elements = [kit.mrkdwn(" · ".join(parts))]
    if snapshot.stale:
        problem = (
            md(snapshot.problem, 400) if snapshot.problem and clean(snapshot.problem) else "it could not be refreshed"
        )
        elements.append(kit.mrkdwn(f":warning: This list may be out of date: {problem}"))
    return kit.context(*elements)


def _nothing(snapshot: CatalogSnapshot, wanted: str) -> JsonDict:
    if not snapshot.actions:
        return kit.section("*The action catalog is not available right now.* Try again in a minute.")
    suggestions = snapshot.suggest(wanted) if wanted else []
    text = f"*No action matches {md(wanted, 200)}.*"
    if suggestions:
        text += " Did you mean " + ", ".join(inline_code(s, ID_UNITS) for s in suggestions) + "?"
    return kit.section(text + f" Browse them all with {inline_code(f'{ids.COMMAND} actions', 40)}.")


def _sections(groups: dict[str, list[AuditAction]]) -> list[tuple[str, int]]:
    """Section texts and how many actions each lists; a long group continues in the next section."""
    lines: list[tuple[str, int]] = []
    for group, actions in groups.items():
        lines.append((f"*{md(group, NAME_UNITS)}*", 0))
        lines += [(f"{md(a.display_name, NAME_UNITS)} {inline_code(a.id, ID_UNITS)}", 1) for a in actions]
    texts = pack_lines(line for line, _ in lines)
    out: list[tuple[str, int]] = []
    index = 0
    for text in texts:
        size = text.count("\n") + 1
        out.append((text, sum(n for _, n in lines[index : index + size])))
        index += size
    return out


def _more(hidden: int) -> JsonDict:
    return more_line(hidden, escape(f"— narrow with {ids.COMMAND} actions <text>"))
