"""Recipes for what the org's people do themselves: log in, view issues, change passwords…"""

from __future__ import annotations

import random

from auditbot.sandbox.builders import Json
from auditbot.sandbox.data import JIRA_PROJECTS
from auditbot.sandbox.directory import Person
from auditbot.sandbox.drafts import Draft, RecipeBase


class PeopleRecipes(RecipeBase):
    """Each recipe acts as ``person`` and returns the drafts of one activity."""

    def issue_view(self, rng: random.Random, person: Person, offset: float, where: Json) -> Draft:
        site = rng.choice(self.jira_sites)
        key = f"{rng.choice(JIRA_PROJECTS)}-{rng.randint(1, 4_000)}"
        product = "software" if "software" in site.products else "service-desk"
        container = self.site(site, product=product, issueId=str(rng.randint(10_000, 400_000)), issueKeyOrId=key)
        actor = self.f.actor(person, site=site)
        return Draft(offset, "jira_issue_viewed", actor, f"Viewed Jira issue {key}", (), container, where)

    def session(self, rng: random.Random, person: Person) -> list[Draft]:
        where, actor = self.where(rng, person), self.f.actor(person)
        drafts = [Draft(0.0, "user_login", actor, f"{person.name} logged in", location=where)]
        offset = 0.0
        for _ in range(rng.choice((0, 0, 0, 0, 0, 1, 1, 2))):
            offset += rng.uniform(20, 400)
            drafts.append(self.issue_view(rng, person, offset, where))
        if rng.random() < 0.3:
            offset += rng.uniform(60, 600)
            drafts.append(Draft(offset, "user_logout", actor, f"{person.name} logged out", location=where))
        return drafts

    def issue_views(self, rng: random.Random, person: Person) -> list[Draft]:
        where = self.where(rng, person)
        return [self.issue_view(rng, person, i * rng.uniform(30, 300), where) for i in range(rng.randint(1, 2))]

    def failed_login(self, rng: random.Random, person: Person) -> list[Draft]:
        where, actor = self.where(rng, person), self.f.actor(person)
        fails = rng.randint(1, 2)
        text = f"{person.name} failed to log in"
        drafts = [Draft(i * rng.uniform(5, 40), "user_login_failed", actor, text, location=where) for i in range(fails)]
        if rng.random() < 0.85:
            drafts.append(Draft(fails * 45.0, "user_login", actor, f"{person.name} logged in", location=where))
        return drafts

    def logout(self, rng: random.Random, person: Person) -> list[Draft]:
        where = self.where(rng, person)
        return [Draft(0.0, "user_logout", self.f.actor(person), f"{person.name} logged out", location=where)]

    def profile_viewed(self, rng: random.Random, person: Person) -> list[Draft]:
        other = rng.choice(self.d.people)
        text, item = f"Viewed profile of {other.email}", (self.f.user_item(other),)
        return [Draft(0.0, "user_profile_viewed", self.f.actor(person), text, item, (), self.where(rng, person))]

    def password_change(self, rng: random.Random, person: Person) -> list[Draft]:
        item = (self.f.user_item(person),)
        return [
            Draft(0.0, "password_change", self.f.actor(person), "Changed password", item, (), self.where(rng, person))
        ]

    def password_reset(self, rng: random.Random, person: Person) -> list[Draft]:
        where, actor, item = self.where(rng, person), self.f.actor(person), (self.f.user_item(person),)
        text = f"Requested a password reset for {person.email}"
        done = rng.uniform(60, 900)
        return [
            Draft(0.0, "password_reset_request", actor, text, item, (), where),
            Draft(done, "password_reset_complete", actor, "Completed password reset", item, (), where),
        ]

    def detail_change(self, rng: random.Random, person: Person) -> list[Draft]:
        text, item = f"Changed details for {person.email}", (self.f.user_item(person),)
        return [Draft(0.0, "user_detail_change", self.f.actor(person), text, item, self.org())]

    def twosv_enabled(self, rng: random.Random, person: Person) -> list[Draft]:
        text, item = f"Enabled two-step verification for {person.email}", (self.f.user_item(person),)
        where = self.where(rng, person)
        return [Draft(0.0, "twosv_enabled_for_user", self.f.actor(person), text, item, self.org(), where)]

    def space_permission(self, rng: random.Random, person: Person) -> list[Draft]:
        site, space = rng.choice(self.wiki_sites), rng.choice(self.d.spaces)
        permission = rng.choice(("Add Pages", "Add Comments", "Export Space", "Delete Pages"))
        site_item = {
            "id": site.id,
            "type": "sites",
            "attributes": {"siteName": site.name, "siteHostName": site.host, "permissionName": permission},
        }
        context = (site_item, self.f.space_item(space))
        text = f"{person.name} added Confluence space permission {permission} on {space.name}"
        actor, container = self.f.actor(person, site=site), self.site(site, product="confluence")
        return [
            Draft(0.0, "confluence_added_space_permission", actor, text, context, container, self.where(rng, person))
        ]
