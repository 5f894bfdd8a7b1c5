"""Block Kit builders for the playground tests."""

from __future__ import annotations

from typing import Any


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def modal(title: str = "Details", blocks: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": [section(f"line {n}") for n in range(blocks)],
        **extra,
    }


def home(text: str = "Welcome") -> dict[str, Any]:
    return {"type": "home", "blocks": [section(text)]}
