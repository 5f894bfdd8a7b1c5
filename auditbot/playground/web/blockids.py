"""Block and action ids as Slack's client sees them, and finding an interactive element by them.

Slack fills in a ``block_id`` for every block the app sent without one, and an ``action_id`` for
every interactive element without one; payloads and the client both use those. The playground
derives them from the block's position and content, so the page and the payload builder agree
without storing anything: ``with_ids`` adds them, ``find_element`` looks an element up.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from auditbot.playground.model import JsonDict

HOLDERS = {"section": "accessory", "input": "element", "actions": "elements"}
"""Where each kind of block keeps its interactive elements."""
NOT_INTERACTIVE = frozenset({"plain_text", "mrkdwn", "image"})


def _made_up(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:8]


def with_ids(blocks: Any) -> list[JsonDict]:
    """A deep copy of ``blocks`` where every block has a ``block_id`` and every element an ``action_id``."""
    if not isinstance(blocks, list | tuple):
        return []
    copied = [copy.deepcopy(block) for block in blocks if isinstance(block, dict)]
    taken = {str(block["block_id"]) for block in copied if isinstance(block.get("block_id"), str)}
    for index, block in enumerate(copied):
        if not isinstance(block.get("block_id"), str) or not block["block_id"]:
            made = _made_up(f"{index}:{json.dumps(block, sort_keys=True, default=str)}")
            block["block_id"] = made if made not in taken else f"{made}{index}"
            taken.add(block["block_id"])
        for number, element in enumerate(_elements(block)):
            if not isinstance(element.get("action_id"), str) or not element["action_id"]:
                element["action_id"] = _made_up(f"{block['block_id']}:{number}:{element.get('type')}")
    return copied


def view_with_ids(view: JsonDict) -> JsonDict:
    """``view`` (as ``views.*`` shows it) with its blocks given ids."""
    return {**view, "blocks": with_ids(view.get("blocks"))}


def _elements(block: JsonDict) -> Iterator[JsonDict]:
    """The block's interactive elements (buttons, selects, inputs, pickers), in order."""
    holder = HOLDERS.get(str(block.get("type")))
    found = block.get(holder) if holder else None
    for item in found if isinstance(found, list) else [found]:
        if isinstance(item, dict) and isinstance(item.get("type"), str) and item["type"] not in NOT_INTERACTIVE:
            yield item


def elements_of(block: JsonDict) -> list[JsonDict]:
    return list(_elements(block))


def find_element(blocks: Any, block_id: str, action_id: str) -> JsonDict | None:
    """The element ``action_id`` in block ``block_id`` of ``blocks`` (ids filled in as ``with_ids`` does)."""
    for block in with_ids(blocks):
        if block.get("block_id") != block_id:
            continue
        for element in _elements(block):
            if element.get("action_id") == action_id:
                return element
    return None
