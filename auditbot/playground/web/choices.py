"""What a person chose, as Slack reports it: the ``actions[]`` entry of a click and a view's ``state.values``.

The page says which element was used and what was picked or typed; the element's own
definition (from the app's blocks) decides the shape: a button reports its ``value`` and
``text``, a static select the full option object the app defined, a date picker a
``YYYY-MM-DD`` date. Choices that the element does not offer are refused with ``ChoiceError``.
"""

from __future__ import annotations

import re
from typing import Any

from auditbot.playground.model import JsonDict
from auditbot.playground.web.blockids import elements_of, with_ids

KEYS = {
    "plain_text_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "number_input": "value",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "overflow": "selected_option",
    "multi_static_select": "selected_options",
    "multi_external_select": "selected_options",
    "checkboxes": "selected_options",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
}
"""The field of an element's action or state entry holding the choice."""
INITIAL = {
    "value": "initial_value",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_date_time": "initial_date_time",
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_user": "initial_user",
    "selected_users": "initial_users",
    "selected_conversation": "initial_conversation",
    "selected_conversations": "initial_conversations",
    "selected_channel": "initial_channel",
    "selected_channels": "initial_channels",
}
PLURAL = frozenset({"selected_options", "selected_users", "selected_conversations", "selected_channels"})
STATELESS = frozenset({"button", "overflow"})
"""Elements that report clicks but keep no value in ``state.values``."""
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}")
MAX_TEXT = 3000


class ChoiceError(ValueError):
    """The page reported a choice the element does not offer."""


def _defined_options(element: JsonDict) -> list[JsonDict]:
    options = [o for o in element.get("options") or [] if isinstance(o, dict)]
    for group in element.get("option_groups") or []:
        if isinstance(group, dict):
            options += [o for o in group.get("options") or [] if isinstance(o, dict)]
    return options


def _option_value(given: Any) -> str:
    value = given.get("value") if isinstance(given, dict) else given
    if not isinstance(value, str) or not value:
        raise ChoiceError("an option needs a value")
    return value


def _option(element: JsonDict, given: Any) -> JsonDict:
    """The option picked: the app's own definition for static menus; for external ones, as loaded."""
    value = _option_value(given)
    if element["type"].startswith(("external", "multi_external")):
        text = given.get("text") if isinstance(given, dict) else None
        label = text.get("text") if isinstance(text, dict) else value
        return {"text": {"type": "plain_text", "text": str(label)[:MAX_TEXT], "emoji": True}, "value": value}
    for option in _defined_options(element):
        if option.get("value") == value:
            return option
    raise ChoiceError(f"{element['type']} {element.get('action_id')} offers no option {value!r}")


def _coerce(element: JsonDict, key: str, given: Any) -> Any:
    """``given`` as Slack reports ``key`` for this element; ``None`` (or ``[]``) when nothing is chosen."""
    plural = key in PLURAL
    if given is None or given == "" or (plural and given == []):
        return [] if plural else None
    match key:
        case "value":
            return str(given)[:MAX_TEXT]
        case "selected_date" | "selected_time":
            pattern = _DATE if key == "selected_date" else _TIME
            if not isinstance(given, str) or not pattern.fullmatch(given):
                raise ChoiceError(f"not a {key.removeprefix('selected_')}: {given!r}")
            return given
        case "selected_date_time":
            try:
                return int(given)
            except (TypeError, ValueError):
                raise ChoiceError(f"not a unix time: {given!r}") from None
        case "selected_option":
            return _option(element, given)
        case "selected_options":
            return [_option(element, item) for item in (given if isinstance(given, list) else [given])]
    if plural:
        return [str(item) for item in (given if isinstance(given, list) else [given])]
    return str(given)


def action_json(element: JsonDict, block_id: str, choice: JsonDict, action_ts: str) -> JsonDict:
    """The ``actions[]`` entry Slack sends when ``element`` is used with ``choice`` (the page's report)."""
    kind = str(element.get("type"))
    action: JsonDict = {"type": kind, "action_id": element.get("action_id"), "block_id": block_id}
    if kind == "button":
        action["text"] = element.get("text")
        for field in ("value", "style", "url"):
            if field in element:
                action[field] = element[field]
    elif kind in KEYS:
        key = KEYS[kind]
        action[key] = _coerce(element, key, choice.get(key, choice.get("value")))
        if "placeholder" in element:
            action["placeholder"] = element["placeholder"]
    action["action_ts"] = action_ts
    return action


def _initial(element: JsonDict, key: str) -> Any:
    initial = element.get(INITIAL[key])
    if key in ("selected_option", "selected_options") and initial is not None:
        return initial
    return _coerce(element, key, initial)


def state_values(blocks: Any, given: Any) -> JsonDict:
    """``state.values`` for a view: every stateful element, with the page's value or the element's initial one."""
    reported = given if isinstance(given, dict) else {}
    values: JsonDict = {}
    for block in with_ids(blocks):
        block_id = str(block["block_id"])
        for element in elements_of(block):
            kind = str(element.get("type"))
            if kind in STATELESS or kind not in KEYS:
                continue
            key = KEYS[kind]
            entry = reported.get(block_id, {})
            entry = entry.get(element["action_id"]) if isinstance(entry, dict) else None
            if isinstance(entry, dict) and key in entry:
                chosen = _coerce(element, key, entry[key])
            else:
                chosen = _initial(element, key)
            values.setdefault(block_id, {})[element["action_id"]] = {"type": kind, key: chosen}
    return values
