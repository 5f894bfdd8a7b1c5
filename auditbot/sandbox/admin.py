"""Recipes for what org admins, the provisioning service, apps and Atlassian's systems do."""

from __future__ import annotations

import random

from auditbot.sandbox.builders import Json
from auditbot.sandbox.data import MARKETPLACE_APPS
from auditbot.sandbox.directory import Person
from auditbot.sandbox.drafts import Draft, RecipeBase

PRODUCT_NAMES = {"software": "Jira", "service-desk": "Jira Service Management", "confluence": "Confluence"}


def _membership_text(added: bool, email: str, group: str) -> str:
    return f"Added {email} to {group} group" if added else f"Removed {email} from {group} group"


class AdminRecipes(RecipeBase):
    """Admin recipes act as an admin (near ``person``'s time zone) on ``person``."""

    def group_membership(self, rng: random.Random, person: Person) -> list[Draft]:
        admin, site, group = self.admin_near(rng, person), rng.choice(self.d.sites), rng.choice(self.d.groups)
        added = rng.random() < 0.72
        action = "user_added_to_group" if added else "user_removed_from_group"
        context = (self.f.group_item(group, site), self.f.user_item(person, site))
        where = self.where(rng, admin) if rng.random() < 0.3 else None
        text = _membership_text(added, person.email, group.name)
        return [Draft(0.0, action, self.f.actor(admin), text, context, self.site(site), where)]

    def product_access(self, rng: random.Random, person: Person) -> list[Draft]:
        admin, site = self.admin_near(rng, person), rng.choice(self.d.sites)
        product = rng.choice(site.products)
        granted = rng.random() < 0.8
        action = "user_granted_product_access" if granted else "user_revoked_product_access"
        text = f"{'Granted' if granted else 'Revoked'} {person.email} access to {PRODUCT_NAMES[product]} on {site.name}"
        item = (self.f.user_item(person, site),)
        return [Draft(0.0, action, self.f.actor(admin), text, item, self.site(site, product=product))]

    def users_viewed(self, rng: random.Random, person: Person) -> list[Draft]:
        admin = self.admin_near(rng, person)
        text = f"{admin.name} viewed organization users"
        return [
            Draft(0.0, "organization_users_viewed", self.f.actor(admin), text, (), self.org(), self.where(rng, admin))
        ]

    def invite(self, rng: random.Random, person: Person) -> list[Draft]:
        admin, site = self.admin_near(rng, person), rng.choice(self.d.sites)
        actor, item, container = self.f.actor(admin), (self.f.user_item(person, site),), self.site(site)
        sent = f"{admin.name} invited {person.email} to the organization."
        return [
            Draft(0.0, "user_invited", actor, f"Invited {person.email} to {site.name}", item, container),
            Draft(1.5, "user_invitation_sent", actor, sent, item, self.org()),
            Draft(2.0, "user_added_to_site", actor, f"Added {person.email} to site", item, container),
        ]

    def provisioning_token(self, rng: random.Random, person: Person) -> list[Draft]:
        service, site, group = self.d.service_account, rng.choice(self.d.sites), rng.choice(self.d.groups)
        token = next(t for t in self.d.tokens if t.label == "user-provisioning")
        context = (self.f.group_item(group, site), self.f.user_item(person, site))
        actor, where = self.f.actor(service, token=token), self.f.location(service.city, service.office_ip)
        text = _membership_text(True, person.email, group.name)
        return [Draft(0.0, "user_added_to_group", actor, text, context, self.site(site), where)]

    def group_change(self, rng: random.Random, person: Person) -> list[Draft]:
        admin, site, group = self.admin_near(rng, person), rng.choice(self.d.sites), rng.choice(self.d.groups)
        action, verb = ("group_created", "Created") if rng.random() < 0.4 else ("group_updated", "Updated")
        item = (self.f.group_item(group, site),)
        return [Draft(0.0, action, self.f.actor(admin), f"{verb} {group.name} group", item, self.site(site))]

    def removed_from_site(self, rng: random.Random, person: Person) -> list[Draft]:
        admin, site = self.admin_near(rng, person), rng.choice(self.d.sites)
        text, item = f"Removed {person.email} from site", (self.f.user_item(person, site),)
        return [Draft(0.0, "user_removed_from_site", self.f.actor(admin), text, item, self.site(site))]

    def token_housekeeping(self, rng: random.Random, person: Person) -> list[Draft]:
        admin = self.admin_near(rng, person)
        created = rng.random() < 0.5
        action = "api_token_created" if created else "api_token_revoked"
        text = "Created admin API key" if created else "Revoked admin API key"
        return [Draft(0.0, action, self.f.actor(admin), text, (), self.org(), self.where(rng, admin))]

    def org_policy_change(self, rng: random.Random, person: Person) -> list[Draft]:
        admin, policy = self.admin_near(rng, person), rng.choice(self.d.org_policies)
        action, verb = rng.choice((("policy_updated", "Updated"), ("policy_enforced", "Enforced")))
        item, where = (self.f.org_policy_item(policy),), self.where(rng, admin)
        return [Draft(0.0, action, self.f.actor(admin), f"{verb} policy {policy.name}", item, self.org(), where)]

    def domain_check(self, rng: random.Random, person: Person) -> list[Draft]:
        """Atlassian re-verifying the org's domain, as the system actor."""
        item, text = (self.f.org_item(domain=True),), f"Verified {self.d.domain} domain"
        return [Draft(0.0, "domain_verification_completed", self.f.system_actor(), text, item, self.org())]

    def app_installed(self, rng: random.Random, person: Person) -> list[Draft]:
        admin, site = self.admin_near(rng, person), rng.choice(self.d.sites)
        app, vendor = rng.choice(MARKETPLACE_APPS)
        item = {"id": f"{rng.getrandbits(64):016x}", "type": "apps", "attributes": {"name": app, "vendor": vendor}}
        actor, where = self.f.actor(admin, site=site), self.where(rng, admin)
        text = f"{admin.name} installed {app}."
        return [Draft(0.0, "marketplace_app_installed", actor, text, (item,), self.site(site), where)]

    def audit_export(self, rng: random.Random, person: Person) -> list[Draft]:
        admin = self.admin_near(rng, person)
        where = self.where(rng, admin)
        return [Draft(0.0, "export_audit_log", self.f.actor(admin), "Exported audit log", (), self.org(), where)]

    def app_restriction(self, rng: random.Random, person: Person) -> list[Draft]:
        site = rng.choice(self.wiki_sites)
        item = {"id": site.id, "type": "sites", "attributes": {"siteName": site.name}}
        actor, text = (
            self.f.app_actor("confluence", "Confluence"),
            f"Confluence removed content restriction on {site.name}",
        )
        action = "confluence_audit_record_removed_content_restriction"
        return [Draft(0.0, action, actor, text, (item,), self.site(site, product="confluence"))]

    # -- Atlassian's own systems ----------------------------------------------------------------

    def scim_sync(self, rng: random.Random) -> list[Draft]:
        """An identity-provider sync run by the system actor, with the changes it made."""
        system, directory = self.f.system_actor(), (self.f.directory_item(),)
        start = "Started automatic sync from identity provider"
        drafts = [Draft(0.0, "scim_auto_sync_initiated", system, start, directory, self.org())]
        offset = 2.0
        for _ in range(rng.randint(0, 3)):
            offset += rng.uniform(1, 20)
            drafts.append(self._scim_change(rng, system, offset))
        done = f"Completed automatic sync from identity provider: {len(drafts) - 1} changes"
        drafts.append(
            Draft(offset + rng.uniform(5, 60), "scim_auto_sync_complete", system, done, directory, self.org())
        )
        return drafts

    def _scim_change(self, rng: random.Random, system: Json, offset: float) -> Draft:
        person, site, group = rng.choice(self.d.people), rng.choice(self.d.sites), rng.choice(self.d.groups)
        kind = rng.random()
        if kind < 0.5:
            text, item = f"Updated {person.email} from identity provider", (self.f.user_item(person),)
            return Draft(offset, "scim_user_update", system, text, item, self.org())
        added = kind < 0.85
        action = "scim_group_add_member" if added else "scim_group_remove_member"
        text = f"{_membership_text(added, person.email, group.name)} from identity provider"
        context = (self.f.group_item(group, site), self.f.user_item(person, site))
        return Draft(offset, action, system, text, context, self.org())

    def system_rare(self, rng: random.Random) -> list[Draft]:
        """Now and then: a managed account deactivated, or a release-track bundle (with an empty message)."""
        system = self.f.system_actor()
        if rng.random() < 0.5:
            person = rng.choice(self.d.people)
            text, item = f"Deactivated managed account {person.email}", (self.f.user_item(person),)
            return [Draft(0.0, "managed_account_deactivated", system, text, item, self.org())]
        site = rng.choice(self.d.sites)
        return [Draft(0.0, "release_track_bundle_released", system, "", (), self.site(site))]
