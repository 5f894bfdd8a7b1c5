"""``/audit help`` and ``/audit actions``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import auditbot
from auditbot.core.model import AuditAction
from auditbot.core.query import QUERY_HELP
from auditbot.core.querysyntax import quote_value
from auditbot.services.catalog import CatalogSnapshot
from auditbot.slack import ids
from auditbot.slack.render import render_actions, render_help
from auditbot.slack.render.catalog import catalog_query
from auditbot.slack.render.views import Message
from tests.slack.render.support import assert_safe, assert_within_limits, mrkdwn_texts


def spec_catalog() -> CatalogSnapshot:
    """The 145 real action ids the sandbox serves (the spec's ``actions.json``)."""
    document = json.loads((Path(auditbot.__file__).parent / "sandbox" / "actions.json").read_text())
    actions = [
        AuditAction(id=a["id"], display_name=a["attributes"]["displayName"], group=a["attributes"]["groupDisplayName"])
        for a in document["data"]
    ]
    return CatalogSnapshot(tuple(actions), datetime(2026, 11, 20, 13, tzinfo=UTC))


def test_help_lists_subcommands_every_term_and_examples():
    message = render_help()
    assert_within_limits(message.blocks)
    assert_safe(message)
    text = "\n".join(mrkdwn_texts(message.blocks))
    for sub in ("`/audit &lt;query&gt;`", "`/audit event &lt;id&gt;`", "`/audit actions [text]`", "`/audit help`"):
        assert sub in text
    for entry in QUERY_HELP:
        assert f"`{entry.term}`" in text
    assert "```\n/audit action:added_org_admin last:30d\n" in text
    assert "/audit event 25e4c3e7-7f0d-4b84-8028-330fed144a51" in text
    alerts = (
        'subscribe [#channel] [name:"…"] &lt;query&gt;',
        "subscriptions [text]",
        "pause &lt;id&gt;",
        "unsubscribe &lt;id&gt;",
    )
    for sub in alerts:
        assert f"`/audit {sub}`" in text
    assert '/audit subscribe #sec-alerts name:"Admin grants" action:added_org_admin' in text
    for sub in ("handoff [12h | since:… until:…] [filters]", "digest schedules", "digest unschedule &lt;id&gt;"):
        assert f"`/audit {sub}`" in text


def test_help_uses_the_installed_command_name_when_it_is_well_formed():
    assert "`/auditlog help`" in "\n".join(mrkdwn_texts(render_help(command="/auditlog").blocks))
    bad = render_help(command="/x <!channel>")
    assert "`/audit help`" in "\n".join(mrkdwn_texts(bad.blocks))
    assert_safe(bad)


def menus(message: Message) -> list[dict[str, Any]]:
    return [b["accessory"] for b in message.blocks if b.get("accessory", {}).get("type") == "static_select"]


def test_actions_are_one_line_per_group_each_with_a_menu_that_searches():
    snapshot = spec_catalog()
    assert len(snapshot.actions) == 145
    message = render_actions(snapshot)
    assert_within_limits(message.blocks)
    assert_safe(message)
    text = "\n".join(mrkdwn_texts(message.blocks))
    assert "145 actions in" in text and "catalog fetched <!date^" in text
    assert "Pick an action to search its last 7 days" in text
    groups = snapshot.groups()
    assert len(message.blocks) == 2 + len(groups), "a header, a context line, then one section per group"
    assert "`" not in text, "no wall of ids: they are in the menus"
    group, actions = next(iter(groups.items()))
    assert f"*{group}* · {len(actions)} action" in text
    first = menus(message)[0]
    assert first["action_id"] == ids.CATALOG_SEARCH and first["placeholder"]["text"] == "Search…"
    values = [o["value"] for o in first["options"]]
    assert values[0] == f"group:{quote_value(group)}"
    assert values[1:] == [f"action:{a.id}" for a in actions]
    assert first["options"][1]["text"]["text"] == actions[0].display_name
    assert sum(len(m["options"]) - 1 for m in menus(message)) == 145
    assert catalog_query(values[1]) == f"action:{actions[0].id} last:7d"


def test_a_filtered_list_names_the_matching_actions_with_their_ids():
    message = render_actions(spec_catalog(), "admin")
    text = "\n".join(mrkdwn_texts(message.blocks))
    assert "Added organization admin `added_org_admin`" in text
    options = [o["value"] for m in menus(message) for o in m["options"]]
    assert "action:added_org_admin" in options and "action:user_login" not in options


def test_actions_filter_by_id_name_or_group_case_insensitively():
    snapshot = CatalogSnapshot(
        (
            AuditAction(id="user_login", display_name="User login", group="Security"),
            AuditAction(id="api_token_created", display_name="API token created", group="Security"),
            AuditAction(id="group_created", display_name="Group created", group="Group management"),
        ),
        None,
    )

    def listed(text: str) -> str:
        return "\n".join(mrkdwn_texts(render_actions(snapshot, text).blocks))

    assert "`user_login`" in listed("LOGIN") and "`group_created`" not in listed("LOGIN")
    assert "`api_token_created`" in listed("token")
    assert "`group_created`" in listed("management") and "`user_login`" not in listed("management")
    assert render_actions(snapshot, "login").blocks[0]["text"]["text"] == 'Audit actions matching "login"'


def test_no_match_suggests_close_ids():
    snapshot = CatalogSnapshot((AuditAction(id="user_login", display_name="User login", group="Security"),), None)
    text = "\n".join(mrkdwn_texts(render_actions(snapshot, "user_logn").blocks))
    assert "No action matches user_logn." in text and "`user_login`" in text


def test_a_stale_or_empty_catalog_says_so():
    stale = CatalogSnapshot((), None, stale=True, problem="The action list could not be refreshed: <timeout>")
    message = render_actions(stale)
    text = "\n".join(mrkdwn_texts(message.blocks))
    assert ":warning: This list may be out of date: The action list could not be refreshed: &lt;timeout&gt;" in text
    assert "not available right now" in text
    assert_safe(message)


def test_a_huge_catalog_ends_with_a_more_line():
    actions = tuple(
        AuditAction(id=f"action_{i:04d}_" + "x" * 40, display_name=f"Action {i} " + "y" * 60, group=f"Group {i:03d}")
        for i in range(2000)
    )
    message = render_actions(CatalogSnapshot(actions, None))
    assert_within_limits(message.blocks)
    last = message.blocks[-1]["elements"][0]["text"]
    assert last.endswith("— narrow with /audit actions &lt;text&gt;")
    listed = sum(len(m["options"]) - 1 for m in menus(message))
    assert listed + int(last.split()[0][1:]) == 2000


def test_a_group_with_more_actions_than_a_menu_holds_offers_the_first_hundred():
    actions = tuple(AuditAction(id=f"a_{i:03d}", display_name=f"A {i}", group="Big") for i in range(150))
    message = render_actions(CatalogSnapshot(actions, None))
    assert_within_limits(message.blocks)
    assert [len(m["options"]) for m in menus(message)] == [100]
    assert "*Big* · 150 actions" in "\n".join(mrkdwn_texts(message.blocks))
