"""Small builders for the Block Kit objects auditbot uses, with its defaults applied.

Every ``mrkdwn`` object gets ``verbatim: true`` (no auto-linking or mention parsing of data),
every ``plain_text`` object ``emoji: false`` unless asked (data shows exactly as it is). The
builders take text that is already safe (from ``safe.md`` / ``safe.plain``) and return the JSON,
through slack_sdk's ``to_dict()`` so its own limit checks run.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
    TextObject,
)

from auditbot.slack.render.limits import BUTTON_VALUE, HEADER_TEXT, JsonDict
from auditbot.slack.render.safe import md, plain, units, unlinked


def mrkdwn(text: str) -> MarkdownTextObject:
    """A mrkdwn text object for already-escaped text."""
    return MarkdownTextObject(text=text, verbatim=True)


def plain_text(text: str, *, emoji: bool = False) -> PlainTextObject:
    """A plain_text object (shown literally)."""
    return PlainTextObject(text=text, emoji=emoji)


def section(text: str, *, accessory: ButtonElement | None = None) -> JsonDict:
    """A section whose text is escaped mrkdwn."""
    return SectionBlock(text=mrkdwn(text), accessory=accessory).to_dict()


def plain_section(text: str) -> JsonDict:
    """A section whose text is plain_text (for data shown as it is)."""
    return SectionBlock(text=plain_text(text)).to_dict()


def fields_section(fields: Sequence[TextObject], *, text: str | None = None) -> JsonDict:
    """A section of up to ten fields, with an optional mrkdwn heading."""
    return SectionBlock(text=mrkdwn(text) if text else None, fields=list(fields) or None).to_dict()


def header(text: object) -> JsonDict:
    """A header block; ``text`` may be data (plain_text, cleaned, clipped to 150)."""
    return HeaderBlock(text=plain_text(plain(text, HEADER_TEXT))).to_dict()


def context(*elements: TextObject) -> JsonDict:
    """A context block of text objects."""
    return ContextBlock(elements=list(elements)).to_dict()


def divider() -> JsonDict:
    return DividerBlock().to_dict()


def button(
    text: str, action_id: str, value: str | None = None, *, style: str | None = None, emoji: bool = True
) -> ButtonElement | None:
    """A button with our own ``text`` (``emoji=False`` when it shows data); ``None`` when ``value`` is empty or
    too long for Slack."""
    if value is not None and (not value or units(value) > BUTTON_VALUE):
        return None
    return ButtonElement(text=plain_text(text, emoji=emoji), action_id=action_id, value=value, style=style)


def actions(buttons: Sequence[ButtonElement | None]) -> JsonDict | None:
    """An actions block of the buttons that exist, or ``None`` when there are none."""
    present = [b for b in buttons if b is not None]
    return ActionsBlock(elements=present).to_dict() if present else None


def fallback(text: str, limit: int = 3000) -> str:
    """A top-level ``text`` fallback (what notifications show): one line, escaped and inert like any
    mrkdwn (it is parsed as mrkdwn), and ``unlinked``, since Slack auto-links bare URLs and emails there."""
    return md(unlinked(text), limit)
