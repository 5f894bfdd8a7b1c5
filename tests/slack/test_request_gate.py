"""The gate in front of Bolt, through the real WSGI app: unsigned requests learn only 401, signed but
malformed ones get 400, oversized ones 413 before a byte is read, and the log gets one short line
per kind of refusal at most, never a traceback.

Requests go through ``wsgi_app`` (the gate, then the real Bolt app with the integrity middleware)
into the Slack stand-in, where every effect is counted. The refusal log runs on the world's
ManualClock, so its rate limit is exact; signatures carry the real time, as Bolt checks them so.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select

from auditbot.core.clock import ManualClock, SystemClock
from auditbot.logs import configure_logging
from auditbot.playground import seed
from auditbot.sandbox import GeneratedOrg
from auditbot.slack import ids
from auditbot.slack.app import build_app
from auditbot.slack.middleware import chain
from auditbot.slack.refusals import RefusalLog, throttle_logger
from auditbot.slack.request_gate import MAX_JSON_DEPTH, RequestGate
from auditbot.slack.serve import wsgi_app
from auditbot.store.schema import bot_audit, outbox, snoozes, subscriptions
from tests.slack.harness import SIGNING_SECRET, InlineExecutor, SlackWorld

LIMIT = 1_048_576
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MARKER = "unsigned-body-marker-7f3a"
Answer = tuple[int, bytes]


class Front:
    """The world's app behind the gate, as ``auditbot run`` serves it."""

    def __init__(self, world: SlackWorld) -> None:
        self.world = world
        self.refusals = RefusalLog(world.clock)
        self.gate = RequestGate(SIGNING_SECRET, clock=SystemClock(), max_body_bytes=LIMIT, refusals=self.refusals)
        self.app = wsgi_app(world.app, dict, gate=self.gate)

    def post(
        self,
        body: bytes,
        *,
        content_type: str = FORM,
        headers: dict[str, str] | None = None,
        method: str = "POST",
        content_length: str | None = None,
        stream: Any = None,
    ) -> Answer:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": "/slack/events",
            "wsgi.input": stream if stream is not None else io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)) if content_length is None else content_length,
            "CONTENT_TYPE": content_type,
        }
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        setup_testing_defaults(environ)
        seen: dict[str, str] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None, /) -> Any:
            seen["status"] = status

        content = b"".join(self.app(environ, start_response))
        return int(seen["status"].split()[0]), content

    def signed_post(self, body: bytes, *, content_type: str = FORM) -> Answer:
        return self.post(body, content_type=content_type, headers=signature(body))

    def effects(self) -> int:
        """Everything a request can have changed: calls to Slack, replies, rows in the store."""
        workspace = self.world.workspace
        with self.world.store.read() as conn:
            rows = sum(
                conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (bot_audit, subscriptions, outbox, snoozes)
            )
        return len(workspace.calls) + len(workspace.posts_to_response_urls) + rows


def signature(body: bytes, *, stamp: str | None = None) -> dict[str, str]:
    """Slack's signature over the body's bytes (slack_sdk's helper takes UTF-8 text only)."""
    stamp = stamp or str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    if body.isascii():
        assert SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body) == "v0=" + digest
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest}


def payload(value: object) -> bytes:
    return urlencode({"payload": json.dumps(value)}).encode()


@pytest.fixture(scope="module")
def world(org: GeneratedOrg) -> Iterator[SlackWorld]:
    """One world for the module (effects are counted as differences); each test gets a new app."""
    world = SlackWorld(org)
    try:
        yield world
    finally:
        world.close()


@pytest.fixture
def front(world: SlackWorld) -> Front:
    """The world's app rebuilt with fresh integrity middleware and refusal logs, behind a new gate."""
    guards = chain(world.clock, per_minute=1000, response_prefixes=(world.slack.root_url + "/hooks/",))
    world.app = build_app(
        world.deps, client=world.client, signing_secret=SIGNING_SECRET, executor=InlineExecutor(), middleware=guards
    )
    return Front(world)


def command(world: SlackWorld, text: str = "help") -> bytes:
    fields = {
        "command": "/audit",
        "text": text,
        "user_id": seed.JANE,
        "channel_id": seed.SEC_ALERTS,
        "team_id": seed.TEAM.id,
        "response_url": world.workspace.new_response_url(seed.SEC_ALERTS, seed.JANE),
        "trigger_id": world.workspace.new_trigger_id(seed.JANE),
    }
    return urlencode(fields).encode()


def no_tracebacks(records: list[logging.LogRecord]) -> None:
    assert not [r for r in records if r.exc_info or r.levelno >= logging.ERROR], [r.getMessage() for r in records]


# -- what passes ---------------------------------------------------------------------------


def test_a_signed_command_passes_the_gate_and_is_answered(front: Front):
    status, _ = front.signed_post(command(front.world))
    assert status == 200
    assert "since:" in json.dumps(front.world.last_reply())
    status, _ = front.signed_post(command(front.world), content_type=FORM + "; charset=utf-8")
    assert status == 200


def test_a_signed_json_event_passes_and_url_verification_is_answered(front: Front):
    body = json.dumps({"type": "url_verification", "challenge": "c-42", "token": "t"}).encode()
    status, content = front.signed_post(body, content_type=JSON)
    assert status == 200
    assert b"c-42" in content


# -- unsigned: 401 and nothing else --------------------------------------------------------


UNSIGNED_BODIES = {
    "command": b"command=%2Faudit&text=pause+x&user_id=U1",
    "not UTF-8": b"\xff\xfe\x00payload",
    "list payload": payload([1, 2]),
    "deep payload": b"payload=" + b"%5B" * 50_000 + b"%5D" * 50_000,
    "not a form": b"<xml/>",
}
BAD_HEADERS = {
    "none": {},
    "timestamp abc": {"X-Slack-Request-Timestamp": "abc"},
    "timestamp empty": {"X-Slack-Request-Timestamp": ""},
    "timestamp 1.5": {"X-Slack-Request-Timestamp": "1.5"},
    "timestamp 1e9": {"X-Slack-Request-Timestamp": "1e9"},
    "timestamp with a space": {"X-Slack-Request-Timestamp": " 1"},
    "timestamp in Arabic digits": {"X-Slack-Request-Timestamp": "\u0661\u0667" + "\u0660" * 8},
    "timestamp negative": {"X-Slack-Request-Timestamp": "-1"},
    "timestamp stale": {"X-Slack-Request-Timestamp": str(int(time.time()) - 3600)},
    "signature short": {"X-Slack-Signature": "v0=abc"},
    "signature v1": {"X-Slack-Signature": "v1=" + "0" * 64},
    "signature wrong": {"X-Slack-Signature": "v0=" + "0" * 64},
}


@pytest.mark.parametrize("body", UNSIGNED_BODIES.values(), ids=UNSIGNED_BODIES.keys())
@pytest.mark.parametrize("spoil", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_an_unsigned_request_learns_only_401_whatever_its_body(
    front: Front, body: bytes, spoil: dict[str, str], caplog
):
    headers = {**signature(body), **spoil} if spoil else {}
    before = front.effects()
    with caplog.at_level(logging.DEBUG):
        status, content = front.post(body, headers=headers)
    assert (status, content) == (401, b'{"error":"invalid request"}')
    assert front.effects() == before
    no_tracebacks(caplog.records)
    assert not [r for r in caplog.records if "payload" in r.getMessage() or "%5B" in r.getMessage()]


def test_an_unsigned_request_claiming_to_be_a_retry_is_not_logged_as_one(front: Front, caplog):
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    with caplog.at_level(logging.WARNING):
        for _ in range(50):
            assert front.post(b"command=%2Faudit", headers=retry)[0] == 401
    assert [r.getMessage() for r in caplog.records] == ["refused a request with 401: no signature"]
    body = command(front.world)
    with caplog.at_level(logging.WARNING):
        assert front.post(body, headers={**signature(body), **retry})[0] == 200
    assert "Slack retried a request (attempt 1, http_timeout)" in caplog.messages


def test_a_signature_over_other_bytes_is_refused(front: Front):
    body = command(front.world)
    status, _ = front.post(body + b"&text=pause", headers=signature(body))
    assert status == 401


# -- signed but malformed: 400 and nothing acted on ---------------------------------------


def _deep(depth: int) -> bytes:
    return b"payload=" + quote('{"a":' + "[" * depth + "]" * depth + "}").encode()


SIGNED_MALFORMED: dict[str, tuple[bytes, str]] = {
    "not UTF-8": (b"command=%2Faudit&text=\xff", FORM),
    "empty": (b"", FORM),
    "payload is a list": (payload([{"type": "block_actions"}]), FORM),
    "payload is a string": (payload("block_actions"), FORM),
    "payload is a number": (payload(5), FORM),
    "payload is null": (payload(None), FORM),
    "payload is not JSON": (b"payload=%7Bnope", FORM),
    "payload with NaN": (b"payload=" + quote('{"type": NaN}').encode(), FORM),
    "payload with a lone surrogate": (b"payload=" + quote('{"user": {"id": "U\\ud800"}}').encode(), FORM),
    "payload nested 50,000 deep": (_deep(50_000), FORM),
    "payload nested past the limit": (_deep(MAX_JSON_DEPTH), FORM),
    "form field twice": (b"command=%2Faudit&user_id=U1&user_id=U2", FORM),
    "form field without =": (b"command=%2Faudit&text", FORM),
    "form with bad percent-encoding": (b"command=%2Faudit&text=%FF", FORM),
    "form that reads as JSON": (b'{"command":"=/audit"}', FORM),
    "JSON body that is a list": (b"[1, 2]", JSON),
    "JSON body that is not JSON": (b"command=/audit", JSON),
    "plain text": (b"command=%2Faudit", "text/plain"),
    "no content type": (b"command=%2Faudit", ""),
    "content type in capitals": (b"command=%2Faudit", "APPLICATION/X-WWW-FORM-URLENCODED"),
}


@pytest.mark.parametrize(("body", "content_type"), SIGNED_MALFORMED.values(), ids=SIGNED_MALFORMED.keys())
def test_a_signed_but_malformed_request_gets_400_and_is_not_acted_on(front: Front, body, content_type, caplog):
    before = front.effects()
    with caplog.at_level(logging.DEBUG):
        status, content = front.signed_post(body, content_type=content_type)
    assert (status, content) == (400, b'{"error":"malformed request"}')
    assert front.effects() == before
    no_tracebacks(caplog.records)
    refused = [r for r in caplog.records if r.name == "auditbot.slack.refused"]
    assert len(refused) == 1 and refused[0].levelno == logging.WARNING
    assert len(refused[0].getMessage()) < 200


def test_a_payload_at_the_depth_limit_passes_the_gate(front: Front, caplog):
    with caplog.at_level(logging.WARNING, logger="auditbot.slack.refused"):
        status, _ = front.signed_post(_deep(MAX_JSON_DEPTH - 1))
    assert status == 400, "the app read it and found no payload type it handles"
    lines = [r.getMessage() for r in caplog.records if r.name == "auditbot.slack.refused"]
    assert len(lines) == 1 and "malformed" in lines[0], "refused by the app's reader, not by the gate"


def test_what_bolt_or_a_middleware_cannot_read_on_a_signed_request_is_400_with_one_line(front: Front, caplog):
    """Shapes the gate lets through (they are JSON objects) but Bolt's context builder or the app's
    reader refuse: 400, one warning naming the error and where, no traceback."""
    shapes = [
        {"type": "block_actions", "enterprise": 5},  # Bolt's context builder
        {"type": "block_actions", "user": "U1", "actions": "x"},  # the app's reader
    ]
    before = front.effects()
    with caplog.at_level(logging.DEBUG):
        statuses = [front.signed_post(payload(shape))[0] for shape in shapes]
    assert statuses == [400, 400]
    assert front.effects() == before
    no_tracebacks(caplog.records)
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 2, lines
    assert "signed request the app could not read (TypeError at internals.py:" in lines[0], "Bolt's context builder"
    assert "malformed block_actions request" in lines[1], "the app's reader"


@pytest.mark.parametrize("error", [KeyError("user"), OSError("disk full")])
def test_an_error_after_the_request_was_read_is_a_fault_500_with_its_traceback(
    world: SlackWorld, error: Exception, caplog
):
    """Once ``PayloadReader`` has read the request into its typed value, a shape error is ours, not
    the sender's: it keeps its traceback (the 400 rule is for what Bolt trips on before that)."""

    def failing(next_: Callable[[], None]) -> None:
        raise error

    world.app = build_app(
        world.deps, client=world.client, signing_secret=SIGNING_SECRET, executor=InlineExecutor(), middleware=[failing]
    )
    with caplog.at_level(logging.DEBUG):
        answer, _ = Front(world).signed_post(command(world))
    assert answer == 500
    [line] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.levelno == logging.ERROR
    assert line.exc_info, "a fault keeps its traceback"


# -- sizes ----------------------------------------------------------------------------------


class Unreadable(io.RawIOBase):
    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("the body was read")


def test_a_body_over_the_limit_is_refused_413_before_it_is_read(front: Front):
    status, content = front.post(b"", content_length=str(LIMIT + 1), stream=Unreadable())
    assert (status, content) == (413, b'{"error":"request body too large"}')
    status, _ = front.post(b"x" * LIMIT)
    assert status == 401, "a body at the limit is read (and refused for its missing signature)"


@pytest.mark.parametrize("declared", ["abc", "-1", "1e3", "١٢"])
def test_an_unreadable_content_length_is_400(front: Front, declared: str):
    assert front.post(b"x", content_length=declared, stream=Unreadable())[0] == 400


def test_a_body_shorter_than_its_content_length_is_400(front: Front):
    body = command(front.world)
    assert front.post(body, content_length=str(len(body) + 10), headers=signature(body))[0] == 400


def test_only_post_reaches_the_gate(front: Front):
    assert front.post(b"", method="GET")[0] == 405


# -- the log ------------------------------------------------------------------------------


def test_refusals_write_one_line_per_reason_per_interval_counting_the_rest(caplog):
    clock = ManualClock()
    log = RefusalLog(clock, every=10)
    with caplog.at_level(logging.WARNING, logger="auditbot.slack.refused"):
        written = [log.refused(401, "bad signature") for _ in range(1000)]
        log.refused(400, "body is not UTF-8")
        clock.advance(9.9)
        log.refused(401, "bad signature")
        clock.advance(0.1)
        log.refused(401, "bad signature")
    assert written.count(True) == 1
    assert [r.getMessage() for r in caplog.records] == [
        "refused a request with 401: bad signature",
        "refused a request with 400: body is not UTF-8",
        "refused a request with 401: bad signature; 1000 more like it since the last such line",
    ]


def test_a_librarys_per_request_warning_is_throttled_to_one_line_per_interval(caplog):
    clock = ManualClock()
    name = "auditbot.tests.waitress-like"
    throttle_logger(name, clock, every=10)
    throttle_logger(name, clock, every=10)
    chatty = logging.getLogger(name)
    assert len(chatty.filters) == 1, "installed once"
    with caplog.at_level(logging.WARNING, logger=name):
        for depth in range(1, 501):
            chatty.warning("Task queue depth is %d", depth)
        chatty.warning("total open connections reached the connection limit")
        clock.advance(10)
        chatty.warning("Task queue depth is %d", 7)
    assert caplog.messages == [
        "Task queue depth is 1",
        "total open connections reached the connection limit",
        "Task queue depth is 7; 499 more like it since the last such line",
    ]


def test_verbose_logging_never_shows_an_unsigned_body(front: Front):
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    try:
        configure_logging(verbose=True, stream=stream)
        root.setLevel(logging.DEBUG)  # below -v, to see what Bolt and waitress would say
        for spoil in BAD_HEADERS.values():
            body = command(front.world, MARKER)
            front.post(body, headers={**signature(body), **spoil} if spoil else {})
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    text = stream.getvalue()
    assert "slack request answered 401" in text
    assert MARKER not in text
    assert "Traceback" not in text


# -- fuzzing --------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20)
)


def _nested(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4))


_json = st.recursive(_scalars, _nested, max_leaves=20)
_kinds = st.sampled_from(
    ["block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion", "x"]
)
_ids = st.one_of(st.sampled_from([*ids.BLOCK_ACTIONS, *ids.SHORTCUTS, *ids.VIEWS, *ids.OPTIONS]), _json)
_shapes = st.fixed_dictionaries(
    {"type": st.one_of(_kinds, _json)},
    optional={
        "user": st.one_of(st.fixed_dictionaries({"id": st.one_of(st.just(seed.JANE), _json)}), _json),
        "actions": st.one_of(
            st.lists(st.fixed_dictionaries({"action_id": _ids, "value": _json}, optional={"type": _json})), _json
        ),
        "callback_id": _ids,
        "action_id": _ids,
        "value": _json,
        "view": st.one_of(
            st.fixed_dictionaries({}, optional={"type": _json, "callback_id": _ids, "state": _json}), _json
        ),
        "channel": _json,
        "trigger_id": _json,
        "team": _json,
        "enterprise": _json,
        "container": _json,
        "response_url": st.one_of(st.sampled_from(["https://evil.example/x", "http://[::1", ""]), _json),
    },
)
_command_fields = st.fixed_dictionaries(
    {"command": st.one_of(st.just(ids.COMMAND), st.text(max_size=10))},
    optional={
        name: st.one_of(st.text(max_size=30), st.sampled_from(["help", "pause x", "bot-log", "digest schedule"]))
        for name in ("text", "user_id", "channel_id", "team_id", "trigger_id", "token", "ssl_check", "x")
    },
)
_bodies = st.one_of(
    st.binary(max_size=300).map(lambda raw: (raw, FORM)),
    _command_fields.map(lambda fields: (urlencode({**fields, "response_url": "https://evil.example/"}).encode(), FORM)),
    _json.map(lambda value: (payload(value), FORM)),
    _shapes.map(lambda shape: (payload(shape), FORM)),
    _json.map(lambda value: (json.dumps(value).encode(), JSON)),
    st.tuples(st.text(max_size=200).map(str.encode), st.sampled_from([FORM, JSON, "text/plain", ""])),
    st.sampled_from([10, 70, 5_000]).map(lambda depth: (_deep(depth), FORM)),
)
_signing = st.one_of(
    st.just("signed"),
    st.just("unsigned"),
    st.fixed_dictionaries(
        {
            "X-Slack-Request-Timestamp": st.one_of(st.text(max_size=12), st.sampled_from(["abc", "", "1.5", "1e9"])),
            "X-Slack-Signature": st.one_of(st.text(max_size=70), st.just("v0=" + "0" * 64)),
        }
    ),
)


FUZZ = settings(
    max_examples=int(os.environ.get("GATE_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(body=_bodies, signing=_signing, method=st.sampled_from(["POST"] * 8 + ["GET", "PUT"]))
def test_fuzzed_requests_get_2xx_or_4xx_without_a_traceback_and_only_signed_ones_act(
    front: Front, body: tuple[bytes, str], signing: str | dict[str, str], method: str, caplog
):
    raw, content_type = body
    headers = signature(raw) if signing == "signed" else {} if signing == "unsigned" else signing
    assert isinstance(headers, dict)
    before = front.effects()
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        status, _ = front.post(raw, content_type=content_type, headers=headers, method=method)
    event(f"{signing if isinstance(signing, str) else 'spoiled signature'}: {status}")
    assert 200 <= status < 500, status
    no_tracebacks(caplog.records)
    if method != "POST":
        assert status == 405
    elif signing != "signed":
        assert status == 401
    if status >= 400 or signing != "signed":
        assert front.effects() == before, "a refused request changed nothing"
