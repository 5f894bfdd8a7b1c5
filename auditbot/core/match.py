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

    def matches(self, event: AuditEvent) -> bool:
        """Every term but free text and the time window."""
        check = self.check(ALL_TERMS)
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
