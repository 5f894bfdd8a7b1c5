"""App Home: which org auditbot reads, whether its API key works, the rate budget, quick queries, subscriptions.

Layout::

    header   auditbot
    section  Connected to org `id` (or the built-in sandbox org)
    section  API key: works / rejected: <problem> / not checked yet · expires <time>
    section  *Admin API budget*: `path`: 7 of 10 left this minute (full again in N s)
    context  catalog note
    section  *Try these*
    context  where their results go (your DM with auditbot)
    actions  [Search…] [quick query] [quick query] …
    section  *Assigned to you*                  (only when some unresolved alert is assigned to the viewer)
    section  state · event · channel   [Details], up to 5; context: /audit alerts mine for more
    section  *Subscriptions*                    (when auditbot keeps subscriptions)
    section  `sub-x` · #channel · paused / last error     [Pause|Resume] [Remove], one per subscription
    context  +N more
    section  short help
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ButtonElement
from slack_sdk.models.views import View

from auditbot.services.alert_list import ListedAlert
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.alert_list import assigned_blocks
from auditbot.slack.render.limits import (
    ACTIONS_ELEMENTS,
    BUTTON_TEXT,
    VIEW_BLOCKS,
    VIEW_TEXT_BUDGET,
    Budget,
    JsonDict,
    check_view,
    pack_lines,
)
from auditbot.slack.render.safe import clean, date, escape, inline_code, md, plain
from auditbot.slack.render.subscriptions import subscription_entries
from auditbot.slack.render.views import HomeView, RateBudget

MAX_QUICK_QUERIES = 48
MAX_BUDGETS = 20
ASSIGNED_SHOWN = 5
"""Alerts "Assigned to you" lists; ``/audit alerts mine`` has the rest."""
HOME_EXAMPLE = "action:added_org_admin last:30d"
"""The query App Home's short help shows (one every org can ask, and the demo's org answers)."""
RESULTS_GO = "Each sends its results to your DM with auditbot (the Messages tab)."


def render_home(home: HomeView, *, sent: str | None = None, assigned: Sequence[ListedAlert] = ()) -> JsonDict:
    """The Home tab view for ``home``; ``sent`` names the quick query whose results were just sent;
    ``assigned``: the viewer's unresolved alerts, newest first (one more than ``ASSIGNED_SHOWN`` says there
    are more)."""
    blocks = [
        kit.header("auditbot"),
        kit.section(_org(home)),
        kit.section(_key(home)),
    ]
    if home.budgets:
        lines = ["*Admin API budget*", *(_budget(b) for b in home.budgets[:MAX_BUDGETS])]
        if len(home.budgets) > MAX_BUDGETS:
            lines.append(f"+{len(home.budgets) - MAX_BUDGETS} more paths")
        blocks += [kit.section(text) for text in pack_lines(lines)]
    if home.catalog_note and clean(home.catalog_note):
        blocks.append(kit.context(kit.mrkdwn(md(home.catalog_note, 500))))
    if home.mirror_note and clean(home.mirror_note):
        blocks.append(kit.context(kit.mrkdwn(md(home.mirror_note, 500))))
    blocks.append(kit.divider())
    blocks += _quick_queries(home, sent)
    blocks.append(kit.divider())
    mine = assigned_blocks(assigned, shown=ASSIGNED_SHOWN)
    if mine:
        blocks += [*mine, kit.divider()]
    tail = [
        kit.section(
            escape(f"Type {ids.COMMAND} <query> anywhere, for example ")
            + inline_code(f"{ids.COMMAND} {HOME_EXAMPLE}", 100)
            + escape(f". {ids.COMMAND} help lists every term.")
        )
    ]
    if home.subscriptions is not None:
        budget = Budget(VIEW_BLOCKS, VIEW_TEXT_BUDGET)
        head = [kit.section("*Alert subscriptions*")]
        budget.take([*blocks, *head, kit.divider(), *tail])
        blocks += [*head, *subscription_entries(home.subscriptions, budget, compact=True), kit.divider()]
    blocks += tail
    view = View(type="home", blocks=blocks).to_dict()
    check_view(view)
    return view


def _org(home: HomeView) -> str:
    if home.sandbox:
        return "Connected to *the built-in sandbox org* (made-up data, for trying auditbot out)."
    return f"Connected to Atlassian organization {inline_code(home.org_id, 200)}."


def _key(home: HomeView) -> str:
    if home.key_ok is True:
        text = ":white_check_mark: API key works."
    elif home.key_ok is False:
        problem = md(home.key_problem, 500) if home.key_problem and clean(home.key_problem) else "no reason given"
        text = f":x: The Admin API rejected the API key: {problem}"
    else:
        text = ":hourglass_flowing_sand: API key not checked yet."
    if home.key_expires is not None:
        text += f" It expires {date(home.key_expires)}."
    return text


def _budget(budget: RateBudget) -> str:
    limit = max(0, budget.limit)
    remaining = min(max(0, budget.remaining), limit)
    line = f"{inline_code(budget.path, 200)}: {remaining} of {limit} left this minute"
    if remaining < limit and budget.ready_in > 0:
        line += f" (full again in {max(1, round(budget.ready_in))} s)"
    return line


def _quick_queries(home: HomeView, sent: str | None) -> list[JsonDict]:
    buttons: list[ButtonElement] = []
    search = kit.button("Search…", ids.OPEN_SEARCH_FORM, "search", style="primary")
    if search is not None:
        buttons.append(search)
    for n, (label, query) in enumerate(home.quick_queries[:MAX_QUICK_QUERIES]):
        text = plain(label, BUTTON_TEXT, empty="") or plain(query, BUTTON_TEXT)
        button = kit.button(text, ids.quick_query_id(n), query)
        if button is not None:
            buttons.append(button)
    rows = [buttons[i : i + ACTIONS_ELEMENTS] for i in range(0, len(buttons), ACTIONS_ELEMENTS)]
    where = RESULTS_GO
    if sent is not None and clean(sent):
        where = f":white_check_mark: Sent the results of “{md(sent, 200)}” to your DM with auditbot (the Messages tab)."
    blocks = [kit.section("*Try these*"), kit.context(kit.mrkdwn(where))] if len(buttons) > 1 else []
    return [*blocks, *(b for b in (kit.actions(row) for row in rows) if b is not None)]
