"""App Home's "Try these": where the results go, before a click and after it."""

from __future__ import annotations

from auditbot.slack.render import HomeView, render_home
from tests.slack.render.support import assert_safe, assert_view_within_limits, mrkdwn_texts

QUERIES = (("Failed-login burst", "action:user_login_failed last:30d"), ("Admins", "action:added_org_admin last:7d"))


def test_try_these_says_results_go_to_the_dm() -> None:
    view = render_home(HomeView("o", sandbox=True, key_ok=True, quick_queries=QUERIES))
    text = "\n".join(mrkdwn_texts(view["blocks"]))
    assert "*Try these*" in text
    assert "Each sends its results to your DM with auditbot (the Messages tab)." in text
    assert_view_within_limits(view)


def test_after_a_click_home_names_the_query_whose_results_were_sent() -> None:
    view = render_home(HomeView("o", sandbox=True, key_ok=True, quick_queries=QUERIES), sent="Failed-login burst")
    text = "\n".join(mrkdwn_texts(view["blocks"]))
    assert "Sent the results of “Failed-login burst” to your DM with auditbot" in text


def test_the_sent_label_is_escaped() -> None:
    view = render_home(HomeView("o", sandbox=True, key_ok=True, quick_queries=QUERIES), sent="<!channel> *x*")
    assert_safe(view)
    assert "<!channel>" not in "\n".join(mrkdwn_texts(view["blocks"]))
