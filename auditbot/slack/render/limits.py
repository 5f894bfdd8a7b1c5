"""Block Kit limits slack_sdk does not enforce, a budget for packing blocks, and "+N more" lines.

slack_sdk's models check most per-element limits inside ``to_dict()``; they do not check the
number of blocks in a message (50), the 2,000 characters of a section field, or any total size.
Renderers pack blocks through a ``Budget`` (so they never overflow) and finish with
``check_blocks`` (so a renderer bug fails loudly in tests, never as a Slack error in production).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject

from auditbot.slack.render.safe import units

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS = 10
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 2000
"""Our own ceiling for one context element (Slack documents none below 3000)."""
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
INPUT_VALUE = 3000
MESSAGE_TEXT_BUDGET = 12_000
"""Total text of a message's blocks: a margin under the aggregate size Slack refuses (~13k seen)."""
VIEW_TEXT_BUDGET = 24_000
"""Total text of a modal or Home view."""

JsonDict = dict[str, Any]


class RenderLimitError(ValueError):
    """A rendered payload breaks a Block Kit limit (a renderer bug: renderers pack to fit)."""


def text_units(value: object) -> int:
    """The total size of every ``text`` string inside ``value`` (blocks, elements, text objects)."""
    if isinstance(value, dict):
        own = units(value["text"]) if isinstance(value.get("text"), str) else 0
        return own + sum(text_units(v) for k, v in value.items() if k != "text" or not isinstance(v, str))
    if isinstance(value, list):
        return sum(text_units(v) for v in value)
    return 0


class Budget:
    """Room left for blocks and text in one message or view."""

    def __init__(self, max_blocks: int, max_text: int) -> None:
        self.blocks = max_blocks
        self.text = max_text

    def fits(self, blocks: Sequence[JsonDict], *, reserve: Sequence[JsonDict] = ()) -> bool:
        """Whether ``blocks`` fit, leaving room for ``reserve`` after them."""
        wanted = [*blocks, *reserve]
        return len(wanted) <= self.blocks and text_units(wanted) <= self.text

    def take(self, blocks: Sequence[JsonDict]) -> None:
        self.blocks -= len(blocks)
        self.text -= text_units(list(blocks))


def more_line(count: int, what: str) -> JsonDict:
    """A context line ``+N more <what>`` (``what`` is our own text, never data)."""
    text = MarkdownTextObject(text=f"+{count} more {what}", verbatim=True)
    return ContextBlock(elements=[text]).to_dict()


def pack_lines(lines: Iterable[str], max_units: int = SECTION_TEXT - 100) -> list[str]:
    """Lines joined into as few texts of at most ``max_units`` each as order allows.

    Each line must already fit on its own (callers clip them); one that does not is cut.
    """
    texts: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        cost = units(line) + (1 if current else 0)
        if current and size + cost > max_units:
            texts.append("\n".join(current))
            current, size = [], 0
            cost = units(line)
        current.append(line)
        size += cost
    if current:
        texts.append("\n".join(current))
    return texts


def check_blocks(blocks: Sequence[JsonDict], *, max_blocks: int, text_budget: int) -> None:
    """Raise ``RenderLimitError`` naming every limit ``blocks`` break."""
    problems: list[str] = []
    if not 1 <= len(blocks) <= max_blocks:
        problems.append(f"{len(blocks)} blocks (1 to {max_blocks} allowed)")
    for index, block in enumerate(blocks):
        problems.extend(f"block {index} ({block.get('type')}): {p}" for p in _block_problems(block))
        problems.extend(f"block {index}: action_id {a!r} used twice" for a in _repeated_action_ids(block))
    block_ids = [b["block_id"] for b in blocks if b.get("block_id")]
    problems.extend(f"block_id {b!r} used twice" for b in sorted({b for b in block_ids if block_ids.count(b) > 1}))
    total = text_units(list(blocks))
    if total > text_budget:
        problems.append(f"{total} units of text (budget {text_budget})")
    if problems:
        raise RenderLimitError("; ".join(problems))


def check_view(view: JsonDict) -> None:
    """``check_blocks`` for a modal or Home view."""
    check_blocks(view.get("blocks", []), max_blocks=VIEW_BLOCKS, text_budget=VIEW_TEXT_BUDGET)


def _repeated_action_ids(block: JsonDict) -> list[str]:
    """Slack refuses a block whose interactive elements share an ``action_id``."""
    elements = list(block.get("elements") or []) + ([block["accessory"]] if block.get("accessory") else [])
    seen = [e["action_id"] for e in elements if isinstance(e, dict) and e.get("action_id")]
    return sorted({a for a in seen if seen.count(a) > 1})


def _block_problems(block: JsonDict) -> list[str]:
    problems = [*_text_object_problems(block)]
    kind = block.get("type")
    if kind == "section":
        problems += _size(block.get("text"), SECTION_TEXT, "text")
        fields = block.get("fields") or []
        if len(fields) > FIELDS:
            problems.append(f"{len(fields)} fields")
        for field in fields:
            problems += _size(field, FIELD_TEXT, "field")
    elif kind == "header":
        problems += _size(block.get("text"), HEADER_TEXT, "header")
    elif kind == "context":
        elements = block.get("elements") or []
        if len(elements) > CONTEXT_ELEMENTS:
            problems.append(f"{len(elements)} context elements")
        for element in elements:
            problems += _size(element, CONTEXT_TEXT, "context element")
    elif kind == "actions" and len(block.get("elements") or []) > ACTIONS_ELEMENTS:
        problems.append("too many actions")
    return problems


def _text_object_problems(value: object) -> Iterable[str]:
    """Empty or unsafe text objects and oversized buttons, anywhere inside ``value``."""
    if isinstance(value, list):
        for item in value:
            yield from _text_object_problems(item)
        return
    if not isinstance(value, dict):
        return
    kind = value.get("type")
    if kind in ("mrkdwn", "plain_text"):
        text = value.get("text")
        if not isinstance(text, str) or not text.strip():
            yield f"empty {kind} text"
        if kind == "mrkdwn" and value.get("verbatim") is not True:
            yield "mrkdwn text without verbatim"
    if kind == "button":
        yield from _size(value.get("text"), BUTTON_TEXT, "button text")
        if units(str(value.get("value", ""))) > BUTTON_VALUE:
            yield "button value too long"
    for item in value.values():
        if isinstance(item, dict | list):
            yield from _text_object_problems(item)


def _size(text_object: object, limit: int, what: str) -> list[str]:
    if isinstance(text_object, dict) and isinstance(text_object.get("text"), str):
        size = units(text_object["text"])
        if size > limit:
            return [f"{what} of {size} units (limit {limit})"]
    return []
