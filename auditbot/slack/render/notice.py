"""A short status line ("Export started: 3 pages…") as a message."""

from __future__ import annotations

from auditbot.slack.render import kit
from auditbot.slack.render.limits import SECTION_TEXT
from auditbot.slack.render.safe import plain
from auditbot.slack.render.views import Message


def render_notice(text: str) -> Message:
    """``text`` as one plain_text section (shown literally), with an escaped fallback."""
    shown = plain(text, SECTION_TEXT - 100, multiline=True)
    return Message(text=kit.fallback(shown, 1000), blocks=[kit.plain_section(shown)])
