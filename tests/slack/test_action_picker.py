"""The search form's actions picker, through the real app's options load: words match anywhere."""

from __future__ import annotations

import json

import pytest

from tests.slack.harness import SlackWorld


def offered(slack: SlackWorld, typed: str) -> list[str]:
    answer = json.loads(slack.options(typed).body)
    return [o["value"] for group in answer.get("option_groups", [answer]) for o in group["options"]]


@pytest.mark.parametrize("typed", ["org admin", "admin org", "Organization Admin"])
def test_org_admin_finds_the_organization_admin_actions(slack: SlackWorld, typed: str):
    assert offered(slack, typed) == ["added_org_admin", "removed_org_admin"]


def test_the_exact_id_is_offered_first(slack: SlackWorld):
    assert offered(slack, "user_login")[:2] == ["user_login", "user_login_failed"]


def test_words_that_match_nothing_offer_nothing(slack: SlackWorld):
    assert offered(slack, "org admin zebra") == []
