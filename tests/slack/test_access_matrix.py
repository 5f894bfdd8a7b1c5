"""The authorization matrix: every entry point x person x place, through the real app and the access guard.

Policy under test: Jane is an admin, Maya a viewer, Ravi nobody; auditbot answers in #sec-alerts and in
DMs, and #ext-acme-security is listed but shared with another organization while shared channels are
off. Expected outcomes come from those rules (``expected``), not from the policy code. An allowed
request must do its work; a denied one must do nothing but deliver the polite message: no Admin API
call, no post, no view with data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_bolt import BoltResponse

from auditbot.core.access import DENIED_MESSAGE, UNAVAILABLE_MESSAGE, AccessPolicy, Decision, Permission, Place
from auditbot.core.access import PlaceKind as K
from auditbot.playground import seed
from auditbot.sandbox import GeneratedOrg
from auditbot.slack import ids
from auditbot.slack.directory import LookupFailed, SlackDirectory, SlackUserGroups, UserGroups, kind_from_info
from auditbot.slack.middleware.guard import access_guard
from auditbot.slack.payloads import Who
from tests.slack.harness import SlackWorld, signed
from tests.slack.test_app import buttons

JANE, MAYA, RAVI = seed.JANE, seed.MAYA, seed.RAVI
ROLE = {JANE: "admin", MAYA: "viewer", RAVI: "other"}
PLACES = ("allowed", "other", "dm", "shared")
POLICY = AccessPolicy(viewers=(MAYA,), admins=(JANE,), channels=(seed.SEC_ALERTS, seed.PARTNER))
FORM = {ids.FORM_ACTIONS: {ids.FORM_ACTIONS: {"selected_options": [{"value": "user_login_failed"}]}}}
QUICK_QUERY = "action:user_login_failed last:24h"
WATCHED = ("chat.postMessage", "chat.update", "views.open", "views.push", "views.update", "views.publish")


def expected(person: str, place: str | None, permission: Permission) -> bool:
    """The rules, restated: viewers search and share, only admins export or administer, and only in the
    allowed channel, a DM, or nowhere in particular (shortcut, modal, App Home)."""
    role = ROLE[person]
    if role == "other" or (permission in (Permission.EXPORT, Permission.ADMIN) and role != "admin"):
        return False
    return place in (None, "allowed", "dm")


@dataclass
class Setup:
    world: SlackWorld
    decisions: list[tuple[Decision, Who, Place, Permission, str, str | None]]
    values: dict[str, str] = field(default_factory=dict)
    event_id: str = ""

    def channel(self, place: str, person: str) -> str:
        named = {"allowed": seed.SEC_ALERTS, "other": seed.IT_OPS, "shared": seed.PARTNER}
        return named[place] if place in named else self.world.workspace.directory.dm_with(person).id


def text_of(thing: Any) -> str:
    return json.dumps(thing, ensure_ascii=False)


class Late:
    """The world's lookups, which can only be built once the world (and its Slack client) exists."""

    directory: SlackDirectory | None = None
    groups: UserGroups | None = None

    def kind_of(self, channel_id: str) -> K:
        assert self.directory is not None
        return self.directory.kind_of(channel_id)

    def groups_of(self, user_id: str) -> frozenset[str]:
        return self.groups.groups_of(user_id) if self.groups else frozenset()


def guarded_world(
    org: GeneratedOrg,
    policy: AccessPolicy,
    *,
    groups: UserGroups | Callable[[SlackWorld], UserGroups] | None = None,
) -> tuple[SlackWorld, list[Any]]:
    """A world whose app runs ``access_guard``; ``groups`` may be built from the world (its Slack client)."""
    decisions: list[Any] = []
    late = Late()
    guard = access_guard(policy, late, groups=late, on_decision=lambda *args: decisions.append(args))
    world = SlackWorld(org, middleware=[guard])
    late.directory = SlackDirectory(world.client, timer=world.clock.monotonic)
    late.groups = groups(world) if callable(groups) else groups
    world.command("help", user=seed.TOMAS)
    assert decisions, "the guard sees every request"
    decisions.clear()
    return world, decisions


@pytest.fixture(scope="module")
def setup(org: GeneratedOrg) -> Iterator[Setup]:
    world, decisions = guarded_world(org, POLICY)
    try:
        s = Setup(world, decisions)
        world.command("action:user_login last:7d", user=JANE)
        first = buttons(world.last_reply())
        world.click(ids.PAGE_NEXT, first[ids.PAGE_NEXT], user=JANE)
        second = buttons(world.last_reply())
        world.click(ids.PAGE_NEXT, second[ids.PAGE_NEXT], user=JANE)
        third = buttons(world.last_reply())
        s.values = {**third, **second, **first, ids.HOME_QUICK_QUERY: QUICK_QUERY, ids.OPEN_SEARCH_FORM: ""}
        assert set(ids.BLOCK_ACTIONS) <= set(s.values), sorted(s.values)
        s.event_id = first[ids.EVENT_DETAILS]
        decisions.clear()
        yield s
    finally:
        world.close()


# -- entry points ------------------------------------------------------------------------------------

Run = Callable[[Setup, str, str | None], BoltResponse]


@dataclass(frozen=True)
class Entry:
    name: str
    permission: Permission
    run: Run
    has_place: bool = True
    deny_via: str = "reply"
    """How a denial reaches the person: reply (response_url), body (the ack), modal (views.open), home."""
    home_button: bool = False


def _command(text: str | Callable[[Setup], str]) -> Run:
    def run(s: Setup, person: str, channel: str | None) -> BoltResponse:
        assert channel is not None
        return s.world.command(text(s) if callable(text) else text, user=person, channel=channel)

    return run


def _click(action_id: str) -> Run:
    def run(s: Setup, person: str, channel: str | None) -> BoltResponse:
        if channel is None:
            return s.world.click(action_id, s.values[action_id], user=person, container="view")
        return s.world.click(action_id, s.values[action_id], user=person, channel=channel)

    return run


def _button_permission(action_id: str) -> Permission:
    return {ids.SHARE_PAGE: Permission.SHARE, ids.EXPORT_CSV: Permission.EXPORT}.get(action_id, Permission.SEARCH)


HOME_BUTTONS = (ids.HOME_QUICK_QUERY, ids.OPEN_SEARCH_FORM)
ENTRIES = [
    Entry("command search", Permission.SEARCH, _command("action:user_login_failed last:3d"), deny_via="body"),
    Entry("command event", Permission.SEARCH, _command(lambda s: f"event {s.event_id}"), deny_via="body"),
    Entry("command actions", Permission.SEARCH, _command("actions login"), deny_via="body"),
    Entry("command help", Permission.SEARCH, _command("help"), deny_via="body"),
    Entry("command bot-log", Permission.ADMIN, _command("bot-log"), deny_via="body"),
    *(
        Entry(
            f"button {a}",
            _button_permission(a),
            _click(a),
            has_place=a not in HOME_BUTTONS,
            deny_via="modal" if a in HOME_BUTTONS else "reply",
            home_button=a in HOME_BUTTONS,
        )
        for a in ids.BLOCK_ACTIONS
    ),
    Entry(
        "message shortcut",
        Permission.SEARCH,
        lambda s, person, channel: s.world.message_shortcut(
            "who is maya@example.com, seen from 203.0.113.7?", user=person, channel=channel or ""
        ),
    ),
    Entry(
        "global shortcut",
        Permission.SEARCH,
        lambda s, p, c: s.world.global_shortcut(user=p),
        has_place=False,
        deny_via="modal",
    ),
    Entry("form submission", Permission.SEARCH, lambda s, p, c: s.world.submit_form(FORM, user=p), False, "body"),
    Entry("options load", Permission.SEARCH, lambda s, p, c: s.world.options("login", user=p), False, "body"),
    Entry("App Home", Permission.SEARCH, lambda s, p, c: s.world.home_opened(user=p), False, "home"),
]

CASES = [
    pytest.param(entry, person, place, id=f"{entry.name}-{ROLE[person]}-{place or 'nowhere'}")
    for entry in ENTRIES
    for person in ROLE
    for place in (PLACES if entry.has_place else (None,))
]


@dataclass(frozen=True)
class Snapshot:
    api_requests: int
    replies: int
    files: int
    calls: dict[str, int]

    @classmethod
    def of(cls, world: SlackWorld) -> Snapshot:
        return cls(
            world.search_world.client.stats.requests,
            len(world.replies()),
            len(world.workspace.files),
            {method: len(world.calls(method)) for method in WATCHED},
        )

    def new_calls(self, world: SlackWorld, method: str) -> list[dict[str, Any]]:
        return world.calls(method)[self.calls[method] :]


@pytest.mark.parametrize(("entry", "person", "place"), CASES)
def test_authorization_matrix(setup: Setup, entry: Entry, person: str, place: str | None):
    world = setup.world
    channel = setup.channel(place, person) if place else None
    before = Snapshot.of(world)
    setup.decisions.clear()
    response = entry.run(setup, person, channel)
    assert response.status == 200

    decision, who, where, permission, _kind, _text = setup.decisions[-1]
    assert len(setup.decisions) == 1
    assert (who.user_id, where.channel_id, permission) == (person, channel, entry.permission)
    allowed = expected(person, place, entry.permission)
    assert decision.allowed is allowed, decision.reason
    if allowed:
        did_its_work(setup, entry, person, channel, before, response)
    else:
        did_nothing_but_say_no(world, entry, person, before, response)


def did_its_work(s: Setup, entry: Entry, person: str, channel: str | None, before: Snapshot, response: BoltResponse):
    world = s.world
    replies = world.replies()[before.replies :]
    assert DENIED_MESSAGE not in text_of(replies) + str(response.body)
    opened = [c["view"] for c in before.new_calls(world, "views.open")]
    posted = before.new_calls(world, "chat.postMessage")
    match entry.name:
        case "command event" | "button event_details":
            assert [v["callback_id"] for v in opened] == [ids.EVENT_DETAIL]
        case "global shortcut" | "button open_search_form":
            assert [v["callback_id"] for v in opened] == [ids.SEARCH_FORM]
        case "button share_page":
            assert [p["channel"] for p in posted] == [channel]
            assert "Shared in this channel" in text_of(replies)
        case "button export_csv":
            assert len(world.workspace.files) == before.files + 1
        case "button home_quick_query" | "form submission":
            assert [p["channel"] for p in posted] == [person]
        case "options load":
            assert json.loads(str(response.body))[
                "option_groups" if "option_groups" in str(response.body) else "options"
            ]
        case "App Home":
            published = before.new_calls(world, "views.publish")
            assert len(published) == 1 and ids.HOME_QUICK_QUERY in text_of(published[0]["view"])
        case name if name.startswith("button page_"):
            assert replies and replies[-1]["replace_original"] is True
        case _:
            assert replies, "the command or shortcut answered"
            assert replies[-1].get("response_type", "ephemeral") == "ephemeral"


def did_nothing_but_say_no(world: SlackWorld, entry: Entry, person: str, before: Snapshot, response: BoltResponse):
    assert world.search_world.client.stats.requests == before.api_requests, "no Admin API call"
    assert len(world.workspace.files) == before.files
    for method in ("chat.postMessage", "chat.update", "views.update", "views.push"):
        assert before.new_calls(world, method) == [], method
    replies = world.replies()[before.replies :]
    opened = [c["view"] for c in before.new_calls(world, "views.open")]
    published = before.new_calls(world, "views.publish")
    body = str(response.body)
    match entry.deny_via:
        case "reply":
            assert len(replies) == 1 and DENIED_MESSAGE in text_of(replies[0])
            assert replies[0]["response_type"] == "ephemeral" and replies[0]["replace_original"] is False
        case "body" if entry.name.startswith("command"):
            assert json.loads(body) == {"response_type": "ephemeral", "text": DENIED_MESSAGE}
        case "body" if entry.name == "options load":
            assert json.loads(body) == {"options": []}
        case "body":
            answer = json.loads(body)
            assert answer["response_action"] == "update" and DENIED_MESSAGE in text_of(answer["view"])
        case "modal":
            assert len(opened) == 1 and DENIED_MESSAGE in text_of(opened[0])
            opened = []
        case "home":
            assert len(published) == 1 and published[0]["user_id"] == person
            assert DENIED_MESSAGE in text_of(published[0]["view"]) and ids.HOME_QUICK_QUERY not in text_of(published)
            published = []
    if entry.deny_via != "body":
        assert body == ""
    assert entry.deny_via == "reply" or replies == []
    assert opened == [] and published == [], "no view opened or published"


def test_the_matrix_covers_every_entry_point():
    names = {entry.name for entry in ENTRIES}
    assert {f"button {a}" for a in ids.BLOCK_ACTIONS} <= names
    assert len(CASES) == (5 + 6 + 1) * 3 * 4 + (2 + 4) * 3


def test_a_button_on_a_shared_message_clicked_by_an_outsider_discloses_nothing(setup: Setup):
    """A shared page is a snapshot; whatever button reaches the channel with it (its own, or the state of the
    page it came from), an outsider clicking it gets the denial and not one detail of the events."""
    world = setup.world
    world.click(ids.SHARE_PAGE, setup.values[ids.SHARE_PAGE], user=MAYA)
    shared = world.workspace.messages(seed.SEC_ALERTS)[-1]
    page_text = text_of(shared.blocks)
    emails = set(re.findall(r"[\w.+-]+@example\.com", page_text))
    assert emails, "the shared page shows event data"
    clickable = {**setup.values, **buttons({"blocks": shared.blocks})}
    for action_id in (ids.EVENT_DETAILS, ids.PAGE_NEXT, ids.SHARE_PAGE, ids.EXPORT_CSV):
        before = Snapshot.of(world)
        world.click(action_id, clickable[action_id], user=RAVI, message_ts=shared.ts)
        (reply,) = world.replies()[before.replies :]
        assert DENIED_MESSAGE in text_of(reply) and reply["replace_original"] is False
        assert not any(email in text_of(reply) for email in emails) and setup.event_id not in text_of(reply)
        assert world.search_world.client.stats.requests == before.api_requests
        assert all(before.new_calls(world, m) == [] for m in WATCHED)
        assert world.workspace.messages(seed.SEC_ALERTS)[-1].blocks == shared.blocks, "the shared page is untouched"
    world.click(ids.EVENT_DETAILS, setup.event_id, user=MAYA, message_ts=shared.ts)
    assert setup.event_id in text_of(world.calls("views.open")[-1]["view"]), "a viewer may open it"


class Groups:
    def __init__(self, members: dict[str, frozenset[str]] | None = None, *, fail: bool = False) -> None:
        self.members = members or {}
        self.fail = fail

    def groups_of(self, user_id: str) -> frozenset[str]:
        if self.fail:
            raise LookupFailed("usergroups.users.list: timeout")
        return self.members.get(user_id, frozenset())


def test_viewers_by_user_group_through_a_group_lookup(org: GeneratedOrg):
    policy = AccessPolicy(viewers=("S0SECTEAM",), channels=("*",))
    world, decisions = guarded_world(org, policy, groups=Groups({RAVI: frozenset({"S0SECTEAM"})}))
    try:
        world.command("help", user=RAVI)
        assert DENIED_MESSAGE not in text_of(world.last_reply())
        assert world.command("help", user=MAYA).body and DENIED_MESSAGE in str(world.command("help", user=MAYA).body)
        assert [d[0].allowed for d in decisions] == [True, False, False]
    finally:
        world.close()


def slack_groups(world: SlackWorld) -> UserGroups:
    return SlackUserGroups(world.client, ("S0SECTEAM",), timer=world.clock.monotonic)


@pytest.mark.parametrize(
    ("how", "groups"),
    [
        ("group lookup fails", Groups(fail=True)),
        ("group lookup unsupported", slack_groups),  # the Slack stand-in has no usergroups.users.list
        ("channel lookup fails", None),
    ],
    ids=["group lookup fails", "group lookup unsupported", "channel lookup fails"],
)
def test_a_failed_lookup_denies_and_says_to_try_again(org: GeneratedOrg, how: str, groups: Any):
    policy = AccessPolicy(viewers=(JANE, "S0SECTEAM"), channels=("*",))
    world, decisions = guarded_world(org, policy, groups=groups)
    try:
        person = JANE if how == "channel lookup fails" else RAVI
        if how == "channel lookup fails":
            world.workspace.fail_next("conversations.info", "ratelimited", retry_after=30)
        before = world.search_world.client.stats.requests
        response = world.command("action:user_login last:1d", user=person, channel=seed.IT_OPS)
        assert json.loads(str(response.body))["text"] == UNAVAILABLE_MESSAGE
        assert world.search_world.client.stats.requests == before
        assert decisions[-1][0].reason.startswith("lookup failed")
        if how != "channel lookup fails":  # a person allowed by their own id needs no group lookup
            world.command("help", user=JANE, channel=seed.IT_OPS)
            assert DENIED_MESSAGE not in text_of(world.last_reply()) and decisions[-1][0].allowed
    finally:
        world.close()


def test_channel_kinds_are_cached_for_five_minutes(setup: Setup):
    world = setup.world
    directory = SlackDirectory(world.client, timer=world.clock.monotonic)
    asked = lambda: sum(1 for c in world.calls("conversations.info") if c.get("channel") == seed.IT_OPS)  # noqa: E731
    start = asked()
    assert directory.kind_of(seed.IT_OPS) is K.PUBLIC
    assert directory.kind_of(seed.IT_OPS) is K.PUBLIC
    assert asked() == start + 1
    world.clock.advance(301)
    assert directory.kind_of(seed.IT_OPS) is K.PUBLIC
    assert asked() == start + 2
    assert directory.kind_of(seed.PARTNER) is K.SHARED
    assert directory.kind_of(seed.INCIDENTS) is K.PRIVATE
    assert directory.kind_of("D0ANYDM01") is K.DM
    with pytest.raises(LookupFailed, match="channel_not_found") as failed:
        directory.kind_of(seed.HR_PRIVATE)  # private, and auditbot is not in it
    assert failed.value.lasting


@pytest.mark.parametrize(
    ("info", "kind"),
    [
        ({"is_im": True}, K.DM),
        ({"is_mpim": True, "is_private": True}, K.DM),
        ({"is_ext_shared": True, "is_shared": True}, K.SHARED),
        ({"is_pending_ext_shared": True}, K.SHARED),
        ({"is_shared": True}, K.SHARED),
        ({"is_shared": True, "is_org_shared": True}, K.PUBLIC),
        ({"is_private": True}, K.PRIVATE),
        ({"is_private": True, "is_ext_shared": True}, K.SHARED),
        ({"is_channel": True}, K.PUBLIC),
    ],
)
def test_kind_from_conversations_info(info: dict[str, Any], kind: K):
    assert kind_from_info(info) is kind


def test_the_demo_policy_lets_everyone_in(org: GeneratedOrg):
    world, decisions = guarded_world(org, AccessPolicy(open=True))
    try:
        world.command("help", user=RAVI, channel=seed.HR_PRIVATE)  # even where the kind cannot be looked up
        assert DENIED_MESSAGE not in text_of(world.last_reply())
        assert decisions[-1][0].allowed
    finally:
        world.close()


def test_the_guard_lets_slacks_own_requests_through(setup: Setup):
    body = json.dumps({"type": "url_verification", "challenge": "abc"})
    headers = signed(body)
    headers["content-type"] = ["application/json"]
    setup.decisions.clear()
    assert setup.world.dispatch(body, headers).status == 200
    assert setup.decisions == []


def test_a_channel_auditbot_cannot_see_is_refused_without_try_again(org: GeneratedOrg):
    world, decisions = guarded_world(org, AccessPolicy(viewers=(JANE,), channels=(seed.HR_PRIVATE,)))
    try:
        response = world.command("last:1d", user=JANE, channel=seed.HR_PRIVATE)  # private, auditbot not in it
        assert json.loads(str(response.body))["text"] == DENIED_MESSAGE
        assert "channel_not_found" in decisions[-1][0].reason and decisions[-1][2].kind is K.UNKNOWN
    finally:
        world.close()
