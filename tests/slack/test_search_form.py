"""The search form through the real app: its pickers in the asker's Slack zone, and every bad entry named."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from auditbot.playground import seed
from auditbot.slack import ids
from tests.slack.harness import SlackWorld
from tests.slack.test_app import text_of


def picked(day: str | None = None, at: str | None = None, *, until: bool = False) -> dict[str, Any]:
    """The state of a day picker and a time picker as Slack sends it in a view submission."""
    day_id, time_id = (ids.FORM_UNTIL, ids.FORM_UNTIL_TIME) if until else (ids.FORM_SINCE, ids.FORM_SINCE_TIME)
    values: dict[str, Any] = {}
    if day is not None:
        values[day_id] = {day_id: {"type": "datepicker", "selected_date": day}}
    if at is not None:
        values[time_id] = {time_id: {"type": "timepicker", "selected_time": at}}
    return values


def typed(block_id: str, value: str) -> dict[str, Any]:
    return {block_id: {block_id: {"type": "plain_text_input", "value": value}}}


def window_of(message: dict[str, Any]) -> tuple[datetime, datetime]:
    """The window a result message shows, read from its two date tokens."""
    start, end = (int(n) for n in re.findall(r"<!date\^(\d+)\^", message["blocks"][1]["elements"][0]["text"])[:2])
    return datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)


def errors_of(response: Any) -> dict[str, str]:
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    return dict(body["errors"])


def test_the_form_names_the_askers_zone(slack: SlackWorld):
    slack.global_shortcut(user=seed.JANE)
    view = slack.calls("views.open")[-1]["view"]
    assert "Days and times are in your Slack time zone (Europe/Berlin)." in text_of(view)
    slack.global_shortcut(user=seed.RAVI)
    assert "(Asia/Kolkata)" in text_of(slack.calls("views.open")[-1]["view"])


def test_a_day_and_time_picked_in_berlin_is_read_in_berlin(slack: SlackWorld):
    """Jane (Europe/Berlin) picks 20 Nov 00:00: that is 19 Nov 23:00 UTC, not midnight UTC."""
    values = {**picked("2026-11-20", "00:00"), **picked("2026-11-24", "18:30", until=True)}
    assert slack.submit_form(values, user=seed.JANE).status == 200
    posted = slack.calls("chat.postMessage")[-1]
    assert posted["channel"] == seed.JANE
    assert "since:2026-11-20T00:00 until:2026-11-24T18:30" in text_of(posted), "what she would have typed"
    assert window_of(posted) == (datetime(2026, 11, 19, 23, 0, tzinfo=UTC), datetime(2026, 11, 24, 17, 30, tzinfo=UTC))


def test_the_same_picks_mean_another_moment_for_someone_in_kolkata(slack: SlackWorld):
    slack.submit_form(picked("2026-11-20", "00:00"), user=seed.RAVI)
    start, _ = window_of(slack.calls("chat.postMessage")[-1])
    assert start == datetime(2026, 11, 19, 18, 30, tzinfo=UTC)


def test_a_day_without_a_time_is_the_whole_day_in_the_askers_zone(slack: SlackWorld):
    slack.submit_form({**picked("2026-11-20"), **picked("2026-11-20", until=True)}, user=seed.JANE)
    posted = slack.calls("chat.postMessage")[-1]
    assert "since:2026-11-20 until:2026-11-20" in text_of(posted)
    assert window_of(posted) == (datetime(2026, 11, 19, 23, 0, tzinfo=UTC), datetime(2026, 11, 20, 23, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("values", "block_id", "error"),
    [
        (picked(at="09:00"), ids.FORM_SINCE_TIME, "Pick a day for this time too."),
        (picked(None, "09:00", until=True), ids.FORM_UNTIL_TIME, "Pick a day for this time too."),
        (picked("20/11/2026"), ids.FORM_SINCE, "Pick a day from the calendar."),
        (picked("2026-11-20", "9am"), ids.FORM_SINCE_TIME, "Pick a time from the list, like 09:30."),
        (
            {**picked("2026-11-20", "12:00"), **picked("2026-11-20", "12:00", until=True)},
            ids.FORM_UNTIL,
            "The end must come after the start.",
        ),
        (
            {**picked("2026-11-21"), **picked("2026-11-20", until=True)},
            ids.FORM_UNTIL,
            "The end must come after the start.",
        ),
    ],
    ids=["time-without-day", "until-time-without-day", "bad-day", "bad-time", "same-moment", "until-before-since"],
)
def test_pickers_that_do_not_make_a_moment_are_refused_beside_them(slack: SlackWorld, values, block_id, error):
    posts = len(slack.calls("chat.postMessage"))
    assert errors_of(slack.submit_form(values)) == {block_id: error}
    assert len(slack.calls("chat.postMessage")) == posts, "nothing was searched"


def test_a_day_alone_as_until_may_be_the_day_since_starts(slack: SlackWorld):
    slack.submit_form({**picked("2026-11-20", "08:00"), **picked("2026-11-20", until=True)}, user=seed.JANE)
    assert "since:2026-11-20T08:00 until:2026-11-20" in text_of(slack.calls("chat.postMessage")[-1])


def test_every_actor_that_is_not_an_email_or_account_id_is_named(slack: SlackWorld):
    errors = errors_of(slack.submit_form(typed(ids.FORM_ACTORS, "not an email, bob")))
    assert errors == {ids.FORM_ACTORS: 'These are not emails or account ids: "not an email", "bob".'}


def test_one_bad_actor_among_good_ones_is_named_alone(slack: SlackWorld):
    values = typed(ids.FORM_ACTORS, "jane@example.com bob; 557058:0d3c5b0e-5f3a-4a8e-9c4e-1d2b3c4d5e6f")
    assert errors_of(slack.submit_form(values)) == {ids.FORM_ACTORS: '"bob" is not an email or an account id.'}


def test_many_bad_actors_are_named_until_the_error_is_long_then_counted(slack: SlackWorld):
    names = [f"person-number-{n:03d}" for n in range(40)]
    error = errors_of(slack.submit_form(typed(ids.FORM_ACTORS, ", ".join(names))))[ids.FORM_ACTORS]
    assert error.startswith('These are not emails or account ids: "person-number-000", "person-number-001"')
    shown = re.findall(r'"(person-number-\d+)"', error)
    assert shown == names[: len(shown)] and error.endswith(f" and {len(names) - len(shown)} more.")
    assert len(error) <= 300


def test_emails_and_each_shape_of_account_id_are_accepted(slack: SlackWorld):
    actors = (
        "Jane@Example.com, 5b10ac8d82e05b22cc7d4ef5, 557058:0d3c5b0e-5f3a-4a8e-9c4e-1d2b3c4d5e6f,"
        " qm:0d3c5b0e-5f3a-4a8e-9c4e-1d2b3c4d5e6f:1a2b3c4d-5e6f-4a8e-9c4e-1d2b3c4d5e6f atlassian-internal-system"
    )
    response = slack.submit_form(typed(ids.FORM_ACTORS, actors))
    assert response.status == 200 and not response.body
    posted = text_of(slack.calls("chat.postMessage")[-1])
    assert "actor:jane@example.com,5b10ac8d82e05b22cc7d4ef5,557058:0d3c5b0e" in posted


def test_every_bad_ip_is_named_and_one_alone_gets_the_query_languages_reason(slack: SlackWorld):
    many = errors_of(slack.submit_form(typed(ids.FORM_IPS, "203.0.113.7, not-an-ip, 10.0.0.1/8, 999.1.1.1")))
    assert many == {ids.FORM_IPS: 'These are not IP addresses or ranges: "not-an-ip", "10.0.0.1/8", "999.1.1.1".'}
    one = errors_of(slack.submit_form(typed(ids.FORM_IPS, "10.0.0.1/8")))
    assert one == {ids.FORM_IPS: '"10.0.0.1/8" has host bits set'}
