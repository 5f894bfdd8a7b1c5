"""The Block Kit checks Slack makes on a message or a view, with Slack's error lines.

Covered: block counts (50 per message, 100 per view), known block types, block_id length and
uniqueness, section text (1..3000) and fields (10 x 2000), header text (150), context (10) and
actions (25) element counts, button text/value/url/action_id, image alt text and url, and the
modal title/callback_id/private_metadata caps. A message answer is ``invalid_blocks``, a view
answer ``invalid_arguments``, each with ``[ERROR] ... [json-pointer:...]`` lines as Slack gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditbot.playground.model import JsonDict, SlackError

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
TEXT_MAX = 40_000
"""Slack truncates message text beyond this."""

_Check = Callable[[JsonDict, str, list[str]], None]


def _too_long(value: Any, limit: int, pointer: str, problems: list[str]) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems.append(f"[ERROR] must be less than {limit + 1} characters [json-pointer:{pointer}]")


def _text_object(value: Any, limit: int, pointer: str, problems: list[str], *, plain_only: bool = False) -> None:
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if not isinstance(value, dict) or value.get("type") not in allowed or not isinstance(value.get("text"), str):
        problems.append(f"[ERROR] must be a {' or '.join(allowed)} text object [json-pointer:{pointer}]")
        return
    if not value["text"]:
        problems.append(f"[ERROR] must be more than 0 characters [json-pointer:{pointer}/text]")
    _too_long(value["text"], limit, f"{pointer}/text", problems)


def _element(element: Any, pointer: str, problems: list[str]) -> None:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        problems.append(f"[ERROR] missing required field: type [json-pointer:{pointer}]")
        return
    _too_long(element.get("action_id"), 255, f"{pointer}/action_id", problems)
    if element["type"] == "button":
        _text_object(element.get("text"), 75, f"{pointer}/text", problems, plain_only=True)
        _too_long(element.get("value"), 2000, f"{pointer}/value", problems)
        _too_long(element.get("url"), 3000, f"{pointer}/url", problems)


def _elements(block: JsonDict, limit: int, pointer: str, problems: list[str]) -> list[Any]:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        problems.append(f"[ERROR] must provide at least 1 item [json-pointer:{pointer}/elements]")
        return []
    if len(elements) > limit:
        problems.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}/elements]")
    return elements


def _section(block: JsonDict, pointer: str, problems: list[str]) -> None:
    if "text" not in block and "fields" not in block:
        problems.append(f"[ERROR] must provide text or fields [json-pointer:{pointer}]")
    if "text" in block:
        _text_object(block["text"], 3000, f"{pointer}/text", problems)
    fields = block.get("fields", [])
    if not isinstance(fields, list) or len(fields) > 10:
        problems.append(f"[ERROR] no more than 10 items allowed [json-pointer:{pointer}/fields]")
    elif isinstance(fields, list):
        for index, item in enumerate(fields):
            _text_object(item, 2000, f"{pointer}/fields/{index}", problems)
    if "accessory" in block:
        _element(block["accessory"], f"{pointer}/accessory", problems)


def _header(block: JsonDict, pointer: str, problems: list[str]) -> None:
    _text_object(block.get("text"), 150, f"{pointer}/text", problems, plain_only=True)


def _context(block: JsonDict, pointer: str, problems: list[str]) -> None:
    _elements(block, 10, pointer, problems)


def _actions(block: JsonDict, pointer: str, problems: list[str]) -> None:
    seen: set[str] = set()
    for index, element in enumerate(_elements(block, 25, pointer, problems)):
        _element(element, f"{pointer}/elements/{index}", problems)
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if isinstance(action_id, str) and action_id in seen:
            problems.append(f"[ERROR] duplicate action_id: {action_id} [json-pointer:{pointer}/elements/{index}]")
        if isinstance(action_id, str):
            seen.add(action_id)


def _image(block: JsonDict, pointer: str, problems: list[str]) -> None:
    _too_long(block.get("alt_text"), 2000, f"{pointer}/alt_text", problems)
    _too_long(block.get("image_url"), 3000, f"{pointer}/image_url", problems)


def _input(block: JsonDict, pointer: str, problems: list[str]) -> None:
    _text_object(block.get("label"), 2000, f"{pointer}/label", problems, plain_only=True)
    _element(block.get("element"), f"{pointer}/element", problems)


def _markdown(block: JsonDict, pointer: str, problems: list[str]) -> None:
    _too_long(block.get("text"), 12_000, f"{pointer}/text", problems)


def _nothing(block: JsonDict, pointer: str, problems: list[str]) -> None:
    """Types whose content the workspace accepts as given."""


CHECKS: dict[str, _Check] = {
    "section": _section,
    "header": _header,
    "context": _context,
    "actions": _actions,
    "image": _image,
    "input": _input,
    "markdown": _markdown,
    **{kind: _nothing for kind in ("divider", "rich_text", "file", "video", "table", "call", "context_actions")},
}


def block_problems(blocks: Any, limit: int, root: str = "") -> list[str]:
    """Every problem with a list of blocks, as Slack's ``[ERROR] ...`` lines; empty when valid."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must provide an array [json-pointer:{root}/blocks]"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{root}/blocks]")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        pointer = f"{root}/blocks/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"[ERROR] missing required field: type [json-pointer:{pointer}]")
            continue
        check = CHECKS.get(block["type"])
        if check is None:
            problems.append(f"[ERROR] unsupported type: {block['type']} [json-pointer:{pointer}/type]")
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            _too_long(block_id, 255, f"{pointer}/block_id", problems)
            if block_id in block_ids:
                problems.append(f"[ERROR] duplicate block_id: {block_id} [json-pointer:{pointer}/block_id]")
            block_ids.add(block_id)
        check(block, pointer, problems)
    return problems


def check_message(text: Any, blocks: Any, *, has_files: bool = False) -> tuple[str, tuple[JsonDict, ...]]:
    """The message's text (truncated like Slack does) and blocks, or ``no_text`` / ``invalid_blocks``."""
    if not blocks and not text and not has_files:
        raise SlackError("no_text")
    if text is not None and not isinstance(text, str):
        raise SlackError("invalid_arguments", "[ERROR] must be a string [json-pointer:/text]")
    if blocks is None or blocks == "" or blocks == []:
        return (text or "")[:TEXT_MAX], ()
    problems = block_problems(blocks, MESSAGE_BLOCKS_MAX)
    if problems:
        raise SlackError("invalid_blocks", *problems)
    return (text or "")[:TEXT_MAX], tuple(blocks)


def check_view(view: Any, *, kinds: tuple[str, ...]) -> JsonDict:
    """The view if Slack would accept it as one of ``kinds``; else ``invalid_arguments`` with the lines."""
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", "[ERROR] must provide an object [json-pointer:/view]")
    problems: list[str] = []
    if view.get("type") not in kinds:
        problems.append(f"[ERROR] must be one of {', '.join(kinds)} [json-pointer:/view/type]")
    if view.get("type") == "modal":
        _text_object(view.get("title"), 24, "/view/title", problems, plain_only=True)
        for button in ("submit", "close"):
            if button in view:
                _text_object(view[button], 24, f"/view/{button}", problems, plain_only=True)
    _too_long(view.get("callback_id"), 255, "/view/callback_id", problems)
    _too_long(view.get("private_metadata"), 3000, "/view/private_metadata", problems)
    _too_long(view.get("external_id"), 255, "/view/external_id", problems)
    problems += block_problems(view.get("blocks"), VIEW_BLOCKS_MAX, "/view")
    if problems:
        raise SlackError("invalid_arguments", *problems)
    return view
