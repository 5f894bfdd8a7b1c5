"""What Slack shows for the app's answer (its ack) to a slash command.

An empty answer shows nothing: the app replies later, through the response URL or the Web API.
A JSON answer with ``text`` or ``blocks`` is a message: ephemeral to the person who typed the
command, or, with ``response_type: in_channel``, posted in the channel under the command as the
person typed it. Any other non-empty answer is shown as the text of an ephemeral message. A
message Slack would refuse (no text, bad blocks) is an ``AppError``, as Slack tells the person the
command failed.
"""

from __future__ import annotations

from auditbot.playground.model import Channel, JsonDict, SlackError
from auditbot.playground.web.delivery import AppAnswer, AppError
from auditbot.playground.workspace import Workspace


def apply_command_answer(ws: Workspace, channel: Channel, user: str, typed: str, answer: AppAnswer) -> JsonDict:
    """Show ``answer`` to ``user`` in ``channel`` as Slack would; returns what the page needs to know."""
    body = answer.json()
    if isinstance(body, dict):
        if not any(key in body for key in ("text", "blocks", "attachments")):
            return {"replied": False}
        text, blocks, in_channel = body.get("text"), body.get("blocks"), body.get("response_type") == "in_channel"
    else:
        raw = answer.body.decode("utf-8", "replace").strip()
        if not raw:
            return {"replied": False}
        text, blocks, in_channel = raw, None, False
    bot = ws.bot.id
    try:
        if in_channel:
            ws.conversations.post(channel.id, author=user, text=typed, check_membership=False)
            ws.conversations.post(channel.id, author=bot, text=text, blocks=blocks, check_membership=False)
        else:
            ws.conversations.add_ephemeral(channel.id, user, author=bot, text=text, blocks=blocks)
    except SlackError as exc:
        detail = ": " + "; ".join(exc.messages[:3]) if exc.messages else ""
        raise AppError(f"Slack refused the app's answer to the command ({exc.error}{detail}).") from None
    return {"replied": True}
