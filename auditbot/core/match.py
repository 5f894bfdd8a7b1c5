"""Matching events against a query's terms on our side of the API.

``Criteria`` is a query with its action names and groups resolved to action ids; each check
is a pure function of one event. The search service applies only the terms the API cannot
(several actions, groups, exclusions, CIDR ranges); alert matching applies them all.
Free text is left to the API's ``q``: which fields it searches is not documented, so it is
never re-checked here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from ipaddress import ip_address

from auditbot.core.model import AuditEvent
from auditbot.core.products import event_products
from auditbot.core.query import Address, IPValue, Network, Query, split_ips

Check = Callable[[AuditEvent], bool]


@dataclass(frozen=True)
class Criteria:
    """A query ready to match: ``actions`` is the union of its actions and groups (empty: any)."""

    query: Query
    actions: frozenset[str]
    not_actions: frozenset[str]

    def check(self, terms: Iterable[str]) -> Check | None:
        """One predicate for the named terms (``actions actors not_actors ips not_ips ...``), or None."""
        checks = [c for c in (_CHECKS[t](self) for t in terms) if c is not None]
        if not checks:
            return None
        if len(checks) == 1:
            return checks[0]
        return lambda event: all(c(event) for c in checks)

    @cached_property
    def _every_term(self) -> Check | None:
        return self.check(ALL_TERMS)

    def matches(self, event: AuditEvent) -> bool:
        """Every term but free text and the time window (the predicate is built once per Criteria)."""
        check = self._every_term
        return check is None or check(event)


def _actions(c: Criteria) -> Check | None:
    if not c.actions:
        return None
    wanted = c.actions
    return lambda e: e.action in wanted


def _not_actions(c: Criteria) -> Check | None:
    if not c.not_actions:
        return None
    unwanted = c.not_actions
    return lambda e: e.action not in unwanted


def _actor_keys(event: AuditEvent) -> set[str]:
    actor = event.actor
    keys = {actor.id}
    if actor.email:
        keys.add(actor.email.lower())
    return keys


def _actors(c: Criteria) -> Check | None:
    if not c.query.actors:
        return None
    wanted = set(c.query.actors)
    return lambda e: not wanted.isdisjoint(_actor_keys(e))


def _not_actors(c: Criteria) -> Check | None:
    if not c.query.not_actors:
        return None
    unwanted = set(c.query.not_actors)
    return lambda e: unwanted.isdisjoint(_actor_keys(e))


def ip_matches(values: Iterable[IPValue]) -> Callable[[str | None], bool]:
    addresses, networks = split_ips(values)
    exact = {str(a) for a in addresses}
    return lambda text: text is not None and (text in exact or _in_networks(text, addresses, networks))


def _in_networks(text: str, addresses: tuple[Address, ...], networks: tuple[Network, ...]) -> bool:
    try:
        address = ip_address(text)
    except ValueError:
        return False
    return address in addresses or any(address.version == n.version and address in n for n in networks)


def _ips(c: Criteria) -> Check | None:
    if not c.query.ips:
        return None
    match = ip_matches(c.query.ips)
    return lambda e: match(e.ip)


def _not_ips(c: Criteria) -> Check | None:
    if not c.query.not_ips:
        return None
    match = ip_matches(c.query.not_ips)
    return lambda e: not match(e.ip)


def _products(c: Criteria) -> Check | None:
    if not c.query.products:
        return None
    wanted = set(c.query.products)
    return lambda e: not wanted.isdisjoint(event_products(e))


def _not_products(c: Criteria) -> Check | None:
    if not c.query.not_products:
        return None
    unwanted = set(c.query.not_products)
    return lambda e: unwanted.isdisjoint(event_products(e))


def place_key(text: str) -> tuple[str, str | None]:
    """``"Sydney, Australia"`` → ``("sydney", "australia")``; ``"Australia"`` → ``("australia", None)``."""
    city, _, country = text.rpartition(",")
    if not city:
        return country.strip().casefold(), None
    return city.strip().casefold(), country.strip().casefold()


def _place_matches(texts: Iterable[str]) -> Callable[[AuditEvent], bool]:
    keys = [place_key(t) for t in texts]

    def match(event: AuditEvent) -> bool:
        location = event.attributes.location
        if location is None:
            return False
        city = (location.city or "").casefold()
        country = (location.country_name or "").casefold()
        for first, second in keys:
            if second is None and first in (city, country):
                return True
            if second is not None and (first, second) == (city, country):
                return True
        return False

    return match


def _locations(c: Criteria) -> Check | None:
    return _place_matches(c.query.locations) if c.query.locations else None


def _not_locations(c: Criteria) -> Check | None:
    if not c.query.not_locations:
        return None
    match = _place_matches(c.query.not_locations)
    return lambda e: not match(e)


_CHECKS: dict[str, Callable[[Criteria], Check | None]] = {
    "actions": _actions,
    "not_actions": _not_actions,
    "actors": _actors,
    "not_actors": _not_actors,
    "ips": _ips,
    "not_ips": _not_ips,
    "products": _products,
    "not_products": _not_products,
    "locations": _locations,
    "not_locations": _not_locations,
}
ALL_TERMS = tuple(_CHECKS)


def searchable_text(event: AuditEvent) -> str:
    """The lower-cased text free-text terms are looked for in: the message, the action, the actor,
    the address and place, and every attribute value of what the event touched."""
    parts: list[str] = [event.action, event.actor.id, event.actor.name or "", event.actor.email or ""]
    if event.message and event.message.content:
        parts.append(event.message.content)
    location = event.attributes.location
    if location is not None:
        parts.extend(v for v in (location.ip, location.city, location.region_name, location.country_name) if v)
    for item in (*event.context, *event.container):
        parts.extend(str(v) for v in (item.attributes or {}).values() if isinstance(v, str | int | float))
        if item.id:
            parts.append(item.id)
    return "\n".join(parts).casefold()


def text_check(texts: Iterable[str]) -> Check | None:
    """Free text as alerts read it: every word of every term must appear (case-insensitively) in the event.

    The Admin API does not document what its ``q`` matches; the sandbox reads ``q`` over the same
    fields in its own code (``auditbot.sandbox.freetext``), so a subscription and a search over the
    sandbox agree, and a change to one reading shows up as a disagreement."""
    words = [w.casefold() for text in texts for w in text.split()]
    if not words:
        return None

    def check(event: AuditEvent) -> bool:
        text = searchable_text(event)
        return all(word in text for word in words)

    return check


@dataclass(frozen=True)
class Subscribed:
    """One subscription as the index sees it: an id and its resolved criteria."""

    id: str
    criteria: Criteria


class SubscriptionIndex:
    """Which subscriptions an event matches, at a cost that grows with the ones that could.

    Each subscription is filed under the most selective key its query has: its actions, else its
    actors, else its exact addresses; the rest (ranges, products, places, exclusions or free text
    only) are checked for every event. An event then meets only the subscriptions filed under its
    own action, actor or address, plus the unfiled ones, and each of those runs its full check.
    """

    def __init__(self, subscriptions: Iterable[Subscribed] = ()) -> None:
        self._checks: dict[str, Check] = {}
        self._by_action: dict[str, set[str]] = {}
        self._by_actor: dict[str, set[str]] = {}
        self._by_ip: dict[str, set[str]] = {}
        self._unfiled: set[str] = set()
        for subscription in subscriptions:
            self.add(subscription)

    def __len__(self) -> int:
        return len(self._checks)

    def add(self, subscription: Subscribed) -> None:
        self.remove(subscription.id)
        criteria = subscription.criteria
        checks = [c for c in (criteria.check(ALL_TERMS), text_check(criteria.query.text)) if c is not None]
        self._checks[subscription.id] = _all_of(checks)
        query = criteria.query
        if criteria.actions:
            keys, index = criteria.actions, self._by_action
        elif query.actors:
            keys, index = frozenset(query.actors), self._by_actor
        elif query.ips and not query.ip_networks:
            keys, index = frozenset(str(a) for a in query.ip_addresses), self._by_ip
        else:
            self._unfiled.add(subscription.id)
            return
        for key in keys:
            index.setdefault(key, set()).add(subscription.id)

    def remove(self, subscription_id: str) -> None:
        if self._checks.pop(subscription_id, None) is None:
            return
        self._unfiled.discard(subscription_id)
        for index in (self._by_action, self._by_actor, self._by_ip):
            for ids in index.values():
                ids.discard(subscription_id)

    def candidates(self, event: AuditEvent) -> set[str]:
        """The subscriptions worth checking for ``event`` (a superset of those it matches)."""
        found = set(self._unfiled)
        found.update(self._by_action.get(event.action, ()))
        for key in _actor_keys(event):
            found.update(self._by_actor.get(key, ()))
        if event.ip:
            found.update(self._by_ip.get(_canonical_ip(event.ip), ()))
        return found

    def matching(self, event: AuditEvent) -> list[str]:
        """Ids of the subscriptions ``event`` matches, sorted."""
        return sorted(s for s in self.candidates(event) if self._checks[s](event))


def _canonical_ip(text: str) -> str:
    try:
        return str(ip_address(text))
    except ValueError:
        return text


def _all_of(checks: list[Check]) -> Check:
    if not checks:
        return lambda event: True
    if len(checks) == 1:
        return checks[0]
    return lambda event: all(c(event) for c in checks)
