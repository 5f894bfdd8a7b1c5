"""Alert messages, burst summaries and parts, snooze and pause notes, and the subscription views.

Checked the way the other renderer tests are: against Slack's limits restated in ``support`` (not
the renderer's own checks), and with the injection corpus in every string, allowing no active
markup but auditbot's dates, validated user mentions and validated channel references.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auditbot.core.errors import AuditbotError
from auditbot.core.model import AuditEvent
from auditbot.core.snooze import CHOICES
from auditbot.core.timespec import TimeWindow
from auditbot.services.delivery import AlertItem
from auditbot.services.search import FoundEvent
from auditbot.services.subscriptions import DryRun, Subscription
from auditbot.slack import ids
from auditbot.slack.render import HomeView, render_home
from auditbot.slack.render.alerts import (
    ACKNOWLEDGED_BLOCK,
    EVERY_SUBSCRIPTION,
    SEVERITY_BLOCK,
    SNOOZED_BLOCK,
    ack_value,
    acknowledged_blocks,
    read_ack_value,
    read_snooze_value,
    render_alert,
    render_burst_part,
    render_burst_summary,
    render_delivery_paused,
    render_snooze_ended,
    render_snoozed,
    snooze_value,
    snoozed_blocks,
)
from auditbot.slack.render.subscriptions import (
    read_subscribe_value,
    render_dry_run,
    render_subscribed,
    render_subscription_changed,
    render_subscription_changed_note,
    render_subscription_note,
    render_subscriptions,
    subscribe_value,
)
from auditbot.slack.render.views import Message
from tests.slack.render.support import (
    CORPUS,
    NOW,
    all_texts,
    assert_inert,
    assert_view_within_limits,
    assert_within_limits,
    make_event,
    mrkdwn_texts,
    poisoned_event,
    utf16,
)

IDS = [f"{i}:{s[:20]!r}" for i, s in enumerate(CORPUS)]
JANE = "U01JANEDOE"
CHANNEL = "C0SECALERT"
EVENT_ID = "25e4c3e7-7f0d-4b84-8028-330fed144a51"


def item(event: AuditEvent | None = None, *subs: str, name: str = "User added to group") -> AlertItem:
    return AlertItem(event or make_event(), name, subs or ("sub-abc234",))


def events(n: int, **attributes: Any) -> list[AuditEvent]:
    made = []
    for i in range(n):
        event = make_event(time=(NOW - timedelta(minutes=i)).isoformat(), **attributes)
        made.append(event.model_copy(update={"id": f"{EVENT_ID[:-4]}{i:04d}"}))
    return made


def subscription(**overrides: Any) -> Subscription:
    fields: dict[str, Any] = {
        "id": "sub-k3x9q2",
        "team_id": "T0PLAYGND",
        "channel_id": CHANNEL,
        "query": "action:added_org_admin",
        "created_by": JANE,
        "created_at": NOW,
    }
    fields.update(overrides)
    return Subscription(**fields)


def elements(message: Message | dict[str, Any]) -> list[dict[str, Any]]:
    blocks = message.blocks if isinstance(message, Message) else message["blocks"]
    found = []
    for block in blocks:
        found += [e for e in block.get("elements", []) if block["type"] == "actions"]
        if block.get("accessory"):
            found.append(block["accessory"])
    return found


def by_action(message: Message | dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for e in elements(message)}


def text(message: Message) -> str:
    return "\n".join(all_texts(message.blocks))


_OURS = re.compile(rf"<@{JANE}>|<#{CHANNEL}>")


def assert_safe(payload: Message | dict[str, Any]) -> None:
    """No active markup but dates, allowed links, Jane's mention and the alert channel's reference."""
    blocks = payload.blocks if isinstance(payload, Message) else payload["blocks"]
    if isinstance(payload, Message):
        assert_inert(_OURS.sub("", payload.text))
    for mrkdwn in mrkdwn_texts(blocks):
        assert_inert(_OURS.sub("", mrkdwn))
    for plain in all_texts(blocks):
        assert not re.search("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", plain)


# -- one alert ------------------------------------------------------------------------------------


def test_an_alert_shows_the_event_like_a_search_result_and_its_subscriptions():
    message = render_alert(item(make_event(), "sub-abc234", "sub-def567"))
    assert_within_limits(message.blocks)
    shown = text(message)
    for part in ("*User added to group*", "by jane@example.com", "from 203.0.113.7 (Sydney, Australia)", "site-admins"):
        assert part in shown
    assert "Matched `sub-abc234`, `sub-def567`" in shown
    assert "User added to group" in message.text and "sub-abc234" in message.text


def test_an_alert_has_acknowledge_snooze_and_details_with_compact_values():
    message = render_alert(item(make_event(), "sub-abc234", "sub-def567"))
    buttons = by_action(message)
    assert read_ack_value(buttons[ids.ALERT_ACK]["value"]) == ("e-1", ("sub-abc234", "sub-def567"))
    assert buttons[ids.EVENT_DETAILS]["value"] == "e-1"
    snooze = buttons[ids.ALERT_SNOOZE]
    assert snooze["type"] == "static_select"
    assert [o["text"]["text"] for o in snooze["options"]] == ["1 hour", "4 hours", "Until 09:00 tomorrow (your time)"]
    read = [read_snooze_value(o["value"]) for o in snooze["options"]]
    assert read == [(choice, ("sub-abc234", "sub-def567"), "e-1") for choice in CHOICES]
    assert all(utf16(o["value"]) <= 150 for o in snooze["options"])


def test_an_acknowledged_alert_says_who_and_when_instead_of_the_button():
    message = render_alert(item(), acknowledged=(JANE, datetime(2026, 11, 20, 14, 2, 31, tzinfo=UTC)))
    assert ids.ALERT_ACK not in by_action(message)
    assert {ids.ALERT_SNOOZE, ids.EVENT_DETAILS} <= set(by_action(message))
    at = int(datetime(2026, 11, 20, 14, 2, 31, tzinfo=UTC).timestamp())
    token = f"<!date^{at}^{{date_short_pretty}} {{time}}|2026-11-20 14:02 UTC>"
    assert f"Acknowledged by <@{JANE}> · {token}" in text(message), "a date each viewer sees in their zone"
    naive = render_alert(item(), acknowledged=(JANE, datetime(2026, 11, 20, 14, 2, 31)))
    assert token in text(naive), "a naive time is UTC"


def test_many_subscriptions_fall_back_to_every_one_in_the_channel_in_values():
    subs = tuple(f"sub-{i:06d}" for i in range(40))
    message = render_alert(item(make_event(), *subs))
    assert "+30 more" in text(message)
    options = by_action(message)[ids.ALERT_SNOOZE]["options"]
    assert all(read_snooze_value(o["value"])[1] == (EVERY_SUBSCRIPTION,) for o in options)
    long_event = make_event().model_copy(update={"id": "x" * 3000})
    assert ack_value(long_event.id, subs).endswith("|*")
    assert snooze_value("1h", subs, long_event.id) is None
    stripped = render_alert(item(long_event, *subs))
    assert set(by_action(stripped)) == set(), "no button can carry such an id"


ORG_SELF = "https://api.atlassian.com/admin/v1/orgs/0c4e-org/events/e-1"


def risky_event(**links: str | None) -> AuditEvent:
    """An admin grant (a risky action) with these event ``links``."""
    data = make_event(action="added_org_admin").model_dump(by_alias=True)
    return AuditEvent.model_validate({**data, "links": links or None})


def test_a_risky_alert_leads_with_its_severity_and_a_plain_one_does_not():
    high = render_alert(item(risky_event(), name="Added organization admin"))
    assert_within_limits(high.blocks)
    assert high.blocks[0]["block_id"] == SEVERITY_BLOCK
    assert ":rotating_light: *High severity*" in text(high)
    assert high.text.startswith("Audit alert (High): Added organization admin")
    assert by_action(high)[ids.ALERT_ACK]["style"] == "danger"
    plain = render_alert(item())
    assert SEVERITY_BLOCK not in str(plain.blocks) and "High" not in text(plain) + plain.text
    assert by_action(plain)[ids.ALERT_ACK]["style"] == "primary"


def test_an_alert_names_its_subscriptions_by_title_with_the_id_beside():
    titles = {"sub-abc234": "Admin grants", "sub-def567": "Added organization admin, API token created +5 more"}
    message = render_alert(item(make_event(), "sub-abc234", "sub-def567", "sub-gone99"), titles=titles)
    assert_within_limits(message.blocks)
    assert (
        "Matched *Admin grants* (`sub-abc234`), *Added organization admin, API token created +5 more* "
        "(`sub-def567`), `sub-gone99`" in text(message)
    )
    assert "(Admin grants, Added organization admin" in message.text
    hostile = render_alert(item(make_event(), "sub-abc234"), titles={"sub-abc234": "*bold* <!channel> `x`"})
    assert_safe(hostile)
    many = {f"sub-{i:06d}": "n" * 80 for i in range(40)}
    crowded = render_alert(item(make_event(), *many), titles=many)
    assert_within_limits(crowded.blocks)
    assert "+30 more" in text(crowded)


def test_an_alert_offers_investigate_and_a_link_to_the_org_audit_log():
    message = render_alert(item(risky_event(self=ORG_SELF)))
    buttons = by_action(message)
    assert buttons[ids.ALERT_INVESTIGATE]["value"] == "e-1"
    assert buttons[ids.ALERT_OPEN_ADMIN]["url"] == "https://admin.atlassian.com/o/0c4e-org/audit-log"
    assert [e["action_id"] for e in elements(message)][-1] == ids.ALERT_OPEN_ADMIN
    for self_link in (
        None,
        "https://evil.example/admin/v1/orgs/x/events/e-1",
        "https://api.atlassian.com/admin/v1/orgs/a b/events/e",
    ):
        assert ids.ALERT_OPEN_ADMIN not in by_action(render_alert(item(risky_event(self=self_link))))


def test_a_snoozed_alert_says_by_whom_and_until_when_on_the_card():
    until = NOW + timedelta(hours=4)
    message = render_alert(item(), snoozed=(JANE, until))
    snoozed = next(b for b in message.blocks if b.get("block_id") == SNOOZED_BLOCK)
    assert f"Snoozed by <@{JANE}> until <!date^{int(until.timestamp())}^" in str(snoozed)
    posted = render_alert(item(), acknowledged=(JANE, NOW)).blocks
    marked = snoozed_blocks(posted, JANE, until)
    again = snoozed_blocks(marked, "U02RAVIKMR", until + timedelta(hours=1))
    assert [b.get("block_id") for b in again].count(SNOOZED_BLOCK) == 1, "set again: the line is replaced"
    assert "U02RAVIKMR" in str(again) and again[-1]["type"] == "actions", "the line goes above the buttons"
    assert [b for b in again if b.get("block_id") != SNOOZED_BLOCK] == posted, "the rest is as it was"
    assert_within_limits(again)


@pytest.mark.parametrize(
    "value", ["", "no-separator", "e-1|", "e-1|SUB-ABC", "e-1|sub-a,<!channel>", "|sub-abc"], ids=repr
)
def test_a_tampered_acknowledge_value_is_refused(value):
    with pytest.raises(AuditbotError, match="could not be read"):
        read_ack_value(value)


@pytest.mark.parametrize("value", ["", "1h|sub-a", "forever|sub-a|e-1", "1h||e-1", "1h|sub-a|", "1h|x y|e-1"], ids=repr)
def test_a_tampered_snooze_value_is_refused(value):
    with pytest.raises(AuditbotError, match="could not be read"):
        read_snooze_value(value)


def test_marking_posted_blocks_acknowledged_drops_the_button_once():
    summary = render_burst_summary([item()], total=3, batch="b-1")
    marked = acknowledged_blocks(summary.blocks, JANE, NOW)
    assert ids.ALERT_ACK_BATCH not in str(marked)
    assert [b.get("block_id") for b in marked].count(ACKNOWLEDGED_BLOCK) == 1
    assert acknowledged_blocks(marked, "U02RAVIKMR", NOW + timedelta(hours=1)) == marked, "the first one stays"
    assert_within_limits(marked)


# -- bursts ---------------------------------------------------------------------------------------


def test_a_burst_summary_counts_actions_and_actors_and_acknowledges_all():
    items = [item(e, name="User login") for e in events(30)]
    items += [item(e, "sub-def567", name="User added to group") for e in events(5)]
    message = render_burst_summary(items, total=120, batch="batch-7")
    assert_within_limits(message.blocks)
    shown = text(message)
    assert "*120 audit events matched* `sub-abc234`, `sub-def567` — listed in this thread" in shown
    assert "first 35" in shown
    assert "User login: 30" in shown and "User added to group: 5" in shown
    assert "jane@example.com: 35" in shown
    assert by_action(message)[ids.ALERT_ACK_BATCH]["value"] == "batch-7"
    done = render_burst_summary(items, total=120, batch="batch-7", acknowledged=(JANE, NOW))
    assert ids.ALERT_ACK_BATCH not in by_action(done) and f"<@{JANE}>" in text(done)


def test_a_burst_part_lists_fifty_events_and_opens_any_of_them():
    burst = events(50)
    message = render_burst_part([item(e) for e in burst])
    assert_within_limits(message.blocks)
    lines = [
        line for block in message.blocks if block["type"] == "section" for line in block["text"]["text"].split("\n")
    ]
    assert len(lines) == 50
    assert all("*User added to group*" in line and "203.0.113.7" in line for line in lines)
    select = by_action(message)[ids.ALERT_PART_DETAILS]
    assert [o["value"] for o in select["options"]] == [e.id for e in burst]
    more = render_burst_part([item(e) for e in events(60)])
    assert "+10 more in this burst" in text(more)
    assert len(by_action(more)[ids.ALERT_PART_DETAILS]["options"]) == 50


def test_a_burst_part_of_long_values_shrinks_to_fit():
    long = "w" * 500
    burst = events(50, actor={"id": long, "email": f"{long}@example.com"}, location={"ip": long})
    message = render_burst_part([item(e, name=long) for e in burst])
    assert_within_limits(message.blocks)
    assert sum(utf16(t) for t in all_texts(message.blocks)) <= 12_000


# -- notes ----------------------------------------------------------------------------------------


def test_the_snooze_note_gives_its_end_as_a_date_each_reader_sees_in_their_zone():
    until = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    note = render_snoozed(JANE, "jane@example.com", "User login failed", until)
    token = f"<!date^{int(until.timestamp())}^{{date_short_pretty}} {{time}}|2026-11-26 08:00 UTC>"
    assert f"<@{JANE}> snoozed *jane@example.com* doing *User login failed* until {token}." in text(note)
    assert "CET" not in text(note) and "09:00" not in text(note), "no zone of the clicker's in the text"
    assert note.text.endswith("until 2026-11-26 08:00 UTC"), "the notification says UTC"


def test_snooze_ended_and_delivery_paused_say_what_to_do():
    ended = text(render_snooze_ended("User login failed", "jane@example.com", "sub-k3x9q2"))
    assert "Snooze ended: alerts for *jane@example.com* doing *User login failed* on `sub-k3x9q2` resume." in ended
    for error, fix in [
        ("not_in_channel", "/invite @auditbot"),
        ("channel_not_found", "/invite @auditbot"),
        ("is_archived", "Unarchive"),
        ("token_revoked", "reinstall"),
        ("something_new", "something_new"),
    ]:
        paused = render_delivery_paused("sub-k3x9q2", CHANNEL, "action:added_org_admin", error)
        assert_within_limits(paused.blocks)
        shown = text(paused)
        assert fix in shown and "paused" in shown and "`/audit resume sub-k3x9q2`" in shown
        assert f"<#{CHANNEL}>" in shown and "`action:added_org_admin`" in shown
    unjoinable = render_delivery_paused(
        "sub-k3x9q2", CHANNEL, "action:added_org_admin", "not_in_channel", join_error="missing_scope"
    )
    assert_within_limits(unjoinable.blocks)
    shown = text(unjoinable)
    assert f"auditbot is not in <#{CHANNEL}> and Slack would not let it join (`missing_scope`)" in shown
    assert "already posted" in shown and "/invite @auditbot" in shown and "`/audit resume sub-k3x9q2`" in shown


# -- subscription views ---------------------------------------------------------------------------


def dry_run(
    count: int = 85, *, exact: bool = True, examples: int = 3, query: str = "action:user_login_failed"
) -> DryRun:
    found = tuple(FoundEvent(e, "User login failed") for e in events(examples))
    return DryRun(query, TimeWindow(NOW - timedelta(days=7), NOW), count, exact, found, "live")


def test_the_dry_run_counts_shows_examples_and_offers_subscribe_or_cancel():
    message = render_dry_run(dry_run(), CHANNEL, "sec-alerts")
    assert_within_limits(message.blocks)
    shown = text(message)
    assert "*85 events* matched in the last 7 days (about 12 a day)" in shown
    assert "noisy" not in shown
    assert [e["action_id"] for e in elements(message)].count(ids.EVENT_DETAILS) == 3
    confirm = by_action(message)[ids.SUBSCRIBE_CONFIRM]
    assert confirm["text"]["text"] == "Subscribe #sec-alerts"
    assert read_subscribe_value(confirm["value"]) == (CHANNEL, "sec-alerts", "action:user_login_failed", None)
    assert ids.SUBSCRIBE_CANCEL in by_action(message)


def test_a_noisy_or_partial_dry_run_says_so():
    noisy = text(render_dry_run(dry_run(1000, exact=False), CHANNEL, "sec-alerts"))
    assert "*At least 1,000 events*" in noisy and "noisy" in noisy and "at least about 143 a day" in noisy
    empty = text(render_dry_run(dry_run(0, examples=0), CHANNEL, None))
    assert "Nothing matched" in empty and "less than one a day" in empty


def test_a_named_dry_run_shows_the_name_and_its_subscribe_button_carries_it():
    message = render_dry_run(dry_run(), CHANNEL, "sec-alerts", name="Admin grants", description="User login failed")
    assert "*Dry run: alerts for <#C0SECALERT>*\n*Admin grants*\n`action:user_login_failed`" in text(message)
    value = by_action(message)[ids.SUBSCRIBE_CONFIRM]["value"]
    assert read_subscribe_value(value) == (CHANNEL, "sec-alerts", "action:user_login_failed", "Admin grants")
    unnamed = render_dry_run(dry_run(), CHANNEL, None, description="User login failed")
    assert "*User login failed*" in text(unnamed)
    assert read_subscribe_value(subscribe_value(CHANNEL, "action:x", None, "  ")).name is None


def test_the_list_shows_a_name_then_the_query_in_words_and_the_id_for_commands():
    named = subscription(name="Admin grants", description="Added organization admin")
    described = subscription(id="sub-p2q3r4", description="User login failed by jane@example.com")
    shown = text(render_subscriptions([named, described]))
    assert f"*Admin grants* · <#{CHANNEL}>\nAdded organization admin\n`sub-k3x9q2` · by" in shown
    assert f"*User login failed by jane@example.com* · <#{CHANNEL}>\n`sub-p2q3r4` · by" in shown
    assert "`action:added_org_admin`" in shown, "the exact query is still there"
    home = str(render_home(HomeView(org_id="o", sandbox=True, key_ok=True, subscriptions=(named,))))
    assert "*Admin grants*" in home and "`sub-k3x9q2`" in home and "`action:added_org_admin`" not in home


def test_the_list_shows_a_subscriptions_share_of_false_positives_only_when_it_has_resolved_alerts():
    noisy = subscription(false_positives=(4, 10))
    calm = subscription(id="sub-p2q3r4", false_positives=(0, 3))
    fresh = subscription(id="sub-n0n0n0")
    shown = text(render_subscriptions([noisy, calm, fresh]))
    assert "`sub-k3x9q2` · by" in shown and "· false positives: 4 of 10 resolved, 40%" in shown
    assert "false positives: 0 of 3 resolved, 0%" in shown
    assert shown.count("false positives:") == 2, "a subscription with nothing resolved says nothing"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("pause", f"<@{JANE}> paused alerts for *Admin grants* here (`sub-k3x9q2`)"),
        ("resume", f"<@{JANE}> resumed alerts for *Admin grants* here (`sub-k3x9q2`)"),
        ("unsubscribe", f"<@{JANE}> removed the subscription *Admin grants* (`sub-k3x9q2`)"),
    ],
)
def test_a_change_is_told_in_the_channel_by_name(change, expected):
    message = render_subscription_changed_note(JANE, change, subscription(name="Admin grants"))
    assert expected in text(message)
    assert "Admin grants" in message.text and JANE not in message.text
    assert_within_limits(message.blocks)


def test_pause_dm_and_snooze_end_name_the_subscription():
    paused = text(render_delivery_paused("sub-k3x9q2", CHANNEL, "action:x", "is_archived", title="Admin grants"))
    assert "*Alerts paused for* *Admin grants* (`sub-k3x9q2`)" in paused
    ended = text(render_snooze_ended("User login failed", "jane@example.com", "sub-k3x9q2", title="Admin grants"))
    assert "on *Admin grants* (`sub-k3x9q2`) resume" in ended


def test_the_subscription_list_shows_everything_with_buttons_per_subscription():
    subs = [
        subscription(),
        subscription(id="sub-p2q3r4", paused=True, last_error="not_in_channel", last_delivery_at=NOW),
    ]
    message = render_subscriptions(subs, notice="Paused sub-p2q3r4.")
    assert_within_limits(message.blocks)
    shown = text(message)
    assert "2 in this workspace" in shown and "Paused sub-p2q3r4." in shown
    assert f"*action:added_org_admin* · <#{CHANNEL}>" in shown, "a subscription without a description"
    assert f"`sub-k3x9q2` · by <@{JANE}>" in shown and "no alert yet" in shown
    assert "*paused*" in shown and "last error `not_in_channel`" in shown and "last alert <!date^" in shown
    rows = [b for b in message.blocks if b["type"] == "actions"]
    assert [[e["action_id"] for e in row["elements"]] for row in rows] == [
        [ids.SUBSCRIPTION_PAUSE, ids.SUBSCRIPTION_REMOVE],
        [ids.SUBSCRIPTION_RESUME, ids.SUBSCRIPTION_REMOVE],
    ]
    assert [row["elements"][0]["value"] for row in rows] == ["sub-k3x9q2", "sub-p2q3r4"]
    assert rows[0]["elements"][1]["confirm"]["confirm"]["text"] == "Remove"


def test_a_long_list_stays_within_limits_and_counts_the_rest():
    subs = [subscription(id=f"sub-{i:06d}", query="x" * 1400) for i in range(60)]
    message = render_subscriptions(subs)
    assert_within_limits(message.blocks)
    shown = len([b for b in message.blocks if b["type"] == "actions"])
    assert f"+{60 - shown} more" in text(message)
    empty = text(render_subscriptions([]))
    assert "No subscriptions yet" in empty


def test_app_home_lists_subscriptions_with_the_same_buttons_within_view_limits():
    home = render_home(HomeView(org_id="o", sandbox=True, key_ok=True, subscriptions=(subscription(paused=True),)))
    assert_view_within_limits(home)
    assert "*Alert subscriptions*" in str(home) and ids.SUBSCRIPTION_RESUME in str(home)
    many = tuple(subscription(id=f"sub-{i:06d}", query="y" * 600, last_error="e" * 300) for i in range(80))
    quick = tuple((f"q{i}", f"action:user_login{i}") for i in range(48))
    crowded = render_home(HomeView(org_id="o", sandbox=True, key_ok=True, quick_queries=quick, subscriptions=many))
    assert_view_within_limits(crowded)
    assert "more" in str(crowded)
    assert "Alert subscriptions" not in str(render_home(HomeView(org_id="o", sandbox=True, key_ok=True)))


# -- hostile strings everywhere -------------------------------------------------------------------


@pytest.mark.parametrize("s", CORPUS, ids=IDS)
def test_alert_renderers_with_hostile_strings(s):
    event = poisoned_event(s)
    hostile = AlertItem(event, s, (s, "sub-abc234"))
    when = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)
    messages = [
        render_alert(hostile),
        render_alert(hostile, acknowledged=(JANE, when)),
        render_alert(hostile, acknowledged=(s, when)),
        render_alert(hostile, snoozed=(s, when), titles={s: s, "sub-abc234": s}),
        render_alert(AlertItem(poisoned_event(s), s, ("sub-abc234",)), snoozed=(JANE, when)),
        render_burst_summary([hostile] * 40, total=400, batch=s),
        render_burst_summary([hostile], total=1, batch="b", acknowledged=(s, when)),
        render_burst_part([hostile] * 50),
        render_snoozed(s, s, s, when),
        render_snooze_ended(s, s, s),
        render_snooze_ended(s, s, s, title=s),
        render_delivery_paused(s, s, s, s),
        render_delivery_paused(s, CHANNEL, s, "is_archived", title=s),
        render_delivery_paused(s, CHANNEL, s, "not_in_channel"),
        render_delivery_paused(s, CHANNEL, s, "not_in_channel", join_error=s),
    ]
    for message in messages:
        assert_within_limits(message.blocks)
        assert_safe(message)


@pytest.mark.parametrize("s", CORPUS, ids=IDS)
def test_subscription_renderers_with_hostile_strings(s):
    sub = subscription(query=s, created_by=s, last_error=s, channel_id=s, name=s or None, description=s)
    ours = subscription(query=s, last_error=s, description=s)
    dry = DryRun(
        s, TimeWindow(NOW - timedelta(days=7), NOW), 5, True, (FoundEvent(poisoned_event(s), s),) * 3, s, (s, s)
    )
    messages = [
        render_dry_run(dry, CHANNEL, s),
        render_dry_run(dry, s, None),
        render_dry_run(dry, CHANNEL, s, name=s, description=s),
        render_subscribed(sub, problem=s),
        render_subscription_note(s, sub),
        render_subscription_note(JANE, ours),
        render_subscription_changed("Paused", sub),
        render_subscription_changed("Paused", ours, problem=s),
        *(render_subscription_changed_note(s, change, sub) for change in ("pause", "resume", "unsubscribe")),
        render_subscription_changed_note(JANE, "pause", ours),
        render_subscriptions([sub, ours] * 30, notice=s, text=s),
    ]
    for message in messages:
        assert_within_limits(message.blocks)
        assert_safe(message)
    home = render_home(HomeView(org_id=s, sandbox=False, key_ok=False, key_problem=s, subscriptions=(sub, ours) * 40))
    assert_view_within_limits(home)
    assert_safe(home)
