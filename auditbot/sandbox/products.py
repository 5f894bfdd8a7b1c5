"""Which products the fake API files an event under, for ``product=``.

The API reference gives the filter's values (an enum in the OpenAPI document) but not how events map
to them. The sandbox answers as the real API most plausibly does, reading the raw JSON it serves:

- an action named after a product is that product's (``jira_issue_viewed``, ``confluence_…``,
  ``bitbucket_…``, ``loom_…``, ``guard_detect_…``); Guard Detect also owns
  ``data_classification_policy_update``;
- a context or container item whose ``product`` attribute names a product or one of its editions
  (``software``, ``business`` and ``service-desk`` are Jira's) adds that product;
- anything else (logins, groups, policies) is no product's.

This is written apart from auditbot's own reading (``auditbot.core.products``) on purpose: the two
must agree because they follow the same rule, not because they are the same code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PRODUCTS: tuple[str, ...] = ("bitbucket", "confluence", "guard_detect", "jira", "loom")
"""The ``product`` enum of ``GET /v1/orgs/{orgId}/events`` in the OpenAPI document."""

_OWN_ACTIONS: Mapping[str, str] = {"data_classification_policy_update": "guard_detect"}
_EDITIONS: Mapping[str, str] = {
    "software": "jira",
    "business": "jira",
    "service-desk": "jira",
    "jira-software": "jira",
    "jira-servicemanagement": "jira",
}


def event_products(raw: Mapping[str, Any]) -> frozenset[str]:
    """The ``product`` filter values of an API-shaped event; empty for anything malformed."""
    attributes = raw.get("attributes")
    if not isinstance(attributes, Mapping):
        return frozenset()
    action = attributes.get("action")
    found = set(_of_action(action)) if isinstance(action, str) else set()
    for key in ("context", "container"):
        items = attributes.get(key)
        for item in items if isinstance(items, list) else ():
            named = item.get("attributes") if isinstance(item, Mapping) else None
            value = named.get("product") if isinstance(named, Mapping) else None
            if isinstance(value, str):
                found.update(_of_value(value.lower()))
    return frozenset(found)


def _of_action(action: str) -> tuple[str, ...]:
    owner = action.split("_", 1)[0] if "_" in action else ""
    if action.startswith("guard_detect_"):
        return ("guard_detect",)
    if owner in PRODUCTS:
        return (owner,)
    return (_OWN_ACTIONS[action],) if action in _OWN_ACTIONS else ()


def _of_value(value: str) -> tuple[str, ...]:
    if value in PRODUCTS and value != "guard_detect":
        return (value,)
    return (_EDITIONS[value],) if value in _EDITIONS else ()
