"""A result's summary in Slack: the total first, and buttons that narrow the search, clicked through the real app.

The app answers from a mirror filled with the seeded org's last three days (as ingest would); its search
service counts whole results in SQL. Clicks are signed requests into the real Bolt app.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from auditbot.core.access import DENIED_MESSAGE, Permission
from auditbot.playground import seed
from auditbot.sandbox import GeneratedOrg
from auditbot.services.search import SearchService
from auditbot.slack import ids
from auditbot.slack.middleware.throttle import counts_as_search
from auditbot.store.cursors import StreamCursors
from auditbot.store.mirror import EventMirror
from auditbot.store.mirror_search import MirrorSearchSource
from auditbot.store.mirror_summary import MirrorSummary
from tests.services.world import fill_mirror
from tests.slack.harness import SlackWorld
from tests.slack.test_access_matrix import POLICY, guarded_world

TOTAL_RE = re.compile(r"^\*(At least )?([\d,]+) events?\*")


@pytest.fixture
def mirrored(org: GeneratedOrg) -> Iterator[SlackWorld]:
    world = SlackWorld(org)
    try:
        fill_mirror(world.store, org)
        w = world.search_world
        source = MirrorSearchSource(world.store, EventMirror(world.store), StreamCursors(world.store))
        world.with_deps(
            search=SearchService(
                w.client,
                w.catalog,
                w.codec,
                world.clock,
                page_size=10,
                mirror=source,
                org_id=org.org_id,
                counter=MirrorSummary(world.store),
            )
        )
        yield world
    finally:
        world.close()


def total_of(message: dict[str, Any]) -> tuple[int, bool]:
    """(the total a results message starts with, whether it is exact)."""
    for block in message["blocks"]:
        if block["type"] == "section" and (found := TOTAL_RE.match(block["text"]["text"])):
            return int(found.group(2).replace(",", "")), found.group(1) is None
    raise AssertionError("the message states no total")


def narrowing(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if ids.SEARCH_NARROW_PATTERN.match(element["action_id"])
    ]


def count_of(button: dict[str, Any]) -> int:
    return int(button["text"]["text"].rsplit("·", 1)[1].strip().replace(",", ""))


def test_a_narrowing_button_runs_the_narrowed_search_and_shows_its_total(mirrored: SlackWorld):
    mirrored.command("action:user_login_failed last:2d")
    wide = mirrored.last_reply()
    total, exact = total_of(wide)
    buttons = narrowing(wide)
    assert exact and total > 10
    assert buttons[0]["text"]["text"].startswith("actor: ")
    assert any(b["text"]["text"].startswith("ip: ") for b in buttons)
    for button in buttons:
        before = len(mirrored.replies())
        mirrored.click(button["action_id"], button["value"])
        replies = mirrored.replies()
        assert len(replies) == before + 1
        narrow = replies[-1]
        assert not narrow.get("replace_original"), "the wider result stays in place"
        header = narrow["blocks"][0]["text"]["text"]
        assert "action:user_login_failed" in header and ("actor:" in header or "ip:" in header)
        assert total_of(narrow) == (count_of(button), True)
        assert count_of(button) < total
    assert mirrored.search_world.client.stats.requests <= 1, "only the action catalog was read from the API"


def test_an_edited_narrowing_value_is_refused(mirrored: SlackWorld):
    mirrored.command("action:user_login_failed last:2d")
    button = narrowing(mirrored.last_reply())[0]
    mirrored.click(button["action_id"], button["value"].replace("user_login_failed", "user_login"))
    assert "That button cannot be used" in str(mirrored.last_reply())


def test_a_live_result_says_at_least_what_it_listed(slack: SlackWorld):
    slack.command("action:user_login last:2d")
    first = slack.last_reply()
    assert total_of(first) == (10, False)
    assert narrowing(first) == []
    next_value = next(
        e["value"]
        for b in first["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.PAGE_NEXT
    )
    slack.click(ids.PAGE_NEXT, next_value)
    assert total_of(slack.last_reply()) == (20, False)


def test_a_shared_page_keeps_the_summary_as_text(mirrored: SlackWorld):
    mirrored.command("action:user_login_failed last:2d")
    page = mirrored.last_reply()
    share = next(
        e["value"]
        for b in page["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.SHARE_PAGE
    )
    mirrored.click(ids.SHARE_PAGE, share)
    posted = mirrored.workspace.messages(seed.SEC_ALERTS)[-1]
    shared = {"blocks": posted.blocks}
    assert total_of(shared) == total_of(page)
    assert narrowing(shared) == []
    assert "busiest: " in str(posted.blocks)


def test_narrowing_is_a_search_for_the_guard_and_the_per_person_limit(org: GeneratedOrg):
    world, decisions = guarded_world(org, POLICY)
    try:
        world.command("action:user_removed_from_group last:2d", user=seed.JANE)
        button = narrowing(world.last_reply())[0]
        decisions.clear()
        world.click(button["action_id"], button["value"], user=seed.RAVI)
        assert DENIED_MESSAGE in str(world.last_reply()), "someone who may not search may not narrow"
        world.click(button["action_id"], button["value"], user=seed.JANE)
        assert total_of(world.last_reply()) == (count_of(button), True)
        assert [d[3] for d in decisions] == [Permission.SEARCH, Permission.SEARCH]
    finally:
        world.close()
    assert counts_as_search({"type": "block_actions", "actions": [{"action_id": button["action_id"]}]})
