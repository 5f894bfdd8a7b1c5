"""The signature and replay test matrix: each request kind crossed with each way a request can be forged or repeated.

Requests go through the real app (Bolt's signature check, then the integrity middleware in the
order ``middleware.chain`` gives without an access guard) into the Slack stand-in, where every
effect is counted: replies through response_urls, modals opened, Home tabs published, messages
posted. The search limit runs on the world's ManualClock; nothing sleeps.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import pytest
from slack_bolt import BoltRequest, BoltResponse

from auditbot.core.clock import ManualClock
from auditbot.playground import seed
from auditbot.sandbox import GeneratedOrg
from auditbot.slack import ids
from auditbot.slack.app import build_app
from auditbot.slack.middleware import chain
from auditbot.slack.middleware.integrity import (
    interaction_key,
    replay_guard,
    response_url_allowed,
    response_url_guard,
)
from tests.slack.harness import SIGNING_SECRET, Headers, InlineExecutor, SlackWorld, signed

PER_MINUTE = 3
SEARCH = "action:user_login last:2d"
FOREIGN = "https://hooks.slack.com.evil.example/commands/T0/1/secret-token"
EFFECTS = frozenset({"views.open", "views.push", "views.update", "views.publish", "chat.postMessage", "chat.update"})
SLOW_DOWN = "You're searching faster than auditbot allows (3 a minute). Ready in {} s."


@pytest.fixture
def world(org: GeneratedOrg) -> Iterator[SlackWorld]:
    """The harness's world, its app rebuilt with the integrity middleware on the world's own clock."""
    world = SlackWorld(org)
    guards = chain(world.clock, per_minute=PER_MINUTE, response_prefixes=(world.slack.root_url + "/hooks/",))
    world.app = build_app(
        world.deps, client=world.client, signing_secret=SIGNING_SECRET, executor=InlineExecutor(), middleware=guards
    )
    try:
        yield world
    finally:
        world.close()


def effects(world: SlackWorld) -> int:
    """Replies through response_urls plus every view or message the app made in the stand-in."""
    return len(world.replies()) + sum(1 for call in world.workspace.calls if call.method in EFFECTS)


@dataclass(frozen=True)
class Kind:
    name: str
    send: Callable[[SlackWorld], object]
    has_response_url: bool
    effects: int = 1
    """What one valid delivery does (an options load answers in its response body instead)."""


KINDS = [
    Kind("command", lambda w: w.command(SEARCH), True),
    Kind("block_actions", lambda w: w.click(ids.OPEN_SEARCH_FORM, ""), True),
    Kind("message_shortcut", lambda w: w.message_shortcut("nothing to see"), True),
    Kind("global_shortcut", lambda w: w.global_shortcut(), False),
    Kind("view_submission", lambda w: w.submit_form({ids.FORM_TEXT: {ids.FORM_TEXT: {"value": "login"}}}), False),
    Kind("block_suggestion", lambda w: w.options("login"), False, effects=0),
    Kind("app_home_opened", lambda w: w.home_opened(), False),
]
CASES = [
    "valid",
    "bad signature",
    "tampered body",
    "wrong secret",
    "missing headers",
    "timestamp 301 s old",
    "timestamp 301 s ahead",
    "replayed identical request",
    "re-signed duplicate",
    "foreign response_url",
]
MATRIX = [
    pytest.param(kind, case, id=f"{kind.name}-{case.replace(' ', '_')}")
    for kind in KINDS
    for case in CASES
    if case != "foreign response_url" or kind.has_response_url
]


def capture(world: SlackWorld, kind: Kind) -> tuple[str, Headers]:
    """The body and headers the harness would send for ``kind``, without sending them."""
    sent: list[tuple[str, Headers]] = []

    def record(body: str, headers: Headers | None = None) -> BoltResponse:
        sent.append((body, signed(body) if headers is None else headers))
        return BoltResponse(status=200)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(world, "dispatch", record)
        kind.send(world)
    assert len(sent) == 1
    return sent[0]


def with_response_url(body: str, url: str) -> str:
    form = dict(parse_qsl(body))
    if "payload" in form:
        payload = json.loads(form["payload"])
        payload["response_url"] = url
        form["payload"] = json.dumps(payload)
    else:
        form["response_url"] = url
    return urlencode(form)


def assert_did_it_once(world: SlackWorld, kind: Kind, response: BoltResponse) -> None:
    assert response.status == 200
    assert effects(world) == kind.effects
    if kind.name == "block_suggestion":
        assert "user_login" in response.body


@pytest.mark.parametrize(("kind", "case"), MATRIX)
def test_signature_and_replay_matrix(
    world: SlackWorld, kind: Kind, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    body, captured = capture(world, kind)
    now = int(time.time())

    def sign(text: str = body, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> Headers:
        headers = signed(text, secret=secret, timestamp=timestamp)
        headers["content-type"] = captured["content-type"]
        return headers

    def send(text: str, headers: Headers) -> BoltResponse:
        return world.app.dispatch(BoltRequest(body=text, headers=headers))

    refused: int | None = 401
    if case == "valid":
        refused = None
        assert_did_it_once(world, kind, send(body, sign()))
    elif case == "bad signature":
        headers = sign()
        signature = str(headers["x-slack-signature"][0])
        headers["x-slack-signature"] = [signature[:-1] + ("0" if signature[-1] != "0" else "1")]
        response = send(body, headers)
    elif case == "tampered body":
        response = send(body.replace("login", "logout") if "login" in body else body + " ", sign())
    elif case == "wrong secret":
        response = send(body, sign(secret="not-the-signing-secret"))
    elif case == "missing headers":
        response = send(body, {"content-type": captured["content-type"]})
    elif case in {"timestamp 301 s old", "timestamp 301 s ahead"}:
        response = send(body, sign(timestamp=now - 301 if "old" in case else now + 301))
    elif case == "replayed identical request":
        headers = sign()
        assert_did_it_once(world, kind, send(body, headers))
        response = send(body, headers)
        assert response.body == json.dumps({"error": "replayed request"})
    elif case == "re-signed duplicate":
        refused = None
        assert_did_it_once(world, kind, send(body, sign(timestamp=now - 2)))
        again = sign(timestamp=now - 1)
        again["x-slack-retry-num"], again["x-slack-retry-reason"] = ["1"], ["http_timeout"]
        response = send(body, again)
        assert_did_it_once(world, kind, response)
        if kind.name != "block_suggestion":  # options loads are answered every time: typing repeats
            assert response.body == ""
    else:
        refused = 400
        response = send(with_response_url(body, FOREIGN), sign(with_response_url(body, FOREIGN)))
    if refused is not None:
        assert response.status == refused
        assert effects(world) == (kind.effects if case == "replayed identical request" else 0)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "every effect was the intended one"


# -- response_url --------------------------------------------------------------------------------

LOOPBACK = "http://127.0.0.1:8765/hooks/"
URLS = [  # url, allowed by default, allowed in demo mode (the playground's loopback root passed too)
    ("https://hooks.slack.com/commands/T0/1/abc", True, True),
    ("https://HOOKS.slack.com:443/actions/T0/1/abc", True, True),
    ("http://hooks.slack.com/actions/T0/1/abc", False, False),
    ("https://hooks.slack.com.evil.example/actions/T0/1/abc", False, False),
    ("https://evil.example/https://hooks.slack.com/", False, False),
    ("https://hooks.slack.com@evil.example/actions", False, False),
    ("https://someone@hooks.slack.com/actions", False, False),
    ("https://hooks.slack.com:8443/actions", False, False),
    ("https://hooks.slack.com:99999/actions", False, False),
    ("https://hooks.slack.com/actions/../../api/chat.postMessage", False, False),
    ("javascript:alert(1)", False, False),
    ("", False, False),
    ("http://127.0.0.1:8765/hooks/response/abc", False, True),
    ("http://127.0.0.1:8765/hooksevil/response/abc", False, False),
    ("http://127.0.0.1:8765/api/chat.postMessage", False, False),
    ("http://127.0.0.1:8766/hooks/response/abc", False, False),
    ("http://localhost:8765/hooks/response/abc", False, False),
]


@pytest.mark.parametrize(("url", "by_default", "in_demo"), URLS)
def test_only_slacks_hooks_host_or_the_passed_loopback_root_is_a_response_url(
    url: str, by_default: bool, in_demo: bool
) -> None:
    assert response_url_allowed(url) is by_default
    assert response_url_allowed(url, ("https://hooks.slack.com/", LOOPBACK)) is in_demo


@pytest.mark.parametrize("prefix", ["http://hooks.slack.com/", "http://10.0.0.5/hooks/", "ftp://127.0.0.1/", "/hooks/"])
def test_a_plain_http_prefix_off_loopback_is_refused_at_start(prefix: str) -> None:
    with pytest.raises(ValueError):
        response_url_guard(("https://hooks.slack.com/", prefix))


def test_a_foreign_response_url_is_logged_by_host_only(world: SlackWorld, caplog: pytest.LogCaptureFixture) -> None:
    body, _ = capture(world, KINDS[0])
    forged = with_response_url(body, FOREIGN)
    with caplog.at_level(logging.WARNING):
        assert world.app.dispatch(BoltRequest(body=forged, headers=signed(forged))).status == 400
    logged = [r.getMessage() for r in caplog.records if "response_url" in r.getMessage()]
    assert logged and "hooks.slack.com.evil.example" in logged[0]
    assert not any("secret-token" in r.getMessage() for r in caplog.records)
    assert world.replies() == []


# -- replay and dedupe units ------------------------------------------------------------------------


def test_a_signature_is_remembered_for_five_minutes_on_the_clock() -> None:
    clock, passed = ManualClock(), []
    guard, request = replay_guard(clock), BoltRequest(body="a=b", headers=signed("a=b"))

    def refused() -> bool:
        return guard(request=request, next_=lambda: passed.append(1), logger=logging.getLogger()) is not None

    assert [refused(), refused()] == [False, True]
    clock.advance(299)
    assert refused()  # each attempt restarts the memory
    clock.advance(301)  # by now Bolt refuses the timestamp itself
    assert not refused()
    assert passed == [1, 1]


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"type": "event_callback", "team_id": "T1", "event_id": "Ev1"}, '["event", "T1", "Ev1"]'),
        ({"command": "/audit", "trigger_id": "1.2.x"}, '["command", "1.2.x"]'),
        ({"type": "block_actions", "trigger_id": "1.3.y"}, '["block_actions", "1.3.y"]'),
        (
            {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "a", "action_ts": "17.1"}]},
            '["block_actions", "U1", "a", "17.1"]',
        ),
        ({"type": "view_submission", "view": {"id": "V1", "hash": "h1"}}, '["view_submission", "V1", "h1"]'),
        ({"type": "shortcut", "trigger_id": "1.4.z"}, '["shortcut", "1.4.z"]'),
        ({"type": "block_suggestion", "value": "log"}, None),
        ({"type": "url_verification"}, None),
    ],
)
def test_what_makes_two_deliveries_the_same(body: dict[str, object], key: str | None) -> None:
    assert interaction_key(body) == key


def test_the_guards_run_in_the_documented_order() -> None:
    names = [guard.__name__ for guard in chain(ManualClock(), per_minute=5)]
    assert names == ["replay", "dedupe", "response_url", "rate_limit"]


def test_http_mode_refuses_to_start_without_a_signing_secret(world: SlackWorld) -> None:
    for secret in (None, ""):
        with pytest.raises(ValueError):
            build_app(world.deps, client=world.client, signing_secret=secret, executor=InlineExecutor())


# -- the per-person search limit --------------------------------------------------------------------


def spend_the_minute(world: SlackWorld) -> None:
    for _ in range(PER_MINUTE):
        assert world.command(SEARCH).body == ""
    assert len(world.replies()) == PER_MINUTE


def test_one_search_too_many_is_refused_politely_until_the_minute_is_over(world: SlackWorld) -> None:
    spend_the_minute(world)
    refused = world.command(SEARCH)
    assert refused.status == 200
    assert json.loads(refused.body) == {"response_type": "ephemeral", "text": SLOW_DOWN.format(60)}
    assert len(world.replies()) == PER_MINUTE

    assert world.command("help").body == ""  # help is free
    assert "user_login" in world.options("login").body  # so are options loads
    assert len(world.replies()) == PER_MINUTE + 1
    world.command(SEARCH, user=seed.RAVI)  # and the limit is per person
    assert len(world.replies()) == PER_MINUTE + 2

    world.clock.advance(59)
    assert json.loads(world.command(SEARCH).body)["text"] == SLOW_DOWN.format(1)
    world.clock.advance(1)
    assert world.command(SEARCH).body == ""
    assert len(world.replies()) == PER_MINUTE + 3
    assert "action:user_login" in json.dumps(world.last_reply())


def test_buttons_shortcuts_and_forms_over_the_limit_are_told_where_they_are(world: SlackWorld) -> None:
    spend_the_minute(world)
    next_page = next(
        element["value"]
        for block in world.last_reply()["blocks"]
        for element in block.get("elements", [])
        if element.get("action_id") == ids.PAGE_NEXT
    )
    world.click(ids.PAGE_NEXT, next_page)
    reply = world.last_reply()
    assert reply["text"] == SLOW_DOWN.format(60)
    assert reply["response_type"] == "ephemeral" and not reply.get("replace_original")

    world.message_shortcut("jane@example.com logged in")
    assert world.last_reply()["text"] == SLOW_DOWN.format(60)

    form = world.submit_form({ids.FORM_TEXT: {ids.FORM_TEXT: {"value": "login"}}})
    assert json.loads(form.body) == {"response_action": "errors", "errors": {ids.FORM_TEXT: SLOW_DOWN.format(60)}}

    world.global_shortcut()
    assert world.calls("views.open") == []
    assert [(m["channel"], m["text"]) for m in world.calls("chat.postMessage")] == [(seed.JANE, SLOW_DOWN.format(60))]

    world.click(ids.OPEN_SEARCH_FORM, "")  # not a search: still works
    world.home_opened()  # App Home does not count either
    assert len(world.calls("views.open")) == 1
    assert len(world.calls("views.publish")) == 1
