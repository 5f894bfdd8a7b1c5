"""``/audit help``: the subcommands, the query terms (from ``QUERY_HELP``) and worked examples.

Layout::

    header   auditbot: search your Atlassian audit log
    section  the subcommands, then the alert subcommands
    section  *Query terms* — one line per term: `term` description, e.g. `example`
    section  *Examples* — a code block
    context  the default window and where times are read
"""

from __future__ import annotations

import re

from auditbot.core.query import QUERY_HELP
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.limits import MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET, check_blocks, pack_lines
from auditbot.slack.render.safe import code_block, inline_code, md
from auditbot.slack.render.views import Message

_COMMAND_RE = re.compile(r"/[a-z0-9][a-z0-9_\-]{0,30}")
EXAMPLES = (
    "action:added_org_admin last:30d",
    'action:"user added to group" since:30d until:yesterday',
    "action:user_login_failed -ip:192.0.2.0/24 last:30d",
    '"logged in as" last:30d',
    "event 25e4c3e7-7f0d-4b84-8028-330fed144a51",
    "actions group",
    'subscribe #sec-alerts name:"Admin grants" action:added_org_admin',
    "handoff 12h",
)
"""Worked examples, without the command name; each gives an answer in the demo (tests/test_examples.py)."""


SUBSCRIBE_SYNOPSIS = ' subscribe [#channel] [name:"…"] <query>'


def render_help(*, command: str = ids.COMMAND) -> Message:
    """Help for the slash command ``command`` (``/audit`` unless the app is installed under another)."""
    cmd = command if _COMMAND_RE.fullmatch(command) else ids.COMMAND
    subcommands = [
        "*What you can ask*",
        f"{inline_code(f'{cmd} <query>', 80)} search the audit log (the default; the last 7 days unless you say)",
        f"{inline_code(f'{cmd} event <id>', 80)} one event in full",
        f"{inline_code(f'{cmd} actions [text]', 80)} browse the action catalog, or the actions matching text",
        f"{inline_code(f'{cmd} help', 80)} this help",
        "*Alerts* (admins subscribe; a query without time terms says which events)",
        f"{inline_code(cmd + SUBSCRIBE_SYNOPSIS, 80)} post every new matching event in "
        "a channel (this one unless you name another), after a dry run over the last 7 days",
        f"{inline_code(f'{cmd} subscriptions [text]', 80)} the workspace's subscriptions, with Pause and Remove",
        f"{inline_code(f'{cmd} alerts [open | mine | resolved] [#channel] [filters]', 80)} posted alerts by state, "
        "newest first, with who is on each",
        f"{inline_code(f'{cmd} pause <id>', 80)} · {inline_code(f'{cmd} resume <id>', 80)} · "
        f"{inline_code(f'{cmd} unsubscribe <id>', 80)} by subscription id (sub-…) or name",
        "*On-call handoff*",
        f"{inline_code(f'{cmd} handoff [12h | since:… until:…] [filters]', 80)} what happened in the shift: totals, "
        "what is new, what needs a look, open alerts and snoozes; each count a search away",
        f"{inline_code(f'{cmd} digest schedule [#channel] 09:00,21:00 [Europe/Berlin] [filters]', 100)} post the "
        "handoff at each shift change (admins) · "
        f"{inline_code(f'{cmd} digest schedules', 40)} · {inline_code(f'{cmd} digest unschedule <id>', 60)}",
    ]
    terms = ["*Query terms* (space separated, any order; quote values with spaces)"]
    terms += [
        f"{inline_code(e.term, 40)} {md(e.description, 300)} e.g. {inline_code(e.example, 200)}" for e in QUERY_HELP
    ]
    examples = code_block("\n".join(f"{cmd} {example}" for example in EXAMPLES), 2000)
    blocks = [
        kit.header("auditbot: search your Atlassian audit log"),
        kit.section("\n".join(subcommands)),
        *(kit.section(text) for text in pack_lines(terms)),
        kit.section(f"*Examples*\n{examples}"),
        kit.context(
            kit.mrkdwn(
                "Times like since:monday or until:2026-11-08 are read in your Slack time zone. "
                "Results are newest first; every result has Details, Share to channel and Export CSV."
            )
        ),
    ]
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    return Message(
        text=kit.fallback(
            f"auditbot help: {cmd} <query>, {cmd} event <id>, {cmd} actions, {cmd} subscribe, {cmd} help"
        ),
        blocks=blocks,
    )
