"""The people, channels and first messages a fresh workspace starts with.

A handful of people in different time zones, a public alert channel the bot is in, a public
channel it is not in (to join), a private channel with it and one without it, a DM with it,
and a Slack Connect channel shared with a partner organization. The seeded messages carry the
things "Investigate in audit log" extracts: emails, IP addresses, an event id and an admin link.

``MESSAGES`` are generic; ``messages(...)`` tells the story of an org's woven-in incidents with the
people, addresses and event ids the org really has, so that the shortcut finds them (the demo's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from auditbot.playground.model import Channel, Team, User

TEAM = Team(id="T0PLAYGND", name="Playground", domain="playground")
APP_ID = "A0AUDITBOT"
BOT_USER_ID = "U0AUDITBOT"
BOT_ID = "B0AUDITBOT"
BOT = User(id=BOT_USER_ID, name="auditbot", real_name="auditbot", tz="America/Los_Angeles", is_bot=True, bot_id=BOT_ID)

JANE = "U01JANEDOE"
RAVI = "U02RAVIKMR"
MAYA = "U03MAYACHN"
TOMAS = "U04TOMASSV"

PEOPLE = (
    User(id=JANE, name="jane", real_name="Jane Doe", tz="Europe/Berlin", email="jane@example.com", is_admin=True),
    User(id=RAVI, name="ravi", real_name="Ravi Kumar", tz="Asia/Kolkata", email="ravi@example.com"),
    User(id=MAYA, name="maya", real_name="Maya Chen", tz="America/Los_Angeles", email="maya@example.com"),
    User(id=TOMAS, name="tomas", real_name="Tomás Silva", tz="America/Sao_Paulo", email="tomas@example.com"),
)
EVERYONE = frozenset(person.id for person in PEOPLE)

SEC_ALERTS = "C0SECALERT"
IT_OPS = "C0ITOPS001"
INCIDENTS = "C0INCIDENT"
HR_PRIVATE = "C0HRPRIVAT"
PARTNER = "C0EXTACME1"
JANE_DM = "D0JANEBOT1"

CHANNELS = (
    Channel(id=SEC_ALERTS, name="sec-alerts", members=EVERYONE | {BOT_USER_ID}, topic="Audit-log alerts"),
    Channel(id=IT_OPS, name="it-ops", members=EVERYONE, topic="IT operations"),
    Channel(id=INCIDENTS, name="incident-response", members=frozenset({JANE, RAVI, BOT_USER_ID}), is_private=True),
    Channel(id=HR_PRIVATE, name="hr-private", members=frozenset({JANE, MAYA}), is_private=True),
    Channel(
        id=PARTNER,
        name="ext-acme-security",
        members=frozenset({JANE, TOMAS, BOT_USER_ID}),
        is_shared=True,
        is_ext_shared=True,
        topic="Shared with Acme Corp",
    ),
    Channel(id=JANE_DM, name=JANE, members=frozenset({JANE, BOT_USER_ID}), is_im=True, im_user=JANE),
)

MESSAGES = (
    (SEC_ALERTS, RAVI, "Morning all. Anyone else seeing logins to admin.atlassian.com from 203.0.113.7?"),
    (
        SEC_ALERTS,
        JANE,
        "jane@example.com here: that was not me. Also odd: maya@example.com was added to site-admins last night, "
        "event 25e4c3e7-7f0d-4b84-8028-330fed144a51 (https://admin.atlassian.com/o/example/audit-log).",
    ),
    (INCIDENTS, JANE, "Opening INC-42: possible API token leak, source 198.51.100.2."),
    (IT_OPS, MAYA, "Reminder: the SSO change window is tonight, 22:00 UTC."),
)
"""(channel, author, text) posted in order when a seeded workspace starts."""


class IncidentFacts(Protocol):
    """What a seeded message can say about a woven-in incident (the sandbox's ``Incident`` has these)."""

    @property
    def name(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def target(self) -> str | None: ...
    @property
    def ip(self) -> str | None: ...
    @property
    def key_event_id(self) -> str: ...


Message = tuple[str, str, str]


def messages(incidents: Sequence[IncidentFacts], org_id: str) -> tuple[Message, ...]:
    """The first messages for an org with these incidents: each names who, from where and which event,
    as people in a security channel would; incidents the org lacks are left out."""
    by_name = {incident.name: incident for incident in incidents}
    said: list[Message] = []
    if (burst := by_name.get("failed_login_burst")) and burst.ip:
        said.append(
            (SEC_ALERTS, RAVI, f"Morning all. Anyone else seeing failed logins for {burst.actor} from {burst.ip}?")
        )
    if grant := by_name.get("admin_granted_at_night"):
        said.append(
            (
                SEC_ALERTS,
                JANE,
                f"Also odd: {grant.actor} made {grant.target or 'someone'} an org admin in the middle of the night, "
                f"event {grant.key_event_id} (https://admin.atlassian.com/o/{org_id}/audit-log).",
            )
        )
    if (token := by_name.get("api_token_unusual_ip")) and token.ip:
        said.append(
            (
                INCIDENTS,
                JANE,
                f"Opening INC-42: possible API key leak. A key {token.actor} created was used from {token.ip}.",
            )
        )
    if policy := by_name.get("auth_policy_deleted"):
        said.append(
            (
                IT_OPS,
                MAYA,
                "Reminder: the SSO change window is tonight, 22:00 UTC. Was deleting the contractors policy "
                f"part of it? {policy.actor} did, event {policy.key_event_id}.",
            )
        )
    if (login := by_name.get("user_impersonation")) and login.target:
        said.append(
            (IT_OPS, TOMAS, f"Did anyone ask {login.actor} to log in as {login.target}? Event {login.key_event_id}")
        )
    return tuple(said)
