"""Digest schedules through the real app: ``/audit digest schedule``, ``schedules`` and ``unschedule``.

Everything is a signed request into the Bolt app; what is checked is what the Slack stand-in
recorded (replies, posts, joins), what the store holds and what the bot's trail says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from auditbot.core.access import DENIED_MESSAGE, Permission
from auditbot.playground import seed
from auditbot.sandbox import GeneratedOrg
from auditbot.services.schedules import HandoffSchedule
from auditbot.slack.middleware.guard import read_request
from auditbot.slack.payloads import read_payload
from tests.slack.harness import SlackWorld
from tests.slack.test_access_matrix import POLICY, guarded_world

JANE, MAYA, RAVI = seed.JANE, seed.MAYA, seed.RAVI
EXAMPLE = "<#C0ITOPS001|it-ops> 09:00,21:00 Europe/Berlin -actor:<mailto:svc@example.com|svc@example.com>"


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def schedules(world: SlackWorld) -> list[HandoffSchedule]:
    return world.schedules.of_team(seed.TEAM.id)


def digest(world: SlackWorld, text: str, *, user: str = JANE, channel: str = seed.SEC_ALERTS) -> str:
    world.command(f"digest {text}".strip(), user=user, channel=channel)
    return text_of(world.last_reply())


def unix(when: datetime) -> str:
    return f"<!date^{int(when.timestamp())}^"


# -- schedule -----------------------------------------------------------------------------------------


def test_scheduling_a_channel_with_times_zone_and_filters(slack: SlackWorld):
    reply = digest(slack, f"schedule {EXAMPLE}")
    (made,) = schedules(slack)
    assert (made.channel_id, made.times, made.tz) == (seed.IT_OPS, "09:00,21:00", "Europe/Berlin")
    assert (made.query, made.created_by, made.team_id) == ("-actor:svc@example.com", JANE, seed.TEAM.id)
    assert made.id in reply and f"<#{seed.IT_OPS}>" in reply
    assert "09:00, 21:00 (Europe/Berlin)" in reply and "`-actor:svc@example.com`" in reply
    assert unix(datetime(2026, 11, 25, 20, 0, tzinfo=UTC)) in reply, "next: 21:00 in Berlin, on the 25th at 13:00"
    assert f"/audit digest unschedule {made.id}" in reply
    assert [c["channel"] for c in slack.calls("conversations.join")] == [seed.IT_OPS]
    note = slack.workspace.messages(seed.IT_OPS)[-1]
    assert f"<@{JANE}> scheduled the on-call handoff digest in this channel at 09:00, 21:00 (Europe/Berlin)" in text_of(
        note.blocks
    )
    entry = slack.trail.recent()[0]
    assert (entry.kind, entry.query, entry.outcome) == ("schedule", made.query, "ok")
    assert entry.detail == f"digest {made.id} in {seed.IT_OPS} at 09:00,21:00 Europe/Berlin"


def test_the_channel_and_zone_default_to_where_and_who_asks(slack: SlackWorld):
    reply = digest(slack, "schedule 21:00, 9:00", channel=seed.INCIDENTS)  # private, auditbot is a member
    (made,) = schedules(slack)
    assert (made.channel_id, made.times, made.tz, made.query) == (seed.INCIDENTS, "09:00,21:00", "Europe/Berlin", "")
    assert "every event" in reply and "your Slack time zone" in reply
    assert slack.calls("conversations.join") == []
    digest(slack, "schedule 7:30 action:user_login_failed", user=MAYA)
    (maya,) = [s for s in schedules(slack) if s.created_by == MAYA]
    assert (maya.tz, maya.times, maya.query) == ("America/Los_Angeles", "07:30", "action:user_login_failed")


def test_zone_names_are_read_in_any_case(slack: SlackWorld):
    digest(slack, "schedule 08:00 america/new_york")
    slack.clock.advance(1)
    digest(slack, 'schedule 08:00 utc group:"API tokens"')
    assert [(s.tz, s.query) for s in schedules(slack)] == [("America/New_York", ""), ("UTC", 'group:"API tokens"')]


def test_scheduling_the_same_again_makes_nothing_new(slack: SlackWorld):
    digest(slack, f"schedule {EXAMPLE}")
    reply = digest(slack, "schedule <#C0ITOPS001|it-ops> 21:00,09:00 europe/berlin -actor:SVC@example.com")
    assert "already existed" in reply
    assert len(schedules(slack)) == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("schedule", "At what times should the digest be posted?"),
        ("schedule <#C0ITOPS001|it-ops>", "At what times should the digest be posted?"),
        ("schedule 25:00", "25:00 is not a time of day: hours go from 00 to 23"),
        ("schedule 9am Europe/Berlin", "Did you mean 09:00?"),
        ("schedule 09:00,,21:00", "empty time between its commas"),
        ("schedule action:user_login", "action:user_login is not a time of day"),
    ],
)
def test_bad_times_are_explained(slack: SlackWorld, text: str, says: str):
    reply = digest(slack, text)
    assert says in reply and "Traceback" not in reply
    assert schedules(slack) == [] and slack.calls("conversations.join") == []


@pytest.mark.parametrize(
    ("zone", "suggested"),
    [("Europe/Berln", "Europe/Berlin"), ("Berlin", "Europe/Berlin"), ("Mars/Olympus_Mons", "America/New_York")],
)
def test_an_unknown_zone_is_explained_with_an_example(slack: SlackWorld, zone: str, suggested: str):
    reply = digest(slack, f"schedule 09:00 {zone} action:user_login")
    assert f"{zone} is not a time zone auditbot knows" in reply and suggested in reply
    assert schedules(slack) == []


def test_bad_filters_point_at_the_problem(slack: SlackWorld):
    reply = digest(slack, "schedule 09:00 Europe/Berlin acter:bob")
    assert "acter" in reply and "actor:" in reply
    reply = digest(slack, "schedule 09:00 action:user_logn_failed")
    assert "action:user_login_failed" in reply
    assert schedules(slack) == []


@pytest.mark.parametrize("when", ["last:7d", "since:yesterday", "until:2026-11-20"])
def test_time_terms_are_refused_with_what_to_do(slack: SlackWorld, when: str):
    reply = digest(slack, f"schedule 09:00 Europe/Berlin action:user_login_failed {when}")
    assert "which events, not when" in reply and "each digest covers the time since the one before it" in reply
    assert "`action:user_login_failed`" in reply, "the filters without the time term are suggested"
    assert schedules(slack) == []


def test_a_channel_typed_as_plain_text_is_explained(slack: SlackWorld):
    assert "as Slack links it" in digest(slack, "schedule #it-ops 09:00")


def test_a_private_channel_auditbot_is_not_in_asks_for_an_invitation(slack: SlackWorld):
    reply = digest(slack, "schedule <#C0HRPRIVAT|hr-private> 09:00")
    assert "Invite me first: /invite @auditbot in #hr-private" in reply
    assert schedules(slack) == [] and slack.workspace.messages(seed.HR_PRIVATE) == []


def test_without_a_store_the_commands_say_they_need_one(slack: SlackWorld):
    slack.with_deps(schedules=None)
    for text in ("schedule 09:00", "schedules", "unschedule dg-abc234"):
        assert "Digest schedules need a store" in digest(slack, text)


@pytest.mark.parametrize("text", ["", "shcedule 09:00"])
def test_an_unknown_digest_command_shows_the_three(slack: SlackWorld, text: str):
    reply = digest(slack, text)
    assert "/audit digest schedule [#channel] &lt;times&gt; [time zone] [filters]" in reply
    assert "/audit digest schedules" in reply and "/audit digest unschedule" in reply


# -- schedules and unschedule --------------------------------------------------------------------------


def test_the_list_shows_every_schedule_of_the_workspace(slack: SlackWorld):
    digest(slack, f"schedule {EXAMPLE}")
    slack.clock.advance(1)
    digest(slack, "schedule 07:00 Asia/Kolkata", user=RAVI, channel=seed.INCIDENTS)
    mine, theirs = schedules(slack)
    slack.schedules.claim_slot(theirs.id, datetime(2026, 11, 25, 1, 30, tzinfo=UTC), "replica-a")
    slack.schedules.failed(theirs.id, datetime(2026, 11, 25, 1, 30, tzinfo=UTC), "<!channel> refused *everything*")
    elsewhere = slack.schedules.create(
        team_id="T0OTHER01", channel_id="C0ELSEWHR", times="09:00", tz="UTC", query="", created_by=RAVI
    )
    reply = digest(slack, "schedules", user=MAYA)
    for made in (mine, theirs):
        assert made.id in reply and f"<#{made.channel_id}>" in reply and f"<@{made.created_by}>" in reply
    assert "09:00, 21:00 (Europe/Berlin)" in reply and "07:00 (Asia/Kolkata)" in reply
    assert "`-actor:svc@example.com`" in reply and "Every event" in reply
    assert "not run yet" in reply and "last run <!date^" in reply
    assert "&lt;!channel&gt; refused *everything*" in reply and "<!channel>" not in reply
    assert unix(datetime(2026, 11, 26, 1, 30, tzinfo=UTC)) in reply, "next 07:00 in Kolkata"
    assert elsewhere.id not in reply
    narrowed = digest(slack, "schedules kolkata")
    assert theirs.id in narrowed and mine.id not in narrowed


def test_an_empty_list_says_how_to_add_one(slack: SlackWorld):
    assert "No digest schedules yet" in digest(slack, "schedules")


def test_unschedule_by_id_with_or_without_its_prefix(slack: SlackWorld):
    digest(slack, f"schedule {EXAMPLE}")
    slack.clock.advance(1)
    digest(slack, "schedule 08:00")
    first, second = schedules(slack)
    reply = digest(slack, f"unschedule {first.id.upper()}")
    assert f"Removed `{first.id}`" in reply and f"<#{seed.IT_OPS}>" in reply
    digest(slack, f"unschedule {second.id.removeprefix('dg-')}")
    assert schedules(slack) == []
    assert [(e.kind, e.detail) for e in slack.trail.recent()[:2]] == [
        ("unschedule", f"digest {second.id} in {seed.SEC_ALERTS} at 08:00 Europe/Berlin"),
        ("unschedule", f"digest {first.id} in {seed.IT_OPS} at 09:00,21:00 Europe/Berlin"),
    ]


def test_an_unknown_id_says_how_to_find_ids(slack: SlackWorld):
    other = slack.schedules.create(
        team_id="T0OTHER01", channel_id="C0ELSEWHR", times="09:00", tz="UTC", query="", created_by=RAVI
    )
    for text in ("unschedule dg-nothere", f"unschedule {other.id}", "unschedule", "unschedule <!channel>"):
        reply = digest(slack, text)
        assert "/audit digest schedules lists every digest schedule" in reply, text
        assert "<!channel>" not in reply
    assert slack.schedules.get(other.id) is not None


# -- who may ------------------------------------------------------------------------------------------


@pytest.fixture
def guarded(org: GeneratedOrg) -> Iterator[SlackWorld]:
    """Jane is an admin, Maya a viewer; auditbot answers in #sec-alerts and the (shared) #ext-acme-security."""
    world, _ = guarded_world(org, POLICY)
    world.with_deps(access=POLICY)
    try:
        yield world
    finally:
        world.close()


@pytest.mark.parametrize("text", ["digest schedule 09:00", "digest unschedule dg-abc234", "DIGEST Schedule 9:00"])
def test_people_who_are_not_admins_may_not_change_schedules(guarded: SlackWorld, text: str):
    made = guarded.schedules.create(
        team_id=seed.TEAM.id, channel_id=seed.SEC_ALERTS, times="09:00", tz="UTC", query="", created_by=JANE
    )
    response = guarded.command(text.replace("dg-abc234", made.id), user=MAYA)
    assert json.loads(str(response.body))["text"] == DENIED_MESSAGE
    assert guarded.replies() == [], "the refusal is the acknowledgement itself"
    assert schedules(guarded) == [made]


def test_viewers_may_list_and_admins_may_schedule_in_allowed_channels(guarded: SlackWorld):
    digest(guarded, "schedule 09:00")
    (made,) = schedules(guarded)
    assert made.channel_id == seed.SEC_ALERTS
    assert made.id in digest(guarded, "schedules", user=MAYA)


def test_a_channel_the_policy_does_not_allow_is_refused(guarded: SlackWorld):
    reply = digest(guarded, "schedule <#C0ITOPS001|it-ops> 09:00")
    assert "may not post handoff digests in #it-ops" in reply and "not one of the channels" in reply
    assert schedules(guarded) == [] and guarded.calls("conversations.join") == []
    denied = [e for e in guarded.trail.recent() if e.outcome == "denied" and e.kind == "schedule"]
    assert denied and seed.IT_OPS in (denied[0].detail or "")


@pytest.mark.parametrize(
    ("text", "permission"),
    [
        ("digest schedule #x 09:00", Permission.ADMIN),
        ("digest  UNSCHEDULE dg-abc234", Permission.ADMIN),
        ("digest schedules", Permission.SEARCH),
        ("digest", Permission.SEARCH),
        ("digest schedulesx", Permission.SEARCH),
        ("schedule 09:00", Permission.SEARCH),
        ("subscribe action:x", Permission.ADMIN),
    ],
)
def test_the_guard_reads_digest_schedule_and_unschedule_as_admin(text: str, permission: Permission):
    body = {
        "command": "/audit",
        "text": text,
        "user_id": MAYA,
        "team_id": seed.TEAM.id,
        "channel_id": seed.SEC_ALERTS,
        "response_url": "https://hooks.slack.com/commands/T/1/x",
        "trigger_id": "t",
    }
    asking = read_request(read_payload(body))
    assert asking is not None and asking.permissions == (permission,)
