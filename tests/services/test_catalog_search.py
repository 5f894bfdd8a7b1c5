"""The actions picker's search: every typed word, anywhere in an action's id, name or group, best first."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditbot.core.model import AuditAction
from auditbot.core.query import QueryError, parse
from auditbot.services.catalog import CatalogSnapshot
from auditbot.services.plan import resolve
from tests.services.test_catalog import real_actions

REAL = CatalogSnapshot(tuple(real_actions()), None)


def ids(actions: list[AuditAction]) -> list[str]:
    return [a.id for a in actions]


@pytest.mark.parametrize("typed", ["org admin", "admin org", "ORG  Admin", "organization admin", "added org"])
def test_words_match_anywhere_in_any_order_and_as_word_prefixes(typed: str) -> None:
    assert "added_org_admin" in ids(REAL.search(typed))


def test_org_admin_finds_the_organization_admin_actions_and_nothing_else() -> None:
    assert ids(REAL.search("org admin")) == ["added_org_admin", "removed_org_admin"]


def test_every_word_must_be_found() -> None:
    assert REAL.search("org admin zebra") == []
    assert REAL.search("nothing like it") == []


def test_a_word_inside_a_word_still_matches_after_the_word_starts() -> None:
    found = ids(REAL.search("ogin"))
    assert found == ["user_login", "user_login_failed"]


SNAPSHOT = CatalogSnapshot(
    (
        AuditAction(id="user_login_failed", display_name="User login failed", group="Security"),
        AuditAction(id="user_login", display_name="User login", group="Security"),
        AuditAction(id="login_policy_changed", display_name="Changed sign-in policy", group="Security"),
        AuditAction(id="policy_created", display_name="Policy created", group="Login settings"),
        AuditAction(id="relogin_forced", display_name="Forced relogin", group="Sessions"),
        AuditAction(id="group_created", display_name="Group created", group="Group management"),
    ),
    None,
)


def test_the_exact_id_comes_first_then_prefixes_then_names_then_ids_and_groups_then_words_inside_words() -> None:
    assert ids(SNAPSHOT.search("user_login")) == ["user_login", "user_login_failed"]  # exact, then a prefix
    assert ids(SNAPSHOT.search("login")) == [
        "login_policy_changed",  # the id starts with the text
        "user_login",  # a word of the name starts with it
        "user_login_failed",
        "policy_created",  # a word of the group does
        "relogin_forced",  # only inside a word
    ]
    assert ids(SNAPSHOT.search("failed login")) == ["user_login_failed"]


def test_results_group_by_catalog_group_in_the_order_of_their_best_action() -> None:
    grouped = SNAPSHOT.search_groups("login")
    assert list(grouped) == ["Security", "Login settings", "Sessions"]
    assert ids(grouped["Security"]) == ["login_policy_changed", "user_login", "user_login_failed"]


def test_no_text_lists_every_action_by_group() -> None:
    assert SNAPSHOT.search_groups("  ") == SNAPSHOT.groups()
    assert len(SNAPSHOT.search("")) == len(SNAPSHOT.actions)


@given(st.sampled_from(real_actions()), st.randoms(use_true_random=False))
def test_any_words_of_an_actions_name_in_any_order_find_it(action: AuditAction, random) -> None:
    words = action.display_name.split()
    picked = random.sample(words, k=random.randint(1, len(words)))
    typed = " ".join(w[: random.randint(1, len(w))] for w in picked)  # each word cut to a prefix
    assert action in REAL.search(typed.upper())


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ('last:2d group:"user managment" jane', 'last:2d group:"User management" jane'),
        ("action:user_login_faild -actor:bot@x.com", "action:user_login_failed -actor:bot@x.com"),
    ],
)
def test_an_unknown_action_or_group_suggests_the_whole_query_with_the_one_it_means(text: str, suggestion: str) -> None:
    with pytest.raises(QueryError) as caught:
        resolve(parse(text), REAL)
    assert caught.value.suggestions[0] == suggestion
    assert "did you mean" not in (caught.value.hint or "").lower()  # the suggestion is said once
    resolve(parse(suggestion), REAL)
