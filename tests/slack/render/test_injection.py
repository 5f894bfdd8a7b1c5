"""The injection corpus in every string field of every renderer's input: nothing becomes active.

Each corpus string goes into every string of an event (actor, items and their attributes, ids,
location, message, action id, links, an extra key), into queries, notes and intros, error texts,
catalog entries, Home and form values. The output may hold no mention, channel, special mention
or link except auditbot's own dates, allow-listed Atlassian links and the validated sharer, no
invisible characters, and must stay within every limit.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditbot.core.errors import ApiError, ApiUnauthorized, AuditbotError
from auditbot.core.model import AuditAction
from auditbot.core.querysyntax import QueryError
from auditbot.services.catalog import CatalogSnapshot
from auditbot.services.result_summary import Narrowing, ResultSummary
from auditbot.slack.render import (
    HomeView,
    RateBudget,
    SearchFormPrefill,
    render_action_options,
    render_actions,
    render_error,
    render_event_detail,
    render_help,
    render_home,
    render_notice,
    render_results,
    render_search_form,
)
from tests.slack.render.support import (
    CORPUS,
    assert_safe,
    assert_view_within_limits,
    assert_within_limits,
    make_page,
    mrkdwn_texts,
    poisoned_event,
)

IDS = [f"{i}:{s[:20]!r}" for i, s in enumerate(CORPUS)]


@pytest.mark.parametrize("s", CORPUS, ids=IDS)
def test_result_pages(s):
    event = poisoned_event(s)
    named = (Narrowing(s, 3, s or None), Narrowing(s, 2, "p1.narrow"))
    summary = ResultSummary(418, True, named, named)
    page = make_page(
        [event] * 10,
        page=3,
        query=s,
        notes=(s, s),
        source=s,
        partial=True,
        retry_after=5,
        action_name=s,
        summary=summary,
    )
    for message in (render_results(page, intro=s), render_results(page, shared_by="U0ABC", intro=s)):
        assert_within_limits(message.blocks)
        assert_safe(message, sharer="U0ABC")


@pytest.mark.parametrize("s", CORPUS, ids=IDS)
def test_event_detail(s):
    view = render_event_detail(poisoned_event(s), s, show_raw=True, channel_id="C0SHARE")
    assert_view_within_limits(view)
    assert_safe(view)
    for text in mrkdwn_texts(view["blocks"]):
        assert text.count("```") in (0, 2), "data must not open or close a code block"


@pytest.mark.parametrize("s", CORPUS, ids=IDS)
def test_errors(s):
    errors: list[BaseException] = [
        QueryError(s, column=3, length=5, hint=s, suggestions=[s, s], source=s),
        AuditbotError(s, hint=s),
        ApiError(s, status=500, code=s, detail=s, hint=s),
        ApiUnauthorized(s, code=s, detail=s),
        ValueError(s),
    ]
    for error in errors:
        message = render_error(error)
        assert_within_limits(message.blocks)
        assert_safe(message)


@pytest.mark.parametrize("s", CORPUS, ids=IDS)
def test_catalog_browser_and_options(s):
    actions = tuple(AuditAction(id=f"{s}{i}", display_name=s, group=s) for i in range(3))
    snapshot = CatalogSnapshot(actions, datetime(2026, 11, 20, tzinfo=UTC), stale=True, problem=s)
    for text in (None, s, s[:3]):
        message = render_actions(snapshot, text)
        assert_within_limits(message.blocks)
        assert_safe(message)
    options = render_action_options(snapshot, s)
    for group in options.get("option_groups", []):
        assert len(group["label"]["text"]) <= 75
        assert all(len(o["text"]["text"]) <= 75 and len(o["value"]) <= 150 for o in group["options"])


@pytest.mark.parametrize("s", CORPUS, ids=IDS)
def test_home_form_notice_and_help(s):
    home = render_home(
        HomeView(
            org_id=s,
            sandbox=False,
            key_ok=False,
            key_problem=s,
            key_expires=datetime(2027, 1, 1, tzinfo=UTC),
            budgets=(RateBudget(s, 10, 3, 20),),
            catalog_note=s,
            quick_queries=((s, s), (s, "last:1d")),
        )
    )
    assert_view_within_limits(home)
    assert_safe(home)
    prefill = SearchFormPrefill(actions=((s, s),), actors=(s, s), ips=(s,), text=s, notes=(s,) * 12)
    form = render_search_form(prefill)
    assert_view_within_limits(form)
    assert_safe(form)
    for message in (render_notice(s), render_help(command=s)):
        assert_within_limits(message.blocks)
        assert_safe(message)


def test_escaped_data_reads_back_as_the_original_text():
    message = render_results(make_page([poisoned_event("<!channel> & &lt;x&gt;")], action_name="a"))
    entry = message.blocks[2]["text"]["text"]
    assert "by &lt;!channel&gt; &amp; &amp;lt;x&amp;gt;" in entry


def test_a_string_with_every_corpus_entry_at_once():
    s = " ".join(CORPUS[:12]) + "\n" + "|".join(CORPUS[12:14])
    page = make_page([poisoned_event(s)] * 3, query=s, notes=(s,), action_name=s)
    assert_safe(render_results(page, intro=s))
    assert_safe(render_event_detail(poisoned_event(s), s))
    assert_safe(render_error(QueryError(s, column=5, length=3, hint=s, suggestions=[s], source=s)))
