"""The advice under an empty result fits the search: a wider window while one is possible, else a filter fewer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from auditbot.core.timespec import TimeWindow
from auditbot.slack.render.advice import empty_result_advice

END = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def window(days: float) -> TimeWindow:
    return TimeWindow(END - timedelta(days=days), END)


def test_a_short_window_is_offered_the_same_query_over_30_days() -> None:
    advice = empty_result_advice("actor:jane@example.com since:24h", window(1))
    assert advice == "Try a wider window: `actor:jane@example.com last:30d`"


def test_a_30_day_window_is_offered_one_filter_fewer_not_a_wider_window() -> None:
    advice = empty_result_advice("actor:jane@example.com ip:203.0.113.7 since:30d", window(30))
    assert "wider" not in advice
    assert advice == "Try without `ip:203.0.113.7`: `actor:jane@example.com since:30d`"


def test_free_text_goes_first_and_exclusions_last() -> None:
    text = empty_result_advice('-actor:svc@example.com action:user_login "vpn" since:30d', window(30))
    assert text.startswith("Try without `vpn`")
    only_exclusion = empty_result_advice("-actor:svc@example.com since:30d", window(30))
    assert only_exclusion.startswith("Try without `-actor:svc@example.com`")


def test_a_window_read_a_little_short_of_30_days_counts_as_30() -> None:
    assert "wider" not in empty_result_advice("action:user_login since:30d", window(29.99))


def test_nothing_to_drop_over_30_days_says_the_org_was_quiet() -> None:
    assert empty_result_advice("since:30d", window(30)) == "Nothing in this window matched; the org was quiet then."


def test_data_cannot_break_out_of_the_code_span() -> None:
    advice = empty_result_advice('"a`b" since:1d', window(1))
    assert advice.count("`") == 2
