"""Errors as messages: what, where, how to fix; never a traceback, never a secret."""

from __future__ import annotations

import json

import pytest

from auditbot.core.errors import (
    ApiBadRequest,
    ApiError,
    ApiForbidden,
    ApiMalformedResponse,
    ApiNotFound,
    ApiRateLimited,
    ApiServerError,
    ApiUnauthorized,
    ApiUnavailable,
    AuditbotError,
    ConfigError,
)
from auditbot.core.paging import PageStateError
from auditbot.core.query import parse
from auditbot.core.querysyntax import QueryError
from auditbot.logs import redact
from auditbot.services.search import SearchBusy
from auditbot.slack import ids
from auditbot.slack.render import render_error
from auditbot.slack.render.errors import caret_lines
from tests.slack.render.support import assert_safe, assert_within_limits, mrkdwn_texts


def query_error(text: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse(text)
    return caught.value


def joined(error: BaseException) -> str:
    message = render_error(error)
    assert_within_limits(message.blocks)
    assert_safe(message)
    return "\n".join(mrkdwn_texts(message.blocks))


def test_a_query_error_says_what_once_points_with_the_caret_and_offers_the_corrected_query():
    text = joined(query_error("actr:jane@x.com since:24h"))
    assert ':warning: *That query could not be read*\nUnknown term "actr"\n```' in text
    assert "```\nactr:jane@x.com since:24h\n^^^^\n```" in text
    assert "column" not in text  # the caret is the one pointer
    assert "*How to fix:* Terms are actor:" in text
    assert "Did you mean `actor:jane@x.com since:24h`?\nOr `action:jane@x.com since:24h`?" in text
    assert text.lower().count("did you mean") == 1


def test_each_suggestion_is_a_button_that_carries_the_whole_corrected_query():
    message = render_error(query_error("acter:bob@example.com last:7d"))
    accessories = [b["accessory"] for b in message.blocks if "accessory" in b]
    assert accessories[0]["action_id"] == f"{ids.SEARCH_SUGGESTION}:0"
    assert accessories[0]["value"] == "actor:bob@example.com last:7d"
    assert accessories[0]["text"]["text"] == "Search"
    assert all(ids.SEARCH_SUGGESTION_PATTERN.match(a["action_id"]) for a in accessories)
    assert len({a["action_id"] for a in accessories}) == len(accessories)


def test_a_corrected_query_too_long_for_a_button_is_text_only_and_at_most_three_are_shown():
    long = "actor:" + "\U0001f600" * 1100  # 2,200 UTF-16 units: over a button value's 2,000
    error = QueryError("bad", suggestions=[long, "a", "b", "c"])
    message = render_error(error)
    assert_within_limits(message.blocks)
    suggested = [b for b in message.blocks if "Did you mean" in json.dumps(b) or "Or `" in json.dumps(b)]
    assert len(suggested) == 3
    assert "accessory" not in suggested[0]
    assert [b["accessory"]["value"] for b in suggested[1:]] == ["a", "b"]


def test_the_caret_follows_the_column_in_a_long_query():
    error = query_error("a" * 1500 + "b" * 100)
    line, marker = caret_lines(error.source or "", error.column, error.length).split("\n")
    assert line.startswith("…") and line.endswith("b…") and len(line) == 82
    start = marker.index("^")
    assert line[start - 1] == "a" and line[start:-1] == "b" * marker.count("^")
    assert "column" not in joined(error)


def test_caret_lines_keep_columns_when_characters_are_neutralised():
    line, marker = caret_lines("a\u202eb`c <x> target", 10, 6).split("\n")
    assert line == "a\ufffdb\u02cbc <x> target"
    assert line[marker.index("^") :].startswith("target") and marker.count("^") == 6


def test_a_query_error_without_source_has_no_code_block():
    text = joined(QueryError("bad <query>", hint="fix `it`", suggestions=["actor:<!here>`x`"]))
    assert "```" not in text and "bad &lt;query&gt;" in text
    assert "Did you mean `actor:&lt;!here&gt;\u02cbx\u02cb`?" in text


def test_search_busy_says_when_it_is_ready():
    text = joined(SearchBusy(12.2))
    assert "*auditbot is busy*" in text and "Ready in 12 s" in text


def test_an_unusable_button_says_to_search_again():
    text = joined(PageStateError("That button was made for another org."))
    assert "*That button can no longer be used*" in text and "Run the search again." in text


@pytest.mark.parametrize(
    ("error", "title"),
    [
        (ApiUnauthorized("The Admin API refused the API key.", code="ADMIN-401"), "rejected auditbot's API key"),
        (ApiForbidden("Forbidden."), "may not read this organization's audit log"),
        (ApiNotFound("No such event."), "found no such thing"),
        (ApiBadRequest("Bad from.", code="ADMIN-400-1", detail="from must be < to"), "refused the request"),
        (ApiServerError("502", status=502), "had a problem"),
        (ApiUnavailable("timeout"), "could not be reached"),
        (ApiMalformedResponse("not JSON"), "could not read"),
        (ApiError("odd"), "could not answer"),
        (ApiRateLimited("slow down", retry_after=30.2), "rate limit was reached"),
        (ConfigError("ATLASSIAN_ORG_ID is missing.", hint="Set it."), "not configured correctly"),
        (AuditbotError('No action group is called "x"'), "That did not work"),
    ],
)
def test_each_error_kind_has_its_own_headline(error, title):
    assert title in joined(error)


def test_an_unauthorized_key_tells_admins_what_to_do_and_never_shows_the_key():
    error = ApiUnauthorized(
        "The Admin API refused the key Bearer ATATT3xFfGF0secretsecret.",
        code="ADMIN-401",
        detail="Authorization: Bearer ATATT3xFfGF0secretsecret token=abc123 xoxb-123-456",
    )
    message = render_error(error)
    text = "\n".join(mrkdwn_texts(message.blocks)) + message.text
    assert "secret" not in text and "abc123" not in text and "xoxb" not in text
    assert "create a new API key in Atlassian Administration" in text
    assert "Admin API answered 401 ADMIN-401" in text


def test_rate_limited_details_say_when():
    assert "Admin API answered 429 · ready in 31 s" in joined(ApiRateLimited("slow down", retry_after=30.6))


def test_an_unexpected_exception_shows_nothing_of_itself():
    message = render_error(RuntimeError("Traceback (most recent call last): password=hunter2"))
    text = "\n".join(mrkdwn_texts(message.blocks)) + message.text
    assert "Something went wrong inside auditbot" in text
    assert "Traceback" not in text and "hunter2" not in text
    assert_safe(message)


def test_redact_keeps_ordinary_text():
    assert redact("No action is called user_login_x") == "No action is called user_login_x"
    assert redact("api_key=abc, ok") == "api_key=[redacted], ok"


def test_an_event_that_is_not_found_is_said_once_with_one_full_stop():
    detail = "No event with id 25e4c3e7 in this organization."
    error = ApiNotFound(f"{detail}", code="ADMIN-404-4", detail=detail, hint="Check the event id.")
    error.status = 404
    text = joined(error)
    assert text.count("No event with id 25e4c3e7") == 1 and ".." not in text
    assert "Admin API answered 404 ADMIN-404-4" in text
