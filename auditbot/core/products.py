"""Which Atlassian products an event belongs to, for ``product:`` terms.

The API documents the filter's values but not how events map to them; this is auditbot's one
rule for matching on our side (``-product:``, alerts, the mirror). The sandbox answers
``product=`` by the same rule in its own code (``auditbot.sandbox.products``), so the two are
checked against each other rather than agreeing by construction:

- an action named after a product belongs to it (``jira_*``, ``confluence_*``, ``bitbucket_*``,
  ``loom_*``, ``guard_detect_*``; ``data_classification_policy_update`` is Guard Detect);
- a context or container item whose attributes name a product (``"product": "software"`` on a
  Jira issue view) adds that product;
- anything else (logins, groups, policies) belongs to no product.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from auditbot.core.model import AuditEvent

PRODUCTS: tuple[str, ...] = ("bitbucket", "confluence", "guard_detect", "jira", "loom")
"""The values of the API's ``product`` enum."""

_ACTION_PREFIXES: tuple[tuple[str, str], ...] = (
    ("jira_", "jira"),
    ("confluence_", "confluence"),
    ("bitbucket_", "bitbucket"),
    ("loom_", "loom"),
    ("guard_detect_", "guard_detect"),
)
_ACTIONS: Mapping[str, str] = {"data_classification_policy_update": "guard_detect"}
_PRODUCT_VALUES: Mapping[str, str] = {
    "software": "jira",
    "business": "jira",
    "service-desk": "jira",
    "jira": "jira",
    "jira-software": "jira",
    "jira-servicemanagement": "jira",
    "confluence": "confluence",
    "bitbucket": "bitbucket",
    "loom": "loom",
}


def products_for(action: str, product_values: Iterable[object]) -> frozenset[str]:
    """Products of an event with this action whose items carry these ``product`` attribute values."""
    found = {product for prefix, product in _ACTION_PREFIXES if action.startswith(prefix)}
    if action in _ACTIONS:
        found.add(_ACTIONS[action])
    for value in product_values:
        if isinstance(value, str) and value.lower() in _PRODUCT_VALUES:
            found.add(_PRODUCT_VALUES[value.lower()])
    return frozenset(found)


def event_products(event: AuditEvent) -> frozenset[str]:
    values = ((item.attributes or {}).get("product") for item in (*event.context, *event.container))
    return products_for(event.action, values)
