"""``/audit actions [text]``: the action catalog, one compact line per group, each a menu that searches.

Layout::

    header   Audit actions  (or: Audit actions matching "text")
    context  N actions in M groups · catalog fetched <time> · stale note
    context  Pick an action to search its last 7 days · narrow the list: /audit actions <text>
    section  *Group* · 12 actions: Name, Name, Name …          [Search… ▾]   (one per group)
             (filtered: the matching actions, one per line, ``Display name `id```)
    context  +N more actions in M groups — narrow with /audit actions <text>

Each group's menu (``catalog_search``) offers "Whole group" and then the group's actions; an option's value
is the search term (``action:<id>`` or ``group:"<name>"``), which runs over ``CATALOG_WINDOW``.
"""

from __future__ import annotations

from slack_sdk.models.blocks import Option, SectionBlock, StaticSelectElement

from auditbot.core.model import AuditAction
from auditbot.core.querysyntax import quote_value
from auditbot.services.catalog import CatalogSnapshot
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
)
from auditbot.slack.render.safe import clean, date, escape, inline_code, md, plain, units
from auditbot.slack.render.views import Message

NAME_UNITS = 120
ID_UNITS = 150
PREVIEW = 3
"""Action names shown on a group's line when the list is not filtered."""
LISTED = 8
"""Matching actions listed one per line for a group when the list is filtered (the rest are in its menu)."""
CATALOG_WINDOW = "last:7d"
"""The window a search picked from the list covers."""


def render_actions(snapshot: CatalogSnapshot, text: str | None = None) -> Message:
    """The catalog by group, or only the actions whose id, name or group contains ``text``."""
    wanted = clean(text or "")
    groups = matching_groups(snapshot, wanted)
    count = sum(len(actions) for actions in groups.values())
    title = f'Audit actions matching "{wanted}"' if wanted else "Audit actions"
    head = [kit.header(title), _summary(snapshot, count, len(groups))]
    if not count:
        head.append(_nothing(snapshot, wanted))
    budget = Budget(MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET)
    budget.take(head)
    body: list[JsonDict] = []
    shown = 0
    for index, (group, actions) in enumerate(groups.items()):
        block = _group(group, actions, listed=bool(wanted))
        more = _more(count - shown, len(groups) - index)
        if not budget.fits([block], reserve=[more]):
            body.append(more)
            break
        budget.take([block])
        body.append(block)
        shown += len(actions)
    blocks = [*head, *body]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    fallback = f"{count} audit actions" + (f' matching "{wanted[:100]}"' if wanted else "")
    return Message(text=kit.fallback(fallback), blocks=blocks)


def matching_groups(snapshot: CatalogSnapshot, text: str) -> dict[str, list[AuditAction]]:
    """The catalog's groups, each with its actions that hold every word of ``text`` (``CatalogSnapshot.search``)."""
    return snapshot.search_groups(text)


def catalog_query(term: str) -> str:
    """The search a choice in a group's menu runs: its term over ``CATALOG_WINDOW``."""
    return f"{term} {CATALOG_WINDOW}"


def _summary(snapshot: CatalogSnapshot, count: int, groups: int) -> JsonDict:
    parts = [f"{count} {'action' if count == 1 else 'actions'} in {groups} {'group' if groups == 1 else 'groups'}"]
    if snapshot.fetched_at is not None:
        parts.append(f"catalog fetched {date(snapshot.fetched_at)}")
    elements = [kit.mrkdwn(" · ".join(parts))]
    if count:
        narrow = escape(f"{ids.COMMAND} actions <text>")
        elements.append(kit.mrkdwn(f"Pick an action to search its last 7 days · narrow the list: {narrow}"))
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


def _group(group: str, actions: list[AuditAction], *, listed: bool) -> JsonDict:
    """One group's section: its name and count, a preview (or, filtered, the matches), and its menu."""
    noun = "action" if len(actions) == 1 else "actions"
    line = f"*{md(group, NAME_UNITS)}* · {len(actions)} {noun}"
    if listed:
        lines = [f"{md(a.display_name, NAME_UNITS)} {inline_code(a.id, ID_UNITS)}" for a in actions[:LISTED]]
        if len(actions) > LISTED:
            lines.append(f"+{len(actions) - LISTED} more in the menu")
        text = "\n".join([line, *lines])
    else:
        names = ", ".join(md(a.display_name, 60) for a in actions[:PREVIEW])
        text = f"{line}: {names}" + (" …" if len(actions) > PREVIEW else "")
    return SectionBlock(text=kit.mrkdwn(text), accessory=_menu(group, actions)).to_dict()


def _menu(group: str, actions: list[AuditAction]) -> StaticSelectElement | None:
    options = []
    if all(a.group for a in actions):  # "Other" gathers actions without a group: there is no group: term for it
        whole = plain(f"Whole group ({len(actions)})", OPTION_TEXT)
        options.append(Option(text=kit.plain_text(whole), value=_group_term(group)))
    for action in actions:
        term = f"action:{action.id}"
        if clean(action.id) == action.id and action.id.isprintable() and " " not in action.id:
            name = plain(action.display_name, OPTION_TEXT, empty="") or plain(action.id, OPTION_TEXT)
            options.append(Option(text=kit.plain_text(name), value=term))
    options = [o for o in options if units(o.value or "") <= OPTION_VALUE][:OPTIONS]
    if not options:
        return None
    return StaticSelectElement(placeholder=kit.plain_text("Search…"), action_id=ids.CATALOG_SEARCH, options=options)


def _group_term(group: str) -> str:
    return f"group:{quote_value(group)}"


def _more(hidden: int, groups: int) -> JsonDict:
    where = f"in {groups} {'group' if groups == 1 else 'groups'} "
    return more_line(hidden, escape(f"actions {where}— narrow with {ids.COMMAND} actions <text>"))
