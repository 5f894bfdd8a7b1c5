"""The sandbox org's cast: people, admins, groups, sites, policies and tokens, derived from a seed.

``build_directory(seed)`` always returns the same org for the same seed. It holds no events; the
generator draws actors and objects from it.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass, replace

from auditbot.sandbox.data import (
    API_TOKEN_LABELS,
    CONFLUENCE_SPACES,
    FIRST_NAMES,
    GROUP_NAMES,
    HOME_CITIES,
    LAST_NAMES,
    ORG_NAMES,
    SERVICE_ACCOUNT_NAME,
    City,
)

DOMAIN = "example.com"
CONTRACTOR_DOMAIN = "example.org"


@dataclass(frozen=True)
class Person:
    account_id: str
    name: str
    email: str
    city: City
    office_ip: str
    home_ip: str
    activity: float
    """Relative chance of being the actor of a human event."""
    is_admin: bool = False


@dataclass(frozen=True)
class Group:
    id: str
    name: str


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    products: tuple[str, ...]
    """Product keys as they appear in container attributes (``software``, ``confluence``…)."""

    @property
    def host(self) -> str:
        return f"https://{self.name}.atlassian.net"


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    kind: str


@dataclass(frozen=True)
class ApiToken:
    id: str
    label: str
    owner: Person


@dataclass(frozen=True)
class Space:
    id: str
    key: str
    name: str


@dataclass(frozen=True)
class OrgDirectory:
    seed: int
    org_id: str
    org_name: str
    domain: str
    people: tuple[Person, ...]
    admins: tuple[Person, ...]
    service_account: Person
    groups: tuple[Group, ...]
    sites: tuple[Site, ...]
    auth_policies: tuple[Policy, ...]
    org_policies: tuple[Policy, ...]
    tokens: tuple[ApiToken, ...]
    spaces: tuple[Space, ...]
    scim_directory_id: str

    @property
    def slug(self) -> str:
        return self.org_name.split()[0].lower()

    def people_in(self, city: City) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.city == city)


def org_id_for_seed(seed: int) -> str:
    """The org id (a UUID) that every sandbox built from ``seed`` uses."""
    return str(uuid.UUID(bytes=hashlib.sha256(f"auditbot-sandbox-org:{seed}".encode()).digest()[:16], version=4))


def random_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def account_id(rng: random.Random) -> str:
    """An Atlassian account id in one of the two shapes real events show."""
    if rng.random() < 0.55:
        return f"{rng.getrandbits(96):024x}"
    prefix = "557058" if rng.random() < 0.5 else "712020"
    return f"{prefix}:{random_uuid(rng)}"


def build_directory(seed: int, people: int = 320) -> OrgDirectory:
    rng = random.Random(f"auditbot-sandbox-directory:{seed}")
    org_name = rng.choice(ORG_NAMES)
    slug = org_name.split()[0].lower()
    cast = _people(rng, people)
    admin_idx = rng.sample(range(len(cast)), 5)
    cast = [replace(p, is_admin=True) if i in admin_idx else p for i, p in enumerate(cast)]
    admins = tuple(cast[i] for i in admin_idx)
    service = Person(
        account_id=account_id(rng),
        name=SERVICE_ACCOUNT_NAME,
        email=f"svc-provisioning@{DOMAIN}",
        city=HOME_CITIES[0],
        office_ip=f"{HOME_CITIES[0].net}.5",
        home_ip=f"{HOME_CITIES[0].net}.5",
        activity=0.0,
    )
    sites = (
        Site(random_uuid(rng), slug, ("software", "confluence")),
        Site(random_uuid(rng), f"{slug}-eng", ("software", "confluence")),
        Site(random_uuid(rng), f"{slug}-support", ("service-desk", "confluence")),
        Site(random_uuid(rng), f"{slug}-sandbox", ("software",)),
    )
    return OrgDirectory(
        seed=seed,
        org_id=org_id_for_seed(seed),
        org_name=org_name,
        domain=DOMAIN,
        people=tuple(cast),
        admins=admins,
        service_account=service,
        groups=tuple(Group(random_uuid(rng), name) for name in GROUP_NAMES),
        sites=sites,
        auth_policies=tuple(
            Policy(random_uuid(rng), name, "auth-policy") for name in ("default", "contractors", "sso-enforced")
        ),
        org_policies=(
            Policy(random_uuid(rng), "global-realm-policy", "data-residency"),
            Policy(random_uuid(rng), "ip-allowlist", "ip-allowlist"),
            Policy(random_uuid(rng), "mobile-app-policy", "mobile-app"),
        ),
        tokens=tuple(ApiToken(random_uuid(rng), label, rng.choice(admins)) for label in API_TOKEN_LABELS),
        spaces=tuple(Space(str(rng.randint(100_000, 9_999_999)), key, name) for key, name in CONFLUENCE_SPACES),
        scim_directory_id=random_uuid(rng),
    )


def _people(rng: random.Random, count: int) -> list[Person]:
    weights = [c.weight for c in HOME_CITIES]
    seen: set[str] = set()
    result: list[Person] = []
    while len(result) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower().replace("'", "")
        if local in seen:
            continue
        seen.add(local)
        city = rng.choices(HOME_CITIES, weights)[0]
        contractor = rng.random() < 0.08
        result.append(
            Person(
                account_id=account_id(rng),
                name=f"{first} {last}",
                email=f"{local}@{CONTRACTOR_DOMAIN if contractor else DOMAIN}",
                city=city,
                office_ip=f"{city.net}.{10 + HOME_CITIES.index(city) * 3 + rng.randrange(3)}",
                home_ip=_home_ip(rng, city),
                activity=rng.lognormvariate(0.0, 0.6),
            )
        )
    return result


def _home_ip(rng: random.Random, city: City) -> str:
    if rng.random() < 0.15:
        return f"2001:db8:{HOME_CITIES.index(city) + 1:x}:{rng.randrange(1, 0xFFFF):x}::{rng.randrange(1, 0xFFFF):x}"
    return f"{city.net}.{rng.randrange(40, 200)}"
