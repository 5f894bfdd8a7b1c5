"""One clock per message: every moment a person sees is a date token (their zone, their 12/24-hour
setting); UTC, named, only where a token cannot go; a zone named only beside a fact stated in it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from auditbot.core.handoff import Aggregates, Tally
from auditbot.core.timespec import TimeWindow
from auditbot.services.delivery import AlertItem
from auditbot.services.handoff import Handoff, OpenAlert, RunningSnooze
from auditbot.services.schedules import HandoffSchedule
from auditbot.services.search import FoundEvent
from auditbot.services.subscriptions import DryRun, Subscription
from auditbot.slack import ids
from auditbot.slack.render import render_event_detail, render_results, render_search_form
from auditbot.slack.render.alerts import (
    acknowledged_blocks,
    render_alert,
    render_burst_part,
    render_burst_summary,
    render_snooze_ended,
    render_snoozed,
)
from auditbot.slack.render.handoff import render_handoff
from auditbot.slack.render.safe import date, time_of_day, utc_clock, utc_text, utc_window, window
from auditbot.slack.render.schedules import (
    render_digest_note,
    render_digest_scheduled,
    render_digest_schedules,
    render_digest_unscheduled,
)
from auditbot.slack.render.subscriptions import (
    render_dry_run,
    render_subscribed,
    render_subscription_changed,
    render_subscription_note,
    render_subscriptions,
)
from auditbot.slack.render.views import Message, SearchFormPrefill
from tests.slack.render.support import NOW, all_texts, make_event, make_page, moment

JANE = "U0JANE1"
CHANNEL = "C0ALERTS"
EVENT = make_event()  # at 2026-11-20 13:45:12 UTC
SCHEDULE = HandoffSchedule(
    id="dg-abc123",
    team_id="T1",
    channel_id=CHANNEL,
    times="09:00,21:00",
    tz="Europe/Berlin",
    query="-actor:svc@example.com",
    created_by=JANE,
    created_at=NOW - timedelta(days=3),
    last_run_at=NOW - timedelta(hours=5),
)
NEXT = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
"""21:00 in Berlin: the schedule's next digest."""
SUBSCRIPTION = Subscription(
    id="sub-abc123",
    team_id="T1",
    channel_id=CHANNEL,
    query="action:user_login_failed",
    created_by=JANE,
    created_at=NOW - timedelta(days=2),
    last_delivery_at=NOW - timedelta(minutes=7),
)


def item(event: Any = EVENT) -> AlertItem:
    return AlertItem(event, "User added to group", ("sub-abc123",))


def handoff() -> Handoff:
    tally = Tally("jane@example.com", "jane@example.com", 3)
    return Handoff(
        window=TimeWindow(NOW - timedelta(hours=12), NOW),
        query="-actor:svc@example.com",
        aggregates=Aggregates(
            total=12,
            by_action=(Tally("user_added_to_group", "user_added_to_group", 5),),
            top_actors=(tally,),
            new_actors=(tally,),
            notable=(EVENT,),
            notable_total=1,
            failed_login_bursts=(tally,),
        ),
        previous_total=10,
        action_names={"user_added_to_group": "User added to group"},
        groups=(Tally("Group management", "Group management", 5),),
        source="mirror",
        open_alerts=(OpenAlert(CHANNEL, "e-1", "sub-abc123", None),),
        snoozes=(RunningSnooze("sub-abc123", "jane@example.com", "user_added_to_group", NOW + timedelta(hours=3)),),
        mirror_state="up to date",
        risky={"user_added_to_group": "User added to group"},
    )


def events_apart(gap: timedelta) -> list[AlertItem]:
    later = EVENT.model_copy(
        update={"id": "e-2", "attributes": EVENT.attributes.model_copy(update={"time": EVENT.time + gap})}
    )
    return [item(), item(later)]


DRY_RUN = DryRun(
    query="action:user_login_failed",
    window=TimeWindow(NOW - timedelta(days=7), NOW),
    count=3,
    exact=True,
    examples=(FoundEvent(EVENT, "User added to group"),),
    source="mirror",
)
PREFILL = SearchFormPrefill(since=NOW - timedelta(days=1), until=NOW)

RENDERED: dict[str, Callable[[], Message | dict[str, Any]]] = {
    "results": lambda: render_results(make_page([EVENT])),
    "shared results": lambda: render_results(make_page([EVENT]), shared_by=JANE),
    "detail": lambda: render_event_detail(EVENT, "User added to group"),
    "alert": lambda: render_alert(item()),
    "acknowledged alert": lambda: render_alert(item(), acknowledged=(JANE, NOW)),
    "acknowledged burst": lambda: {
        "blocks": acknowledged_blocks(render_burst_summary([item()], total=1, batch="b").blocks, JANE, NOW)
    },
    "burst summary": lambda: render_burst_summary(events_apart(timedelta(minutes=3)), total=2, batch="b"),
    "burst part": lambda: render_burst_part(events_apart(timedelta(minutes=3))),
    "burst part over days": lambda: render_burst_part(events_apart(timedelta(days=2))),
    "snoozed": lambda: render_snoozed(JANE, "jane@example.com", "User added to group", NOW + timedelta(hours=1)),
    "snooze ended": lambda: render_snooze_ended("User added to group", "jane@example.com", "sub-abc123"),
    "handoff": lambda: render_handoff(handoff(), state="st"),
    "scheduled handoff": lambda: render_handoff(handoff(), scheduled="dg-abc123"),
    "digest scheduled": lambda: render_digest_scheduled(SCHEDULE, next_at=NEXT, zone_note="From your Slack profile."),
    "digest schedules": lambda: render_digest_schedules([SCHEDULE], next_slots={SCHEDULE.id: NEXT}),
    "digest note": lambda: render_digest_note(JANE, SCHEDULE),
    "digest unscheduled": lambda: render_digest_unscheduled(SCHEDULE),
    "dry run": lambda: render_dry_run(DRY_RUN, CHANNEL, "alerts"),
    "subscribed": lambda: render_subscribed(SUBSCRIPTION),
    "subscription note": lambda: render_subscription_note(JANE, SUBSCRIPTION),
    "subscription paused": lambda: render_subscription_changed("Paused", SUBSCRIPTION),
    "subscriptions": lambda: render_subscriptions([SUBSCRIPTION]),
    "search form": lambda: render_search_form(PREFILL, tz=ZoneInfo("Europe/Berlin")),
}

_TOKEN = re.compile(r"<!date\^(\d+)\^([^|<>]*)\|([^<>]*)>")
_CODE = re.compile(r"```[\s\S]*?```|`[^`\n]*`")
_CLOCK = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])")
_ZONE_NAMED = re.compile(
    r"(?:(?:, ?| → (?:\d{4}-\d{2}-\d{2} )?)\d{1,2}:\d{2})*"  # more times of day, or a window's end
    r"(?: [a-z]+)? (?:UTC\b|\(?[A-Z][a-z]+/[A-Za-z_]+\)?|\(your time\))"
)
"""What may follow a clock outside a token: "UTC", a zone a fact is stated in, or "(your time)"."""


def shown_texts(rendered: Message | dict[str, Any]) -> list[str]:
    """Every text a person can see: the notification and every text object (not button values: searches)."""
    if isinstance(rendered, Message):
        return [rendered.text, *all_texts(rendered.blocks)]
    return list(all_texts(rendered))


def loose_clocks(text: str) -> list[str]:
    """Clock texts in ``text`` that are neither a date token nor a time that names its zone."""
    for match in _TOKEN.finditer(text):
        assert match.group(3).endswith("UTC"), f"a token's fallback names UTC: {match.group()}"
    rest = _CODE.sub(" ", _TOKEN.sub(" ", text))  # code is data shown as it is (a raw event, a query)
    return [
        m.group() + rest[m.end() : m.end() + 20] for m in _CLOCK.finditer(rest) if not _ZONE_NAMED.match(rest, m.end())
    ]


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_every_time_shown_is_a_token_or_names_its_zone(name):
    texts = shown_texts(RENDERED[name]())
    assert [clock for text in texts for clock in loose_clocks(text)] == []


def test_the_check_finds_a_hard_coded_clock():
    assert loose_clocks("Acknowledged by <@U1> at 14:02") == ["14:02"]
    assert loose_clocks("until Thu 26 Nov 09:00 CET (Thu 08:00 UTC)") == ["09:00 CET (Thu 08:00 UTC)"]
    assert loose_clocks(f"at {date(NOW)} · 14:00 UTC · 09:00, 21:00 (Europe/Berlin) · `since:12:00`") == []


def test_no_message_names_a_readers_zone():
    """Zones are named only beside a schedule's times of day (a fact of that zone) and in the form."""
    for name, render in RENDERED.items():
        zoned = [t for t in shown_texts(render()) if re.search(r"Europe/|CET|IST\b|Asia/", t)]
        if name.startswith("digest"):
            assert all(re.search(r"\d\d:\d\d \(?Europe/Berlin", t) for t in zoned), name
        elif name == "search form":
            assert zoned == ["Days and times are in your Slack time zone (Europe/Berlin)."]
        else:
            assert zoned == [], name


# -- each place ------------------------------------------------------------------------------------


def test_the_helpers_write_tokens_with_utc_fallbacks():
    at = datetime(2026, 11, 20, 14, 2, 5, tzinfo=UTC)
    unix = int(at.timestamp())
    assert date(at) == f"<!date^{unix}^{{date_short_pretty}} {{time}}|2026-11-20 14:02 UTC>" == moment(at)
    assert time_of_day(at) == f"<!date^{unix}^{{time}}|14:02 UTC>"
    assert time_of_day(at, seconds=True) == f"<!date^{unix}^{{time_secs}}|14:02:05 UTC>"
    assert window(at, at + timedelta(hours=2)) == f"{moment(at)} → {moment(at + timedelta(hours=2))}"
    assert utc_clock(at) == "14:02 UTC" and utc_clock(at, seconds=True) == "14:02:05 UTC"
    assert utc_window(at, at + timedelta(hours=2)) == "2026-11-20 14:02 → 16:02 UTC"
    assert utc_window(at, at + timedelta(days=1)) == "2026-11-20 14:02 → 2026-11-21 14:02 UTC"
    assert utc_text(datetime(2026, 11, 20, 15, 2, tzinfo=ZoneInfo("Europe/Berlin"))) == "2026-11-20 14:02 UTC"


def test_a_moment_before_1970_is_its_utc_text():
    old = datetime(1969, 12, 31, 23, 0, tzinfo=UTC)
    assert (date(old), time_of_day(old)) == ("1969-12-31 23:00 UTC", "23:00 UTC")


def text_of(rendered: Message | dict[str, Any]) -> str:
    return "\n".join(shown_texts(rendered))


def test_acknowledged_and_snoozed_alerts_show_tokens():
    assert f"Acknowledged by <@{JANE}> · {moment(NOW)}" in text_of(RENDERED["acknowledged alert"]())
    assert f"Acknowledged by <@{JANE}> · {moment(NOW)}" in text_of(RENDERED["acknowledged burst"]())
    snoozed = RENDERED["snoozed"]()
    assert isinstance(snoozed, Message)
    assert f"until {moment(NOW + timedelta(hours=1))}." in text_of(snoozed)
    assert snoozed.text.endswith("until 2026-11-20 15:00 UTC")


def test_a_burst_shows_its_span_and_each_events_time_of_day():
    first, last = EVENT.time, EVENT.time + timedelta(minutes=3)
    assert window(first, last) in text_of(RENDERED["burst summary"]())
    part = RENDERED["burst part"]()
    assert isinstance(part, Message)
    lines = part.blocks[0]["text"]["text"].split("\n")
    assert [line.split(" · ")[0] for line in lines] == [
        time_of_day(first, seconds=True),
        time_of_day(last, seconds=True),
    ]
    options = [o["text"]["text"] for o in part.blocks[-1]["elements"][0]["options"]]
    assert options[0].startswith("13:45 UTC "), "a menu cannot hold a token: UTC, named"
    spread = RENDERED["burst part over days"]()
    assert isinstance(spread, Message)
    assert spread.blocks[0]["text"]["text"].startswith(moment(first)), "over days, each line has its date"


def test_the_handoff_window_needs_a_look_and_snoozes_are_tokens():
    rendered = RENDERED["handoff"]()
    assert isinstance(rendered, Message)
    assert rendered.blocks[0]["text"]["text"] == "Handoff: 12 h"
    assert rendered.blocks[1]["elements"][0]["text"].startswith(window(NOW - timedelta(hours=12), NOW))
    shown = text_of(rendered)
    assert f"{moment(EVENT.time)} · *User added to group*" in shown
    assert f"until {moment(NOW + timedelta(hours=3))}" in shown
    assert rendered.text.startswith("Audit handoff, 2026-11-20 02:00 → 14:00 UTC (12 h)")


def test_a_schedule_states_its_times_in_its_zone_and_its_next_run_as_a_token():
    scheduled = text_of(RENDERED["digest scheduled"]())
    assert "at 09:00, 21:00 (Europe/Berlin)" in scheduled
    assert f"next digest {moment(NEXT)} (your time)" in scheduled
    listed = text_of(RENDERED["digest schedules"]())
    assert "09:00, 21:00 (Europe/Berlin)" in listed
    created, ran = moment(SCHEDULE.created_at), moment(NOW - timedelta(hours=5))
    assert f"created {created} · last run {ran} · next {moment(NEXT)} (your time)" in listed


def test_subscriptions_show_when_made_and_last_alerted_as_tokens():
    listed = text_of(RENDERED["subscriptions"]())
    assert f"created {moment(SUBSCRIPTION.created_at)}" in listed
    assert f"last alert {moment(NOW - timedelta(minutes=7))}" in listed


def test_a_results_window_is_a_token_window():
    rendered = RENDERED["results"]()
    assert isinstance(rendered, Message)
    assert rendered.blocks[1]["elements"][0]["text"].startswith(window(NOW - timedelta(days=1), NOW))
    assert ids.EVENT_DETAILS in str(rendered.blocks)
