"""The access guard and the listeners read the same words: a viewer's admin subcommand is refused however it is
encoded, and every state-changing use case checks its permission again itself.

Signed requests go into the real app guarded as in production (the access guard, its refusals written to the bot's
trail by ``runtime.slack.denial_recorder``). Policy: Jane is an admin, Maya a viewer, Ravi nobody.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pytest

from auditbot.core.access import DENIED_MESSAGE, AccessPolicy, Permission
from auditbot.core.errors import AuditbotError
from auditbot.playground import seed
from auditbot.runtime.slack import denial_recorder
from auditbot.sandbox import GeneratedOrg
from auditbot.services.bot_trail import TrailEntry
from auditbot.slack.directory import SlackDirectory
from auditbot.slack.listeners import alerts, botlog, interactions, schedules, subscriptions
from auditbot.slack.listeners.permits import require
from auditbot.slack.middleware.guard import access_guard
from auditbot.slack.payloads import Click, Command, Who, read_payload
from tests.slack.harness import SlackWorld
from tests.slack.test_access_matrix import POLICY, Late

JANE, MAYA, RAVI = seed.JANE, seed.MAYA, seed.RAVI

ENCODINGS: dict[str, Callable[[str], str]] = {
    "plain": lambda w: w,
    "upper case": str.upper,
    "mixed case": lambda w: "".join(c.upper() if i % 2 else c for i, c in enumerate(w)),
    "decimal entity": lambda w: f"&#{ord(w[0])};{w[1:]}",
    "hex entities": lambda w: "".join(f"&#x{ord(c):x};" for c in w),
    "empty link": lambda w: f"<|x>{w}",
    "link target": lambda w: f"<{w}>",
    "link with a label": lambda w: f"<{w}|see here>",
    "mailto link": lambda w: f"<mailto:{w}|{w}>",
    "spaces around": lambda w: f"   {w}  ",
    "tabs and newlines": lambda w: f"\t\n{w}\n",
    "zero-width space inside": lambda w: f"{w[:2]}\u200b{w[2:]}",
    "byte order mark and joiner": lambda w: f"\ufeff{w}\u200d",
    "word joiner": lambda w: f"{w}\u2060",
    "soft hyphen inside": lambda w: f"{w[:1]}\u00ad{w[1:]}",
    "direction marks": lambda w: f"\u200e{w}\u200f",
    "no-break spaces": lambda w: f"\u00a0{w}\u00a0",
    "no-break space entity": lambda w: f"&nbsp;{w}",
    "fullwidth letters": lambda w: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in w),
    "entity and link and case": lambda w: f"<|x>&#{ord(w[0].upper())};{w[1:].upper()}",
}


@dataclass
class Guarded:
    world: SlackWorld
    active: str
    paused: str
    schedule: str

    def state(self) -> tuple[object, ...]:
        w = self.world
        subs = sorted((s.id, s.paused, s.channel_id, s.query) for s in w.subscriptions.of_team(seed.TEAM.id))
        schedules = sorted((s.id, s.times, s.query) for s in w.schedules.of_team(seed.TEAM.id))
        return subs, schedules, len(w.snoozes.of_team(seed.TEAM.id)), w.alerts_changed

    def newest(self) -> TrailEntry:
        return self.world.trail.recent(limit=1)[0]


def production_guarded(org: GeneratedOrg, policy: AccessPolicy = POLICY) -> SlackWorld:
    """A world whose access guard writes its refusals into the bot's trail, as ``build_runtime`` sets it up."""
    late = Late()
    recorders: list[Callable[..., None]] = []
    guard = access_guard(policy, late, on_decision=lambda *args: recorders[0](*args))
    world = SlackWorld(org, middleware=[guard], access=policy)
    late.directory = SlackDirectory(world.client, timer=world.clock.monotonic)
    recorders.append(denial_recorder(world.deps, world.client))
    return world


@contextmanager
def guarded_world(org: GeneratedOrg) -> Iterator[Guarded]:
    """A production-guarded world with an active and a paused subscription and a schedule to act on."""
    world = production_guarded(org)
    try:
        active = world.subscribe("action:added_org_admin")
        paused = world.subscribe("action:user_login_failed")
        world.subscriptions.pause(paused.id)
        schedule = world.schedules.create(
            team_id=seed.TEAM.id, channel_id=seed.SEC_ALERTS, times="09:00", tz="UTC", query="", created_by=JANE
        )
        yield Guarded(world, active.id, paused.id, schedule.id)
    finally:
        world.close()


@pytest.fixture(scope="module")
def guarded(org: GeneratedOrg) -> Iterator[Guarded]:
    with guarded_world(org) as made:
        yield made


ADMIN_SUBCOMMANDS = ("bot-log", "subscribe", "unsubscribe", "pause", "resume", "digest schedule", "digest unschedule")


def admin_text(g: Guarded, subcommand: str, encode: Callable[[str], str]) -> str:
    args = {
        "bot-log": "",
        "subscribe": "action:added_org_admin",
        "unsubscribe": g.active,
        "pause": g.active,
        "resume": g.paused,
        "digest schedule": "10:00",
        "digest unschedule": g.schedule,
    }[subcommand]
    return " ".join([*(encode(word) for word in subcommand.split()), args]).rstrip(" ")


def command_body(text: str, user: str) -> dict[str, Any]:
    return {
        "command": "/audit",
        "text": text,
        "user_id": user,
        "team_id": seed.TEAM.id,
        "channel_id": seed.SEC_ALERTS,
        "response_url": "https://hooks.slack.com/commands/T/1/x",
        "trigger_id": "t",
    }


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("subcommand", ADMIN_SUBCOMMANDS)
def test_a_viewer_is_refused_every_admin_subcommand_in_every_encoding(guarded: Guarded, subcommand: str, encoding: str):
    text = admin_text(guarded, subcommand, ENCODINGS[encoding])
    read = read_payload(command_body(text, MAYA))
    assert isinstance(read, Command)
    words = subcommand.split()
    assert read.subcommand.verb == words[0], "the parser takes this encoding as the subcommand"
    if len(words) > 1:
        assert read.inner.verb == words[1]
    before, replies = guarded.state(), len(guarded.world.replies())

    response = guarded.world.command(text, user=MAYA)

    assert json.loads(str(response.body))["text"] == DENIED_MESSAGE
    assert len(guarded.world.replies()) == replies, "nothing but the refusal reached the person"
    assert guarded.state() == before, "nothing changed in the store"
    refusal = guarded.newest()
    assert (refusal.kind, refusal.outcome, refusal.user_id, refusal.query) == ("denied", "denied", MAYA, text)
    assert refusal.team_id == seed.TEAM.id, "the trail records the identity the guard checked, team included"
    assert refusal.detail is not None and refusal.detail.startswith("admin command")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_an_admin_is_understood_in_every_encoding(org: GeneratedOrg, encoding: str):
    world = production_guarded(org)
    try:
        sub = world.subscribe("action:added_org_admin")
        world.command(f"{ENCODINGS[encoding]('pause')} {sub.id}", user=JANE)
        assert world.subscriptions.of_team(seed.TEAM.id)[0].paused
        assert world.trail.recent(limit=1)[0].kind == "pause"
    finally:
        world.close()


# -- every state-changing use case checks again --------------------------------------------------------


@pytest.fixture
def unguarded(org: GeneratedOrg) -> Iterator[SlackWorld]:
    """No access guard in front: only the use cases' own checks stand between a request and the store."""
    world = SlackWorld(org, access=POLICY)
    try:
        yield world
    finally:
        world.close()


def who(user: str) -> Who:
    return Who(user, seed.TEAM.id, seed.SEC_ALERTS)


def click_by(user: str, action_id: str, value: str) -> Click:
    read = read_payload(
        {
            "type": "block_actions",
            "team": {"id": seed.TEAM.id},
            "user": {"id": user},
            "trigger_id": "t",
            "channel": {"id": seed.SEC_ALERTS},
            "response_url": "https://hooks.slack.com/actions/T/1/x",
            "actions": [{"action_id": action_id, "value": value}],
        }
    )
    assert isinstance(read, Click)
    return read


def command_by(user: str, text: str) -> Command:
    read = read_payload(command_body(text, user))
    assert isinstance(read, Command)
    return read


UseCase = Callable[[SlackWorld, str], object]


def _ignore(*_: Any, **__: Any) -> None:
    return None


USE_CASES: dict[str, tuple[UseCase, str]] = {
    "pause": (lambda w, u: subscriptions.change(w.deps, w.client, who(u), "pause", _sub(w)), MAYA),
    "resume": (lambda w, u: subscriptions.change(w.deps, w.client, who(u), "resume", _sub(w)), MAYA),
    "unsubscribe": (lambda w, u: subscriptions.change(w.deps, w.client, who(u), "unsubscribe", _sub(w)), MAYA),
    "subscribe": (
        lambda w, u: subscriptions.subscribe_confirmed(
            w.deps, w.client, _ignore, who(u), f"{seed.SEC_ALERTS} action:user_login"
        ),
        MAYA,
    ),
    "schedule": (lambda w, u: schedules.schedule(w.deps, w.client, _ignore, who(u), "10:00 UTC"), MAYA),
    "unschedule": (lambda w, u: schedules.unschedule(w.deps, w.client, _ignore, who(u), _schedule(w)), MAYA),
    "bot-log": (lambda w, u: botlog.bot_log(w.deps, w.client, _ignore, command_by(u, "bot-log")), MAYA),
    "export": (
        lambda w, u: interactions.export_csv(w.deps, w.client, _ignore, click_by(u, "export_csv", "p1.x|[]|")),
        MAYA,
    ),
    "ack": (lambda w, u: alerts.acknowledge_alert(w.deps, w.client, _ignore, click_by(u, "alert_ack", "e|*")), RAVI),
    "ack all": (
        lambda w, u: alerts.acknowledge_burst(w.deps, w.client, _ignore, click_by(u, "alert_ack_batch", "b")),
        RAVI,
    ),
    "snooze": (
        lambda w, u: alerts.snooze_alert(w.deps, w.client, _ignore, click_by(u, "alert_snooze", "1h|*|e")),
        RAVI,
    ),
}


def _sub(world: SlackWorld) -> str:
    return world.subscriptions.of_team(seed.TEAM.id)[0].id


def _schedule(world: SlackWorld) -> str:
    return world.schedules.of_team(seed.TEAM.id)[0].id


@pytest.mark.parametrize("use_case", USE_CASES)
def test_every_state_changing_use_case_refuses_a_person_the_policy_does_not_allow(unguarded: SlackWorld, use_case: str):
    run, person = USE_CASES[use_case]
    unguarded.subscribe("action:added_org_admin")
    unguarded.schedules.create(
        team_id=seed.TEAM.id, channel_id=seed.SEC_ALERTS, times="09:00", tz="UTC", query="", created_by=JANE
    )
    before = Guarded(unguarded, "", "", "").state()
    with pytest.raises(AuditbotError) as refused:
        run(unguarded, person)
    assert refused.value.message == DENIED_MESSAGE
    assert Guarded(unguarded, "", "", "").state() == before
    assert unguarded.workspace.files == [] and unguarded.calls("chat.postMessage") == []
    refusal = unguarded.trail.recent(limit=1)[0]
    assert (refusal.outcome, refusal.user_id, refusal.team_id) == ("denied", person, seed.TEAM.id)


def test_the_check_asks_the_same_policy_for_the_same_person(unguarded: SlackWorld):
    require(unguarded.deps, None, who(JANE), Permission.ADMIN, "pause")
    require(unguarded.deps, None, who(MAYA), Permission.SEARCH, "ack")
    with pytest.raises(AuditbotError):
        require(unguarded.deps, None, who(MAYA), Permission.EXPORT, "export")
    unset = replace(unguarded.deps, access=None)  # no guard set up: nothing to check against
    require(unset, None, who(RAVI), Permission.ADMIN, "pause")
