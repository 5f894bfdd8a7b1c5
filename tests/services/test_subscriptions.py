"""The subscription use cases over a real store (SQLite and PostgreSQL): subscribe once per channel and
query, pause/resume/remove, find by id or its tail, list narrowed by text, and alert matching told."""

from __future__ import annotations

import pytest

from auditbot.core.errors import AuditbotError
from auditbot.core.querysyntax import QueryError
from auditbot.services.subscription_names import NameProblem, clean_name, describe, split_name
from auditbot.services.subscriptions import AmbiguousName, Subscribed, SubscriptionPreview, SubscriptionService
from auditbot.services.workspace_items import ChannelCheck, MissingId, UnknownId
from auditbot.store import Database
from auditbot.store.subscriptions import Subscriptions
from tests.services.world import World

TEAM, OTHER_TEAM = "T1", "T2"
SEC, OPS = "C0SEC", "C0OPS"


class Checks:
    """The surface's channel check: records each channel asked about; refuses those in ``refused``."""

    def __init__(self, *refused: str) -> None:
        self.asked: list[str] = []
        self.refused = set(refused)

    def __call__(self, channel_id: str) -> None:
        self.asked.append(channel_id)
        if channel_id in self.refused:
            raise AuditbotError(f"auditbot may not post in {channel_id}")


class Changes:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def service(world: World, repo: Subscriptions, changes: Changes | None = None) -> SubscriptionService:
    return SubscriptionService(repo, SubscriptionPreview(world.search, world.clock), changed=changes or Changes())


def subscribe(
    svc: SubscriptionService, query: str, channel: str = SEC, *, team: str = TEAM, checks: ChannelCheck | None = None
) -> Subscribed:
    return svc.subscribe(
        team_id=team, channel_id=channel, query=query, created_by="U1", check_channel=checks or Checks()
    )


def test_subscribing_the_same_channel_to_the_same_query_again_makes_nothing_new(world: World, empty_store: Database):
    repo, changes, checks = Subscriptions(empty_store, world.clock), Changes(), Checks()
    svc = service(world, repo, changes)
    first = subscribe(svc, 'action:"User login"', checks=checks)
    again = subscribe(svc, "action:user_login", checks=checks)
    assert first.created and not again.created
    assert again.subscription == first.subscription
    assert first.subscription.query == "action:user_login", "the canonical query is stored"
    assert checks.asked == [SEC], "the channel is checked only for the new one"
    assert changes.count == 1
    assert [s.id for s in repo.of_team(TEAM)] == [first.subscription.id]


def test_another_channel_query_or_workspace_is_a_new_subscription(world: World, empty_store: Database):
    svc = service(world, Subscriptions(empty_store, world.clock))
    made = [
        subscribe(svc, "action:user_login"),
        subscribe(svc, "action:user_login", OPS),
        subscribe(svc, "action:user_logout"),
        subscribe(svc, "action:user_login", team=OTHER_TEAM),
    ]
    assert all(m.created for m in made)
    assert len({m.subscription.id for m in made}) == 4


def test_losing_the_race_to_another_replica_answers_with_the_one_that_won(world: World, empty_store: Database):
    """Two replicas, each with its own repository on one database: the other one stores the same
    subscription after this one looked for it and before it inserts; the unique index settles it."""
    ours, theirs = Subscriptions(empty_store, world.clock), Subscriptions(empty_store, world.clock)
    changes = Changes()
    won = []

    def other_replica_first(channel_id: str) -> None:
        won.append(theirs.create(team_id=TEAM, channel_id=channel_id, query="action:user_login", created_by="U2"))

    answer = subscribe(service(world, ours, changes), "action:user_login", checks=other_replica_first)
    assert not answer.created and answer.subscription == won[0]
    assert changes.count == 0
    assert [s.id for s in ours.of_team(TEAM)] == [won[0].id]


def test_a_refused_channel_or_a_bad_query_stores_nothing(world: World, empty_store: Database):
    repo, changes = Subscriptions(empty_store, world.clock), Changes()
    svc = service(world, repo, changes)
    with pytest.raises(AuditbotError, match="may not post"):
        subscribe(svc, "action:user_login", checks=Checks(SEC))
    checks = Checks()
    with pytest.raises(QueryError, match="which events, not when"):
        subscribe(svc, "action:user_login last:7d", checks=checks)
    assert checks.asked == [], "the query is checked before the channel"
    assert repo.of_team(TEAM) == [] and changes.count == 0


def test_pause_resume_and_unsubscribe_change_it_and_tell_alert_matching(world: World, empty_store: Database):
    repo, changes = Subscriptions(empty_store, world.clock), Changes()
    svc = service(world, repo, changes)
    made = subscribe(svc, "action:user_login").subscription
    checks = Checks()

    assert svc.change(TEAM, made.id, "pause", check_channel=checks) == made
    assert repo.active() == [] and checks.asked == []
    assert svc.change(TEAM, made.id, "resume", check_channel=checks).id == made.id
    assert [s.id for s in repo.active()] == [made.id]
    assert checks.asked == [SEC], "a resumed subscription's channel is checked again"
    svc.change(TEAM, made.id, "unsubscribe", check_channel=checks)
    assert repo.get(made.id) is None
    assert changes.count == 4, "made, paused, resumed, removed"


def test_a_refused_channel_keeps_a_subscription_paused(world: World, empty_store: Database):
    repo = Subscriptions(empty_store, world.clock)
    svc = service(world, repo)
    made = subscribe(svc, "action:user_login").subscription
    svc.change(TEAM, made.id, "pause")
    with pytest.raises(AuditbotError):
        svc.change(TEAM, made.id, "resume", check_channel=Checks(SEC))
    assert repo.active() == []


def test_a_subscription_is_found_by_its_id_with_or_without_the_prefix(world: World, empty_store: Database):
    svc = service(world, Subscriptions(empty_store, world.clock))
    made = subscribe(svc, "action:user_login").subscription
    tail = made.id.removeprefix("sub-")
    for typed in (made.id, tail, tail.upper(), f"  {made.id.upper()} "):
        assert svc.find(TEAM, typed) == made
    with pytest.raises(UnknownId) as unknown:
        svc.find(OTHER_TEAM, made.id)
    assert (unknown.value.prefix, unknown.value.raw_id) == ("sub-", made.id)
    with pytest.raises(UnknownId):
        svc.find(TEAM, "sub-zzzzzz")
    with pytest.raises(MissingId):
        svc.find(TEAM, "  ")


def test_the_list_is_narrowed_by_any_text_it_shows(world: World, empty_store: Database):
    svc = service(world, Subscriptions(empty_store, world.clock))
    login = subscribe(svc, "action:user_login").subscription
    world.clock.advance(60)
    logout = subscribe(svc, "action:user_logout", OPS).subscription
    subscribe(svc, "action:user_login", team=OTHER_TEAM)
    assert svc.of_team(TEAM) == [login, logout], "oldest first, this workspace only"
    assert svc.of_team(TEAM, text="  ") == [login, logout]
    assert svc.of_team(TEAM, text="LOGOUT") == [logout]
    assert svc.of_team(TEAM, text=OPS.lower()) == [logout]
    assert svc.of_team(TEAM, text=login.id) == [login]
    assert svc.of_team(TEAM, text="u1") == [login, logout], "who made it"
    assert svc.of_team(TEAM, text="nothing like it") == []


# -- names ------------------------------------------------------------------------------------------


def test_a_subscription_may_be_named_and_is_otherwise_described_in_the_catalogs_words(
    world: World, empty_store: Database
):
    svc = service(world, Subscriptions(empty_store, world.clock))
    name, query = svc.check_named('name:"Admin grants" action:added_org_admin,api_token_created')
    assert (name, query.canonical) == ("Admin grants", "action:added_org_admin,api_token_created")
    named = svc.subscribe(team_id=TEAM, channel_id=SEC, query=query.canonical, created_by="U1", name=name).subscription
    world.clock.advance(60)
    plain = subscribe(svc, "action:added_org_admin,api_token_created,user_login,user_login_failed").subscription
    assert (named.name, named.title) == ("Admin grants", "Admin grants")
    assert named.description == "Added organization admin, API token created"
    assert plain.name is None
    assert plain.title == "Added organization admin, API token created +2 more"
    assert [s.title for s in svc.of_team(TEAM)] == [named.title, plain.title]
    assert svc.titles([named.id, plain.id, "sub-gone00"]) == {named.id: named.title, plain.id: plain.title}
    assert svc.of_team(TEAM, text="admin GRANTS") == [named], "the list is narrowed by names too"
    assert svc.of_team(TEAM, text="created +2 more") == [plain], "and by the query in words"


def test_subscribing_again_with_a_name_names_the_one_there_is(world: World, empty_store: Database):
    repo = Subscriptions(empty_store, world.clock)
    svc = service(world, repo)
    first = subscribe(svc, "action:user_login")
    again = svc.subscribe(team_id=TEAM, channel_id=SEC, query="action:user_login", created_by="U2", name="Logins")
    assert (again.created, again.renamed, again.subscription.id) == (False, True, first.subscription.id)
    assert repo.get(first.subscription.id).name == "Logins"  # type: ignore[union-attr]
    same = svc.subscribe(team_id=TEAM, channel_id=SEC, query="action:user_login", created_by="U2", name="Logins")
    assert not same.renamed


def test_pause_resume_and_remove_take_a_name_as_well_as_an_id(world: World, empty_store: Database):
    repo = Subscriptions(empty_store, world.clock)
    svc = service(world, repo)
    made = svc.subscribe(
        team_id=TEAM, channel_id=SEC, query="action:user_login", created_by="U1", name="Admin grants"
    ).subscription
    for typed in ("Admin grants", "admin GRANTS", '"Admin grants"', "“Admin  grants”"):
        assert svc.find(TEAM, typed).id == made.id
    assert svc.change(TEAM, "admin grants", "pause").id == made.id
    assert repo.active() == []
    with pytest.raises(UnknownId):
        svc.find(OTHER_TEAM, "Admin grants")
    svc.subscribe(team_id=TEAM, channel_id=OPS, query="action:user_login", created_by="U1", name="Admin grants")
    with pytest.raises(AmbiguousName, match="2 subscriptions are called Admin grants"):
        svc.find(TEAM, "Admin grants")
    assert svc.find(TEAM, made.id).id == made.id, "the id still finds it"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name:"Admin grants" action:x', ("Admin grants", "action:x")),
        ("action:x name:Logins", ("Logins", "action:x")),
        ("action:x name:“Night  admins”  -actor:bot@x.io", ("Night admins", "action:x -actor:bot@x.io")),
        ("action:x", (None, "action:x")),
        ("action:x username:bob", (None, "action:x username:bob")),
    ],
)
def test_the_name_is_read_from_anywhere_among_the_terms(text, expected):
    assert split_name(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('name:"" action:x', "is empty"),
        ('name:"Admin grants action:x', "no closing quote"),
        ("name:a name:b action:x", "one name"),
        (f'name:"{"x" * 81}" action:x', "at most 80 characters; this one has 81"),
    ],
)
def test_a_name_that_cannot_be_one_is_refused(text, problem):
    with pytest.raises(NameProblem, match=problem):
        split_name(text)


def test_a_name_is_one_line_of_plain_text():
    assert clean_name(" Admin\n\tgrants\u202e ") == "Admin grants"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "Any action"),
        ("action:added_org_admin", "Added organization admin"),
        ('group:"API tokens" -action:api_token_revoked', "API tokens (group) except API token revoked"),
        (
            "actor:a@x.io,b@x.io,c@x.io ip:203.0.113.0/24 product:jira",
            "Any action by a@x.io, b@x.io +1 more from 203.0.113.0/24 in jira",
        ),
        ('action:user_login "vpn"', "User login mentioning “vpn”"),
        ('action:"unclosed', 'action:"unclosed'),
    ],
)
def test_a_query_is_described_with_the_catalogs_action_names(query, expected):
    names = {"added_org_admin": "Added organization admin", "api_token_revoked": "API token revoked"}
    assert describe(query, lambda a: names.get(a, a.replace("_", " ").capitalize())) == expected
