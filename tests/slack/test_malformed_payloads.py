"""Signed requests the app cannot read: a 400 and one short warning, never a traceback, never an effect.

Everything goes through the real app, guarded as in production (see ``test_one_reading``). Bodies reach
Bolt already parsed as a JSON object (the HTTP front door refuses anything else before Bolt sees it), so
the shapes here are objects whose fields are missing, of the wrong type, contradictory or too big.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from slack_bolt import BoltRequest, BoltResponse

from auditbot.core.access import DENIED_MESSAGE, AccessPolicy
from auditbot.core.paging import PageStateCodec, PageStateError
from auditbot.playground import seed
from auditbot.sandbox import GeneratedOrg
from auditbot.slack import ids
from auditbot.slack.payloads import MalformedPayload, read_payload
from auditbot.slack.refusals import EVERY_SECONDS
from auditbot.store.audit_trail import AuditTrail
from tests.slack.harness import signed
from tests.slack.test_one_reading import Guarded, guarded_world, production_guarded

JANE, MAYA, RAVI = seed.JANE, seed.MAYA, seed.RAVI
EXAMPLES = int(os.environ.get("PAYLOAD_EXAMPLES", "150"))


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> Records:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *_: object) -> None:
        logging.getLogger().removeHandler(self)

    def loud(self) -> list[str]:
        """Every record at ERROR or above, or carrying a traceback."""
        return [f"{r.name}: {r.getMessage()}" for r in self.records if r.levelno >= logging.ERROR or r.exc_info]

    def warnings_from(self, name: str) -> list[str]:
        return [r.getMessage() for r in self.records if r.name == name and r.levelno == logging.WARNING]


@pytest.fixture(scope="module")
def guarded(org: GeneratedOrg) -> Iterator[Guarded]:
    with guarded_world(org) as made:
        yield made


def click(g: Guarded, action_id: str, value: str, *, user: Any = MAYA) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": seed.TEAM.id},
        "user": {"id": user, "team_id": seed.TEAM.id},
        "api_app_id": seed.APP_ID,
        "trigger_id": g.world.workspace.new_trigger_id(MAYA),
        "channel": {"id": seed.SEC_ALERTS},
        "container": {"type": "message", "channel_id": seed.SEC_ALERTS, "is_ephemeral": True},
        "response_url": g.world.workspace.new_response_url(seed.SEC_ALERTS, MAYA),
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value}],
    }


def command(g: Guarded, text: str, *, user: str = MAYA) -> dict[str, str]:
    return {
        "command": ids.COMMAND,
        "text": text,
        "user_id": user,
        "team_id": seed.TEAM.id,
        "channel_id": seed.SEC_ALERTS,
        "response_url": g.world.workspace.new_response_url(seed.SEC_ALERTS, MAYA),
        "trigger_id": g.world.workspace.new_trigger_id(MAYA),
    }


def send_payload(g: Guarded, payload: dict[str, Any]) -> BoltResponse:
    return g.world.interaction(payload)


def send_form(g: Guarded, fields: dict[str, str]) -> BoltResponse:
    return g.world.dispatch(urlencode(fields))


def send_event(g: Guarded, body: dict[str, Any]) -> BoltResponse:
    text = json.dumps(body)
    headers = signed(text)
    headers["content-type"] = ["application/json"]
    return g.world.dispatch(text, headers)


def without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


SHAPES: dict[str, Any] = {
    "actions not a list": lambda g: {**click(g, ids.SUBSCRIPTION_PAUSE, g.active), "actions": "subscription_pause"},
    "an action not an object": lambda g: {**click(g, ids.SUBSCRIPTION_PAUSE, g.active), "actions": [1]},
    "no action": lambda g: {**click(g, ids.SUBSCRIPTION_PAUSE, g.active), "actions": []},
    "user as a string": lambda g: {**click(g, ids.SUBSCRIPTION_PAUSE, g.active), "user": JANE},
    "user id as a number": lambda g: click(g, ids.SUBSCRIPTION_PAUSE, g.active, user=7),
    "no user": lambda g: without(click(g, ids.SUBSCRIPTION_PAUSE, g.active), "user"),
    "team as a string": lambda g: {**click(g, ids.SUBSCRIPTION_PAUSE, g.active), "team": seed.TEAM.id},
    "no trigger_id": lambda g: without(click(g, ids.SUBSCRIPTION_PAUSE, g.active), "trigger_id"),
    "a huge value": lambda g: click(g, ids.SUBSCRIPTION_PAUSE, "x" * 500_000),
    "a huge action id": lambda g: click(g, "x" * 100_000, g.active),
    "channel as a list": lambda g: {**click(g, ids.SUBSCRIPTION_PAUSE, g.active), "channel": [seed.SEC_ALERTS]},
    "two channels": lambda g: {**click(g, ids.SUBSCRIPTION_PAUSE, g.active), "channel": {"id": seed.IT_OPS}},
    "a viewer's user_id beside an admin's user": lambda g: {
        **click(g, ids.SUBSCRIPTION_PAUSE, g.active, user=JANE),
        "user_id": MAYA,
    },
    "an admin's user_id beside a viewer's user": lambda g: {
        **click(g, ids.SUBSCRIPTION_PAUSE, g.active),
        "user_id": JANE,
    },
    "a view without type": lambda g: {
        "type": "view_submission",
        "team": {"id": seed.TEAM.id},
        "user": {"id": JANE},
        "view": {"id": "V1", "callback_id": ids.SEARCH_FORM, "state": {"values": {}}},
    },
    "form values not objects": lambda g: {
        "type": "view_submission",
        "team": {"id": seed.TEAM.id},
        "user": {"id": JANE},
        "view": {"type": "modal", "callback_id": ids.SEARCH_FORM, "state": {"values": {"b": ["x"]}}},
    },
    "a date picker past year 9999": lambda g: {
        "type": "view_submission",
        "team": {"id": seed.TEAM.id},
        "user": {"id": JANE},
        "view": {
            "type": "modal",
            "callback_id": ids.SEARCH_FORM,
            "state": {"values": {ids.FORM_SINCE: {ids.FORM_SINCE: {"selected_date_time": 10**15}}}},
        },
    },
    "an unknown payload type": lambda g: {**click(g, ids.SUBSCRIPTION_PAUSE, g.active), "type": "dialog_submission"},
    "a message shortcut without its message": lambda g: {
        "type": "message_action",
        "callback_id": ids.INVESTIGATE_MESSAGE,
        "team": {"id": seed.TEAM.id},
        "user": {"id": JANE},
        "channel": {"id": seed.SEC_ALERTS},
        "response_url": g.world.workspace.new_response_url(seed.SEC_ALERTS, JANE),
        "trigger_id": "t",
    },
}
FORMS: dict[str, Any] = {
    "a command without user_id": lambda g: without(command(g, f"pause {g.active}", user=JANE), "user_id"),
    "a command with an empty user_id": lambda g: {**command(g, f"pause {g.active}", user=JANE), "user_id": ""},
    "a command without channel_id": lambda g: without(command(g, f"pause {g.active}", user=JANE), "channel_id"),
    "a command without team_id": lambda g: without(command(g, f"pause {g.active}", user=JANE), "team_id"),
    "a command with a huge text": lambda g: command(g, "pause " + "x" * 100_000, user=JANE),
    "a command naming a second user": lambda g: {**command(g, f"pause {g.active}"), "user": JANE},
}
EVENTS: dict[str, Any] = {
    "app home opened without a user": lambda g: {
        "type": "event_callback",
        "team_id": seed.TEAM.id,
        "event": {"type": "app_home_opened", "tab": "home"},
        "event_id": "Ev1",
    },
    "an event that is not an object": lambda g: {"type": "event_callback", "team_id": seed.TEAM.id, "event": "x"},
}


def refused_quietly(g: Guarded, send: Any, body: Any) -> None:
    before, replies, trail = g.state(), len(g.world.replies()), len(g.world.trail.recent(limit=1000))
    g.world.clock.advance(EVERY_SECONDS)  # past the refusal log's interval: a line is due
    with Records() as log:
        response = send(g, body)
    assert response.status == 400
    assert log.loud() == []
    warnings = log.warnings_from("auditbot.slack.refused")
    assert len(warnings) == 1 and len(warnings[0]) < 200, warnings
    assert "x" * 100 not in warnings[0], "the warning carries no request data"
    assert g.state() == before and len(g.world.replies()) == replies
    assert len(g.world.trail.recent(limit=1000)) == trail, "nothing ran, so nothing was recorded"


@pytest.mark.parametrize("shape", SHAPES)
def test_a_malformed_interaction_is_a_400_with_one_warning(guarded: Guarded, shape: str):
    refused_quietly(guarded, send_payload, SHAPES[shape](guarded))


@pytest.mark.parametrize("shape", FORMS)
def test_a_malformed_command_is_a_400_with_one_warning(guarded: Guarded, shape: str):
    refused_quietly(guarded, send_form, FORMS[shape](guarded))


@pytest.mark.parametrize("shape", EVENTS)
def test_a_malformed_event_is_a_400_with_one_warning(guarded: Guarded, shape: str):
    refused_quietly(guarded, send_event, EVENTS[shape](guarded))


def test_a_body_that_is_not_an_object_is_refused_by_the_reader():
    for body in ([1], "payload", 7, None):
        with pytest.raises(MalformedPayload):
            read_payload(body)  # type: ignore[arg-type]


# -- who is checked is who is recorded ------------------------------------------------------------------


def test_a_refusal_is_recorded_under_the_person_who_was_checked(guarded: Guarded):
    send_payload(guarded, click(guarded, ids.SUBSCRIPTION_PAUSE, guarded.active, user=MAYA))
    refusal = guarded.newest()
    assert (refusal.kind, refusal.user_id, refusal.query) == ("denied", MAYA, ids.SUBSCRIPTION_PAUSE)
    assert DENIED_MESSAGE in json.dumps(guarded.world.last_reply())


def test_a_lone_surrogate_in_a_user_id_is_refused_and_still_recorded(guarded: Guarded):
    before = guarded.state()
    with Records() as log:
        response = send_payload(guarded, click(guarded, ids.SUBSCRIPTION_PAUSE, guarded.active, user="\ud800"))
    assert response.status == 200 and log.loud() == []
    assert DENIED_MESSAGE in json.dumps(guarded.world.last_reply())
    assert guarded.state() == before
    refusal = guarded.newest()
    assert (refusal.kind, refusal.outcome, refusal.user_id) == ("denied", "denied", "\\ud800")


def test_the_trail_keeps_any_text(guarded: Guarded):
    trail = AuditTrail(guarded.world.store, guarded.world.clock)
    trail.record(team_id="T\ud800", user_id="U\udfff\x00", kind="denied", outcome="denied", detail="a\ud83d")
    entry = trail.recent(limit=1)[0]
    assert (entry.team_id, entry.user_id, entry.detail) == ("T\\ud800", "U\\udfff", "a\\ud83d")


def test_a_page_button_with_a_lone_surrogate_is_refused_cleanly(guarded: Guarded):
    with pytest.raises(PageStateError, match="not a page reference"):
        PageStateCodec(b"0123456789abcdef", "s").decode("p1.\ud800|[1,0,0,[]]|q")
    refused_quietly(guarded, send_payload, click(guarded, ids.PAGE_NEXT, "p1.\ud800|[1,0,0,[]]|q", user=JANE))


def test_an_unprintable_user_id_is_refused_even_by_an_open_door(org: GeneratedOrg):
    world = production_guarded(org, AccessPolicy(open=True))
    try:
        g = Guarded(world, world.subscribe("action:x").id, "", "")
        for person in ("U1\nINFO forged line", "U1\x00", "\u202eU1", "\ud800"):
            before = g.state()
            send_payload(g, click(g, ids.SUBSCRIPTION_PAUSE, g.active, user=person))
            assert g.state() == before
            refusal = g.newest()
            assert refusal.outcome == "denied" and "unprintable" in (refusal.detail or "")
        send_payload(g, click(g, ids.SUBSCRIPTION_PAUSE, g.active, user=JANE))
        assert g.state() != before, "the open door lets a readable id through"
    finally:
        world.close()


# -- any shape ---------------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.text(max_size=12)
    | st.sampled_from(["", "\ud800", "x" * 3000, seed.SEC_ALERTS, seed.TEAM.id, JANE, MAYA]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
PEOPLE = st.sampled_from([JANE, MAYA, RAVI, "U0NOBODY0", "\ud800"])


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a JSON value (the root excluded)."""
    found: list[tuple[Any, ...]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        found.append((*prefix, key))
        found.extend(paths(value, (*prefix, key)))
    return found


@st.composite
def mutated(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with one to three fields deleted, replaced by any JSON value, or added."""
    body = json.loads(json.dumps(body))
    for _ in range(draw(st.integers(1, 3))):
        where = paths(body)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent: Any = body
        for key in path[:-1]:
            parent = parent[key]
        operation = draw(st.sampled_from(["delete", "replace", "add"]))
        if operation == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif operation == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["user_id", "user", "channel", "type", "view", "extra"]))] = draw(JSON)
        else:
            parent[path[-1]] = draw(JSON)
    return body


def interaction_templates(g: Guarded, person: str) -> list[dict[str, Any]]:
    state = {"values": {ids.FORM_TEXT: {ids.FORM_TEXT: {"type": "plain_text_input", "value": "login"}}}}
    who = {"team": {"id": seed.TEAM.id}, "user": {"id": person}}
    trigger = g.world.workspace.new_trigger_id(MAYA)
    return [
        click(g, ids.SUBSCRIPTION_PAUSE, g.active, user=person),
        click(g, ids.SUBSCRIPTION_REMOVE, g.active, user=person),
        click(g, ids.SUBSCRIPTION_RESUME, g.paused, user=person),
        click(g, ids.SUBSCRIBE_CONFIRM, f"{seed.SEC_ALERTS} action:user_login", user=person),
        {**who, "type": "view_submission", "view": {"type": "modal", "callback_id": ids.SEARCH_FORM, "state": state}},
        {**who, "type": "block_suggestion", "action_id": ids.FORM_ACTIONS, "value": "log"},
        {**who, "type": "shortcut", "callback_id": ids.SEARCH_SHORTCUT, "trigger_id": trigger},
    ]


def command_texts(g: Guarded) -> list[str]:
    return [f"pause {g.active}", f"unsubscribe {g.active}", f"resume {g.paused}", f"digest unschedule {g.schedule}"]


def allowed_to_change(body: Any) -> bool:
    """Whether the typed reading of ``body`` names the admin (who may change things)."""
    try:
        read = read_payload(body)
    except MalformedPayload:
        return False
    who = getattr(read, "who", None)
    return who is not None and who.user_id == JANE


def bolt_takes(body: dict[str, Any]) -> bool:
    """Whether Bolt can build a request from ``body`` at all. Its request constructor reads a few fields
    (team, user, enterprise, authorizations) before any middleware runs and raises on some types; the
    HTTP front door answers those, so they are not this layer's to answer."""
    try:
        BoltRequest(body=json.dumps(body), headers={"content-type": "application/json"})
    except (TypeError, AttributeError, KeyError, IndexError):
        return False
    return True


def check(g: Guarded, send: Any, body: Any, typed: Any) -> None:
    before = g.state()
    with Records() as log:
        response = send(g, body)
    assert response.status < 500, response.status
    assert log.loud() == []
    assert len(log.warnings_from("auditbot.slack.refused")) <= 1
    if not allowed_to_change(typed):
        assert g.state() == before


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), person=PEOPLE)
def test_any_signed_interaction_shape_is_answered_without_a_500_or_an_effect_it_may_not_have(
    guarded: Guarded, data: st.DataObject, person: str
):
    template = data.draw(st.sampled_from(interaction_templates(guarded, person)))
    body = data.draw(mutated(template))
    assume(bolt_takes(body))
    check(guarded, send_payload, body, body)


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    person=st.sampled_from([JANE, MAYA, RAVI, ""]),
    drop=st.sets(st.sampled_from(["user_id", "team_id", "channel_id", "trigger_id", "response_url", "text"])),
    extra=st.dictionaries(st.sampled_from(["user", "type", "payload_x"]), st.text(max_size=10), max_size=2),
)
def test_any_signed_command_shape_is_answered_without_a_500_or_an_effect_it_may_not_have(
    guarded: Guarded, data: st.DataObject, person: str, drop: set[str], extra: dict[str, str]
):
    text = data.draw(st.sampled_from(command_texts(guarded)))
    fields = {k: v for k, v in {**command(guarded, text, user=person), **extra}.items() if k not in drop}
    check(guarded, send_form, fields, fields)


def test_a_refusal_slack_will_not_open_a_window_for_is_logged_quietly(guarded: Guarded):
    """Found by the search above: a refused global shortcut whose trigger Slack rejects (expired, or
    made up) cannot be answered; that is Slack's answer, not a fault of ours, so no traceback."""
    shortcut = {
        "team": {"id": seed.TEAM.id},
        "user": {"id": RAVI},
        "type": "shortcut",
        "callback_id": "search_audit_log",
        "trigger_id": "0",
    }
    check(guarded, send_payload, shortcut, shortcut)
