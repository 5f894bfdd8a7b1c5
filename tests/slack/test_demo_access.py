"""The demo's access policy, as ``demo_settings`` gives it and ``build_runtime`` wires it, through the real
app: Ravi may search but not export, and the Slack Connect channel #ext-acme-security is refused, so a
newcomer meets a refusal once; both refusals are in the bot's trail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, cast

import pytest

from auditbot.core.access import DENIED_MESSAGE
from auditbot.demo import demo_settings
from auditbot.playground import seed
from auditbot.runtime import build_runtime
from auditbot.sandbox import GeneratedOrg
from auditbot.slack import ids
from auditbot.slack.app import build_app
from tests.slack.harness import SIGNING_SECRET, InlineExecutor, SlackWorld
from tests.slack.test_app import buttons

SEARCH = "action:user_login last:2d"


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture
def demo(org: GeneratedOrg) -> Iterator[SlackWorld]:
    """The world's app rebuilt from the demo's settings (the Slack stand-in plays the playground)."""
    world = SlackWorld(org)
    settings = demo_settings(
        world.runtime.settings, world.data_dir, rate_per_minute=60, playground=cast(Any, world.slack)
    )
    runtime = build_runtime(
        settings, world.clock, store=world.store, connection=world.runtime.connection, slack=world.client
    )
    try:
        assert runtime.deps.access is not None and not runtime.deps.access.open
        assert runtime.deps.trail is not None
        world.deps, world.trail = runtime.deps, runtime.deps.trail
        world.app = build_app(
            runtime.deps,
            client=world.client,
            signing_secret=SIGNING_SECRET,
            executor=InlineExecutor(),
            middleware=runtime.middleware,
        )
        yield world
    finally:
        runtime.close()
        world.close()


def test_ravi_may_search_but_not_export(demo: SlackWorld):
    demo.command(SEARCH, user=seed.RAVI)
    result = demo.last_reply()
    assert ids.EXPORT_CSV in buttons(result)
    demo.click(ids.EXPORT_CSV, buttons(result)[ids.EXPORT_CSV], user=seed.RAVI)
    assert DENIED_MESSAGE in text_of(demo.last_reply())
    assert not demo.calls("conversations.open") and not demo.calls("files.getUploadURLExternal"), "nothing exported"
    denied = demo.trail.recent(text="denied")[0]
    assert (denied.user_id, denied.query) == (seed.RAVI, ids.EXPORT_CSV)


def test_an_admin_exports(demo: SlackWorld):
    demo.command(SEARCH, user=seed.JANE)
    demo.click(ids.EXPORT_CSV, buttons(demo.last_reply())[ids.EXPORT_CSV], user=seed.JANE)
    assert demo.calls("files.getUploadURLExternal"), "the CSV was uploaded"
    assert [e.kind for e in demo.trail.recent(limit=1)] == ["export"]


def test_the_slack_connect_channel_is_refused_even_to_an_admin(demo: SlackWorld):
    refused = demo.command(SEARCH, user=seed.JANE, channel=seed.PARTNER)
    assert DENIED_MESSAGE in text_of(refused.body)
    demo.command(SEARCH, user=seed.TOMAS, channel=seed.IT_OPS)
    assert ids.EXPORT_CSV in buttons(demo.last_reply()), "other channels are answered"
    demo.command("bot-log denied", user=seed.JANE, channel=seed.SEC_ALERTS)
    log = text_of(demo.last_reply())
    assert "#ext-acme-security" in log and "shared with another organization" in log
