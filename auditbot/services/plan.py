"""Turning a query into work: action names and groups resolved to ids, then split between the API
and our own checks so that every search costs the fewest API calls."""

from __future__ import annotations

from dataclasses import dataclass, replace

from auditbot.core.match import Check, Criteria
from auditbot.core.ports import EventFilters, PlaceFilter
from auditbot.core.query import Query
from auditbot.core.timespec import TimeWindow
from auditbot.services.catalog import CatalogSnapshot, UnknownActionError, UnknownGroupError

MAX_MERGED_ACTIONS = 4
"""Up to this many actions are read as one API stream each, merged by time; more are filtered here."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What the API filters, and what we check on each event it returns.

    ``streams`` holds one set of filters per API stream: one, or one per action when a query
    names a few actions (the API takes one ``action`` per request), merged newest first."""

    filters: EventFilters
    check: Check | None
    streams: tuple[EventFilters, ...] = ()


def resolve(query: Query, snapshot: CatalogSnapshot) -> Criteria:
    """Action names and groups to ids; a QueryError points at the term that names nothing."""
    actions = _resolve_all(query, snapshot, "action", query.actions)
    not_actions = _resolve_all(query, snapshot, "-action", query.not_actions)
    group_ids = _resolve_groups(query, snapshot, "group", query.groups)
    not_group_ids = _resolve_groups(query, snapshot, "-group", query.not_groups)
    resolved = query.with_actions(actions, not_actions)
    return Criteria(resolved, frozenset(actions) | group_ids, frozenset(not_actions) | not_group_ids)


def _resolve_all(query: Query, snapshot: CatalogSnapshot, term: str, texts: tuple[str, ...]) -> list[str]:
    ids: list[str] = []
    for text in texts:
        try:
            found = snapshot.resolve(text)
        except UnknownActionError as exc:
            raise query.error_at(term, text, exc.message, hint=exc.hint, fixes=exc.suggestions) from None
        ids.extend(a.id for a in found if a.id not in ids)
    return ids


def _resolve_groups(query: Query, snapshot: CatalogSnapshot, term: str, names: tuple[str, ...]) -> frozenset[str]:
    ids: set[str] = set()
    for name in names:
        try:
            ids.update(a.id for a in snapshot.resolve_group(name))
        except UnknownGroupError as exc:
            raise query.error_at(term, name, exc.message, hint=exc.hint, fixes=exc.suggestions) from None
    return frozenset(ids)


def plan_search(criteria: Criteria, window: TimeWindow) -> Plan:
    """The fewest API calls: everything the API can filter goes to it, the rest is checked here."""
    q = criteria.query
    ours = ["not_actions", "not_actors", "not_ips", "not_products", "not_locations"]
    action = next(iter(criteria.actions)) if len(criteria.actions) == 1 else None
    merged = 1 < len(criteria.actions) <= MAX_MERGED_ACTIONS
    if len(criteria.actions) > MAX_MERGED_ACTIONS:
        ours.append("actions")
    places: tuple[PlaceFilter, ...] = ()
    if all("," in text for text in q.locations):
        places = tuple(place_filter(text) for text in q.locations)
    else:
        ours.append("locations")
    ips: tuple[str, ...] = ()
    if q.ip_networks:
        ours.append("ips")
    else:
        ips = tuple(str(a) for a in q.ip_addresses)
    filters = EventFilters(
        q=" ".join(q.text) or None,
        start=window.start,
        end=window.end,
        action=action,
        actors=q.actors,
        ips=ips,
        products=q.products,
        locations=places,
    )
    if merged:
        streams = tuple(replace(filters, action=a) for a in sorted(criteria.actions))
        return Plan(filters, criteria.check(ours), streams)
    return Plan(filters, criteria.check(ours))


def place_filter(text: str) -> PlaceFilter:
    """``"Sydney, Australia"`` → city and country. (A lone name could be either; those are matched here.)"""
    city, _, country = text.rpartition(",")
    return PlaceFilter(city=city.strip() or None, country_name=country.strip() or None)
