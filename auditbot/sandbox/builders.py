"""Builders for API-shaped event JSON, copying the shapes and quirks of real captured events.

Quirks kept on purpose (see tests/fixtures/spec/samples): ``time`` precision varies from event
to event (µs, ms or whole seconds), ``links`` values may be ``null`` on context items, some
events carry ``"relations": null``, and ``location`` is left out where real events leave it out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from auditbot.core.model import SYSTEM_ACTOR_ID
from auditbot.sandbox.data import City
from auditbot.sandbox.directory import ApiToken, Group, OrgDirectory, Person, Policy, Site, Space

Json = dict[str, Any]
Precision = Literal["us", "ms", "s"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ADMIN_UI = "https://admin.atlassian.com"
API = "https://api.atlassian.com"


def to_us(when: datetime) -> int:
    """Microseconds since the epoch."""
    return (when - _EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def truncate_us(us: int, precision: Precision) -> int:
    """``us`` cut down to what a timestamp of ``precision`` can say."""
    if precision == "ms":
        return us - us % 1_000
    if precision == "s":
        return us - us % 1_000_000
    return us


def format_time(us: int, precision: Precision) -> str:
    """An API timestamp: ``2021-04-03T06:12:11.117451Z``, ``…19.008Z`` or ``…18Z``."""
    when = from_us(us)
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    if precision == "us":
        return f"{text}.{when.microsecond:06d}Z"
    if precision == "ms":
        return f"{text}.{when.microsecond // 1000:03d}Z"
    return f"{text}Z"


class EventFactory:
    """Makes actors, context/container items and whole events for one org directory."""

    def __init__(self, directory: OrgDirectory) -> None:
        self.directory = directory
        self.org_id = directory.org_id

    # -- actors ---------------------------------------------------------------------------------

    def actor(self, person: Person, *, site: Site | None = None, token: ApiToken | None = None) -> Json:
        actor: Json = {
            "id": person.account_id,
            "name": person.name,
            "email": person.email,
            "links": self._user_links(person.account_id, site),
        }
        if token is not None:
            actor["auth"] = {"authType": "api-token", "tokenId": token.id, "tokenLabel": token.label}
        return actor

    def system_actor(self) -> Json:
        return {
            "name": "Atlassian Internal System",
            "email": "Atlassian Internal System",
            "links": self._user_links(SYSTEM_ACTOR_ID, None),
            "id": SYSTEM_ACTOR_ID,
        }

    @staticmethod
    def app_actor(app_id: str, name: str) -> Json:
        return {"id": app_id, "name": name, "email": "Atlassian app", "picture": None}

    # -- context and container items ------------------------------------------------------------

    def user_item(self, person: Person, site: Site | None = None) -> Json:
        return {
            "id": person.account_id,
            "type": "users",
            "attributes": {"name": person.email, "email": person.email, "accountType": "atlassian"},
            "links": self._user_links(person.account_id, site),
        }

    def group_item(self, group: Group, site: Site) -> Json:
        return {
            "id": group.id,
            "type": "groups",
            "attributes": {"name": group.name, "groupName": group.name},
            "links": {"alt": f"{site.host}/admin/s/{site.id}/groups/{group.id}", "self": None},
        }

    def org_item(self, *, domain: bool = False) -> Json:
        attributes: Json = {"name": self.directory.slug}
        if domain:
            attributes["domain"] = self.directory.domain
        return {"id": self.org_id, "type": "orgs", "attributes": attributes, "links": self._org_links()}

    def org_container(self) -> list[Json]:
        return [self.org_item()]

    @staticmethod
    def site_container(site: Site, **extra: str) -> list[Json]:
        attributes: Json = {"siteName": site.name, **extra, "siteHostName": site.host}
        alt = f"{site.host}/browse/{extra['issueKeyOrId']}" if "issueKeyOrId" in extra else site.host
        return [{"id": site.id, "type": "sites", "attributes": attributes, "links": {"alt": alt}}]

    def auth_policy_item(self, policy: Policy) -> Json:
        return {
            "id": policy.id,
            "type": "auth-policy",
            "attributes": {"name": policy.name, "domain": self.directory.domain},
            "links": {"alt": f"{ADMIN_UI}/o/{self.org_id}/authentication-policies/policy/{policy.id}", "self": None},
        }

    @staticmethod
    def org_policy_item(policy: Policy, status: str = "enabled") -> Json:
        return {
            "id": policy.id,
            "type": "org-policy",
            "attributes": {"name": policy.name, "type": policy.kind, "status": status},
            "links": {"alt": None, "self": None},
        }

    def directory_item(self) -> Json:
        return {
            "id": self.directory.scim_directory_id,
            "type": "directory",
            "attributes": {"name": "Identity provider directory"},
            "links": {"alt": None, "self": None},
        }

    @staticmethod
    def space_item(space: Space) -> Json:
        return {"id": space.id, "type": "space", "attributes": {"name": space.name, "key": space.key}}

    @staticmethod
    def location(city: City, ip: str) -> Json:
        return {"ip": ip, "countryName": city.country, "regionName": city.region, "city": city.name}

    # -- whole events ---------------------------------------------------------------------------

    def event(
        self,
        *,
        event_id: str,
        time_us: int,
        precision: Precision,
        processed_us: int,
        action: str,
        actor: Json,
        context: list[Json],
        container: list[Json],
        message: str,
        location: Json | None = None,
        relations: bool = False,
    ) -> Json:
        """One event as ``/events-stream`` serves it (``/events`` drops ``processedAt``)."""
        attributes: Json = {
            "time": format_time(time_us, precision),
            "processedAt": format_time(processed_us, "ms"),
            "action": action,
            "actor": actor,
            "context": context,
            "container": container,
        }
        if location is not None:
            attributes["location"] = location
        event: Json = {
            "id": event_id,
            "type": "events",
            "attributes": attributes,
            "links": {"self": f"{API}/admin/v1/orgs/{self.org_id}/events/{event_id}"},
        }
        if relations:
            event["relations"] = None
        event["message"] = {"content": message, "format": "simple"}
        return event

    # -- helpers --------------------------------------------------------------------------------

    def _user_links(self, user_id: str, site: Site | None) -> Json:
        scope = f"s/{site.id}" if site is not None else f"o/{self.org_id}"
        return {"alt": f"{ADMIN_UI}/{scope}/users/{user_id}", "self": f"{API}/users/{user_id}/manage/profile"}

    def _org_links(self) -> Json:
        return {"alt": f"{ADMIN_UI}/o/{self.org_id}", "self": f"{API}/admin/v1/orgs/{self.org_id}"}
