from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

from auditbot.slack import ids
from tests.conftest import SPEC_DIR

MANIFEST = Path(__file__).parents[2] / "manifest.yml"


def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_the_manifest_validates_against_slacks_schema():
    schema = json.loads((SPEC_DIR / "slack" / "manifest.schema.1.0.0.json").read_text())
    errors = sorted(Draft7Validator(schema).iter_errors(manifest()), key=str)
    assert errors == []


def test_the_manifest_declares_exactly_the_command_and_shortcuts_the_app_handles():
    features = manifest()["features"]
    assert [c["command"] for c in features["slash_commands"]] == [ids.COMMAND]
    assert {s["callback_id"] for s in features["shortcuts"]} == set(ids.SHORTCUTS)
    kinds = {s["callback_id"]: s["type"] for s in features["shortcuts"]}
    assert kinds == {ids.INVESTIGATE_MESSAGE: "message", ids.SEARCH_SHORTCUT: "global"}


def test_interactivity_and_options_loads_reach_the_app():
    settings = manifest()["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["message_menu_options_url"].endswith("/slack/events")
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]


def test_bot_scopes_are_the_least_the_features_need():
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert scopes == {
        "chat:write",  # replies, shares, DMs
        "commands",
        "files:write",  # CSV exports
        "im:write",  # opening the DM an export goes to
        "users:read",  # time zones
        "channels:read",  # conversations.info, for the access policy
        "channels:join",  # joining a public channel that subscribes to alerts
        "channels:history",  # alert delivery reads its own posts back after a crash or a lost answer
        "groups:history",  # the same in private alert channels
        "groups:read",
        "im:read",
        "mpim:read",
        "usergroups:read",  # viewers and admins named by user group
    }
    assert not any(s.startswith(("admin", "chat:write.", "users:read.email", "channels:manage")) for s in scopes)


def test_the_manifests_scopes_are_enough_for_every_feature(org):
    from auditbot.core.access import AccessPolicy
    from auditbot.playground import seed
    from auditbot.slack.directory import SlackDirectory
    from auditbot.slack.middleware.guard import access_guard
    from tests.slack.harness import SlackWorld
    from tests.slack.test_app import buttons

    scopes = manifest()["oauth_config"]["scopes"]["bot"]
    policy = AccessPolicy(viewers=("*",), admins=(seed.JANE,), channels=("*",))
    holder: list[SlackWorld] = []

    class Directory:
        def kind_of(self, channel_id: str):
            return SlackDirectory(holder[0].client, timer=holder[0].clock.monotonic).kind_of(channel_id)

    world = SlackWorld(org, scopes=scopes, middleware=[access_guard(policy, Directory())], access=policy)
    holder.append(world)
    try:
        world.command("action:user_login last:2d")
        reply = world.last_reply()
        world.click(ids.SHARE_PAGE, buttons(reply)[ids.SHARE_PAGE])
        world.click(ids.EXPORT_CSV, buttons(reply)[ids.EXPORT_CSV])
        world.home_opened()
        world.command("subscribe <#C0ITOPS001|it-ops> action:added_org_admin")
        world.click(ids.SUBSCRIBE_CONFIRM, buttons(world.last_reply())[ids.SUBSCRIBE_CONFIRM])
        assert world.subscriptions.of_team(seed.TEAM.id), "subscribed a public channel auditbot was not in"
        assert "now subscribed" in world.workspace.messages(seed.IT_OPS)[-1].text
        assert world.workspace.files, "the export arrived"
        assert world.workspace.messages(seed.SEC_ALERTS), "the share arrived"
        assert [v for v in world.workspace.views_for(seed.JANE) if v.type == "home"], "App Home was published"
    finally:
        world.close()
