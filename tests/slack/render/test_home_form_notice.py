"""App Home, the search form and its action options, and notices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from auditbot.core.model import AuditAction
from auditbot.services.catalog import CatalogSnapshot
from auditbot.slack import ids
from auditbot.slack.render import (
    HomeView,
    RateBudget,
    SearchFormPrefill,
    render_action_options,
    render_home,
    render_notice,
    render_search_form,
)
from tests.slack.render.support import (
    all_texts,
    assert_safe,
    assert_view_within_limits,
    assert_within_limits,
    buttons,
    mrkdwn_texts,
)

WHEN = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def home_text(view: dict[str, Any]) -> str:
    return "\n".join(mrkdwn_texts(view["blocks"]))


def test_home_shows_org_key_budget_catalog_and_quick_queries():
    view = render_home(
        HomeView(
            org_id="9a1jj823-org",
            sandbox=False,
            key_ok=True,
            key_expires=WHEN,
            budgets=(RateBudget("/v1/orgs/{orgId}/events", 10, 7, 23.4),),
            catalog_note="145 actions, fetched 5 minutes ago",
            quick_queries=(
                ("Admin changes today", "action:added_org_admin since:today"),
                ("Failed logins", "action:user_login_failed last:24h"),
            ),
        )
    )
    assert view["type"] == "home"
    assert_view_within_limits(view)
    assert_safe(view)
    text = home_text(view)
    assert "Connected to Atlassian organization `9a1jj823-org`." in text
    assert ":white_check_mark: API key works. It expires <!date^" in text
    assert "`/v1/orgs/{orgId}/events`: 7 of 10 left this minute (full again in 23 s)" in text
    assert "145 actions, fetched 5 minutes ago" in text
    assert [(b["action_id"], b["value"]) for b in buttons(view)] == [
        (ids.OPEN_SEARCH_FORM, "search"),
        (ids.quick_query_id(0), "action:added_org_admin since:today"),
        (ids.quick_query_id(1), "action:user_login_failed last:24h"),
    ]


def test_home_for_the_sandbox_and_a_rejected_or_unchecked_key():
    rejected = home_text(render_home(HomeView("o", sandbox=True, key_ok=False, key_problem="401 <expired>")))
    assert "the built-in sandbox org" in rejected
    assert ":x: The Admin API rejected the API key: 401 &lt;expired&gt;" in rejected
    assert "not checked yet" in home_text(render_home(HomeView("o", sandbox=False, key_ok=None)))


def test_home_with_many_quick_queries_and_paths_stays_within_limits():
    view = render_home(
        HomeView(
            org_id="o" * 5000,
            sandbox=False,
            key_ok=False,
            key_problem="&" * 5000,
            budgets=tuple(RateBudget("/p" * 200, 10, -3, 1e9) for _ in range(40)),
            catalog_note="<" * 5000,
            quick_queries=(*((f"q{i} " * 40, f"last:{i}d") for i in range(80)), ("too long", "x" * 2001)),
        )
    )
    assert_view_within_limits(view)
    assert_safe(view)
    assert all(b["value"] != "x" * 2001 for b in buttons(view))


def inputs_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The form's input blocks by block id."""
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_the_search_form_has_every_optional_input_with_matching_ids():
    view = render_search_form()
    assert_view_within_limits(view)
    assert (view["type"], view["callback_id"]) == ("modal", ids.SEARCH_FORM)
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == (
        "Search audit log",
        "Search",
        "Cancel",
    )
    assert view["blocks"][0]["type"] == "context"
    inputs = view["blocks"][1:]
    assert [b["block_id"] for b in inputs] == [
        ids.FORM_SINCE,
        ids.FORM_SINCE_TIME,
        ids.FORM_UNTIL,
        ids.FORM_UNTIL_TIME,
        ids.FORM_ACTIONS,
        ids.FORM_ACTORS,
        ids.FORM_IPS,
        ids.FORM_TEXT,
    ]
    assert all(
        b["type"] == "input" and b["optional"] is True and b["element"]["action_id"] == b["block_id"] for b in inputs
    )
    kinds = [b["element"]["type"] for b in inputs]
    assert kinds == [
        *["datepicker", "timepicker"] * 2,
        "multi_external_select",
        *["plain_text_input"] * 3,
    ]
    assert inputs[4]["element"]["min_query_length"] == 0
    assert "initial_value" not in inputs[5]["element"] and "initial_options" not in inputs[4]["element"]


def test_the_search_form_names_the_askers_zone_once_and_shows_the_prefill_in_it():
    berlin = ZoneInfo("Europe/Berlin")
    prefill = SearchFormPrefill(since=datetime(2026, 11, 19, 23, 0, tzinfo=UTC), until=WHEN)
    view = render_search_form(prefill, tz=berlin)
    assert_view_within_limits(view)
    shown = [e["text"] for e in view["blocks"][0]["elements"]]
    assert shown == ["Days and times are in your Slack time zone (Europe/Berlin)."]
    assert sum("Europe/Berlin" in t for t in all_texts(view)) == 1, "the zone is named once"
    inputs = inputs_of(view)
    assert inputs[ids.FORM_SINCE]["element"]["initial_date"] == "2026-11-20", "23:00 UTC is midnight in Berlin"
    assert inputs[ids.FORM_SINCE_TIME]["element"]["initial_time"] == "00:00"
    assert inputs[ids.FORM_UNTIL]["element"]["initial_date"] == "2026-11-20"
    assert inputs[ids.FORM_UNTIL_TIME]["element"]["initial_time"] == "15:00"
    utc = inputs_of(render_search_form(prefill))
    assert (utc[ids.FORM_SINCE]["element"]["initial_date"], utc[ids.FORM_SINCE_TIME]["element"]["initial_time"]) == (
        "2026-11-19",
        "23:00",
    )


def test_a_prefill_the_pickers_cannot_show_is_left_out():
    far = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)  # the next day in Kolkata: past year 9999
    inputs = inputs_of(render_search_form(SearchFormPrefill(since=far), tz=ZoneInfo("Asia/Kolkata")))
    assert "initial_date" not in inputs[ids.FORM_SINCE]["element"]
    assert "initial_time" not in inputs[ids.FORM_SINCE_TIME]["element"]


def test_the_search_form_is_prefilled():
    prefill = SearchFormPrefill(
        since=WHEN,
        until=datetime(2026, 11, 21, tzinfo=UTC),
        actions=(("user_login", "User login"), ("x" * 151, "Too long an id")),
        actors=("jane@example.com", "557058:abc"),
        ips=("203.0.113.7",),
        text='"api token"',
        notes=("From the message: 2 emails, 1 IP", "<!channel>"),
    )
    view = render_search_form(prefill)
    assert_view_within_limits(view)
    blocks = view["blocks"]
    assert [e["text"] for e in blocks[0]["elements"]] == [
        "Days and times are in your Slack time zone (UTC).",
        "From the message: 2 emails, 1 IP",
        "<!channel>",
    ]
    assert blocks[0]["elements"][2]["type"] == "plain_text"
    inputs = inputs_of(view)
    assert inputs[ids.FORM_SINCE]["element"]["initial_date"] == "2026-11-20"
    assert inputs[ids.FORM_SINCE_TIME]["element"]["initial_time"] == "14:00"
    assert inputs[ids.FORM_ACTIONS]["element"]["initial_options"] == [
        {
            "text": {"type": "plain_text", "text": "User login", "emoji": False},
            "value": "user_login",
            "description": {"type": "plain_text", "text": "user_login", "emoji": False},
        },
    ]
    assert inputs[ids.FORM_ACTORS]["element"]["initial_value"] == "jane@example.com, 557058:abc"
    assert inputs[ids.FORM_IPS]["element"]["initial_value"] == "203.0.113.7"
    assert inputs[ids.FORM_TEXT]["element"]["initial_value"] == '"api token"'


def test_too_many_prefilled_values_are_noted_not_lost_silently():
    prefill = SearchFormPrefill(actors=tuple(f"user{i}@example.com" for i in range(500)), text="t" * 2000)
    view = render_search_form(prefill)
    assert_view_within_limits(view)
    notes = [e["text"] for e in view["blocks"][0]["elements"]]
    assert any(n.endswith("more actors did not fit") for n in notes)
    assert "The text was too long to fill in." in notes
    actors = inputs_of(view)[ids.FORM_ACTORS]["element"]["initial_value"]
    assert len(actors) <= 3000


def catalog(n: int = 3) -> CatalogSnapshot:
    actions = [
        AuditAction(id="user_login", display_name="User login", group="Security"),
        AuditAction(id="user_login_failed", display_name="User login failed", group="Security"),
        AuditAction(id="group_created", display_name="Group created", group="Group management"),
    ]
    actions += [AuditAction(id=f"a_{i}", display_name=f"Action {i} " + "z" * 100, group=f"G{i % 7}") for i in range(n)]
    return CatalogSnapshot(tuple(actions), None)


def test_action_options_match_id_name_or_group_and_are_grouped():
    answer = render_action_options(catalog(0), "LOGIN")
    assert answer == {
        "option_groups": [
            {
                "label": {"type": "plain_text", "text": "Security", "emoji": False},
                "options": [
                    {
                        "text": {"type": "plain_text", "text": "User login", "emoji": False},
                        "value": "user_login",
                        "description": {"type": "plain_text", "text": "user_login", "emoji": False},
                    },
                    {
                        "text": {"type": "plain_text", "text": "User login failed", "emoji": False},
                        "value": "user_login_failed",
                        "description": {"type": "plain_text", "text": "user_login_failed", "emoji": False},
                    },
                ],
            }
        ]
    }
    assert [g["label"]["text"] for g in render_action_options(catalog(0), "management")["option_groups"]] == [
        "Group management"
    ]
    assert render_action_options(catalog(0), "nothing like it") == {"options": []}


def test_action_options_are_capped_at_a_hundred_with_short_texts():
    answer = render_action_options(catalog(400), "")
    options = [o for g in answer["option_groups"] for o in g["options"]]
    assert len(options) == 100
    assert all(len(o["text"]["text"]) <= 75 and len(o["value"]) <= 150 for o in options)


def test_a_notice_is_plain_text_with_an_escaped_fallback():
    message = render_notice("Export started: 3 pages… <!channel>")
    assert message.blocks == [
        {
            "type": "section",
            "text": {"type": "plain_text", "text": "Export started: 3 pages… <!channel>", "emoji": False},
        }
    ]
    assert message.text == "Export started: 3 pages… &lt;!channel&gt;"
    assert_within_limits(message.blocks)
    assert_safe(message)
    assert render_notice("").blocks[0]["text"]["text"] == "—"
