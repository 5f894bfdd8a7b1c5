"""Masking emails and IP addresses in a message before it is shared into a channel (optional)."""

from __future__ import annotations

from typing import Any

from auditbot.core.access import redact_for_sharing
from auditbot.slack.render.views import Message


def redacted(message: Message) -> Message:
    """The same message with every text masked; block structure, ids and button values untouched."""
    return Message(text=redact_for_sharing(message.text), blocks=[_walk(block) for block in message.blocks])


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (redact_for_sharing(value) if key == "text" and isinstance(value, str) else _walk(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_walk(item) for item in node]
    return node
