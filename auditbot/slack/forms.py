"""The search form's submitted values as a query; a bad field becomes an error shown beside it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from auditbot.core.query import Query
from auditbot.core.timespec import DateTimeSpec
from auditbot.slack import ids

_SPLIT = re.compile(r"[\s,;]+")


class FormErrors(Exception):
    """Field errors keyed by block id, as ``views.submission`` ``response_action: errors`` wants them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def query_from_form(values: dict[str, dict[str, dict[str, Any]]]) -> Query:
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    for block_id, name in ((ids.FORM_ACTORS, "actors"), (ids.FORM_IPS, "ips")):
        items = tuple(v for v in _SPLIT.split(_text(values, block_id)) if v)
        try:
            Query().replace(**{name: items})
        except (ValueError, TypeError) as exc:
            errors[block_id] = str(exc)[:150]
        fields[name] = items
    selected = _element(values, ids.FORM_ACTIONS).get("selected_options") or []
    fields["actions"] = tuple(str(option["value"]) for option in selected if option.get("value"))
    text = _text(values, ids.FORM_TEXT).strip()
    fields["text"] = (text,) if text else ()
    fields["since"] = _moment(values, ids.FORM_SINCE)
    fields["until"] = _moment(values, ids.FORM_UNTIL)
    if fields["since"] and fields["until"] and fields["since"].value >= fields["until"].value:
        errors[ids.FORM_UNTIL] = "The end must come after the start."
    if errors:
        raise FormErrors(errors)
    try:
        return Query(**fields)
    except (ValueError, TypeError) as exc:
        raise FormErrors({ids.FORM_TEXT: str(exc)[:150]}) from None


def _element(values: dict[str, dict[str, dict[str, Any]]], block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(block_id, {}) or {}


def _text(values: dict[str, dict[str, dict[str, Any]]], block_id: str) -> str:
    return str(_element(values, block_id).get("value") or "")


def _moment(values: dict[str, dict[str, dict[str, Any]]], block_id: str) -> DateTimeSpec | None:
    stamp = _element(values, block_id).get("selected_date_time")
    if not isinstance(stamp, int | float):
        return None
    return DateTimeSpec(datetime.fromtimestamp(stamp, UTC))
