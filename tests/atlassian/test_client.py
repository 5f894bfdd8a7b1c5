from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr

from auditbot.atlassian import AdminApiClient, RequestBudget, RetryPolicy
from auditbot.core.clock import ManualClock
from auditbot.core.errors import (
    ApiBadRequest,
    ApiForbidden,
    ApiMalformedResponse,
    ApiNotFound,
    ApiRateLimited,
    ApiServerError,
    ApiUnauthorized,
    ApiUnavailable,
)
from auditbot.core.ports import EventFilters, PlaceFilter
from tests.atlassian.scripted import ScriptedApi, event, json_response, page

KEY = "secret-key-never-logged"
ORG = "org-1"


def make_client(api: ScriptedApi, clock: ManualClock | None = None, **kwargs) -> AdminApiClient:
    return AdminApiClient.create(
        org_id=ORG,
        api_key=SecretStr(KEY),
        base_url="https://api.example.test/admin",
        transport=api.transport(),
        clock=clock or ManualClock(),
        rng=random.Random(1),
        **kwargs,
    )


def query_of(request: httpx.Request) -> str:
    return request.url.query.decode()


def test_list_events_encodes_every_parameter_as_the_spec_says():
    api = ScriptedApi(page([]))
    start = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    filters = EventFilters(
        q="api token",
        start=start,
        end=start + timedelta(hours=1, milliseconds=5),
        action="user_login",
        actors=("a@example.com", "557058:abc"),
        ips=("203.0.113.7", "198.51.100.2"),
        products=("jira", "confluence"),
        locations=(PlaceFilter(city="Sydney", country_name="Australia"),),
    )
    make_client(api).list_events(filters, limit=500)
    request = api.requests[0]
    assert request.url.path == "/admin/v1/orgs/org-1/events"
    assert query_of(request) == (
        "q=api%20token&from=1795132800000&to=1795136400005&action=user_login"
        "&actor=a%40example.com,557058%3Aabc&ip=203.0.113.7,198.51.100.2&product=jira,confluence"
        "&location=%5B%7B%22city%22%3A%22Sydney%22%2C%22countryName%22%3A%22Australia%22%7D%5D&limit=500"
    )
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Accept"] == "application/json"


def test_a_comma_inside_a_value_cannot_split_an_array_parameter():
    api = ScriptedApi(page([]))
    make_client(api).list_events(EventFilters(actors=("a,b",)))
    assert query_of(api.requests[0]) == "actor=a%2Cb"


def test_with_a_cursor_only_cursor_and_limit_are_sent():
    api = ScriptedApi(page([]))
    make_client(api).list_events(EventFilters(q="x"), cursor="Qh8E/1Q+p==", limit=50)
    assert query_of(api.requests[0]) == "cursor=Qh8E%2F1Q%2Bp%3D%3D&limit=50"


def test_poll_events_sends_window_sort_order_and_limit():
    api = ScriptedApi(page([]))
    start = datetime(2026, 11, 20, tzinfo=UTC)
    make_client(api).poll_events(start=start, end=start + timedelta(days=1), limit=500, sort_order="asc")
    assert api.requests[0].url.path == "/admin/v1/orgs/org-1/events-stream"
    assert query_of(api.requests[0]) == "from=1795132800000&to=1795219200000&sortOrder=asc&limit=500"


def test_get_event_quotes_the_id_and_unwraps_data():
    api = ScriptedApi(json_response(200, {"data": event("e/1")}))
    found = make_client(api).get_event("e/1")
    assert found.id == "e/1"
    assert api.requests[0].url.raw_path == b"/admin/v1/orgs/org-1/events/e%2F1"


def test_event_actions_are_lower_cased_and_localised_on_request():
    body = {
        "data": [
            {"id": "USER_LOGIN", "type": "eventActions", "attributes": {"displayName": "", "groupDisplayName": ""}}
        ]
    }
    api = ScriptedApi(json_response(200, body))
    actions = make_client(api).list_event_actions(locale="de-DE")
    assert [a.id for a in actions] == ["user_login"]
    assert api.requests[0].headers["Accept-Language"] == "de-DE"


def test_limit_outside_the_spec_bounds_is_refused_before_sending():
    api = ScriptedApi()
    with pytest.raises(ValueError, match="between 1 and 500"):
        make_client(api).list_events(limit=501)
    assert api.requests == []


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (
            400,
            {"errors": [{"id": "x", "status": "400", "code": "ADMIN-400-3", "title": "Invalid time date"}]},
            ApiBadRequest,
            "ADMIN-400-3",
        ),
        (401, {"code": 401, "message": "Unauthorized"}, ApiUnauthorized, "401"),
        (403, {"error": "Forbidden", "message": "no perms", "status": 403}, ApiForbidden, None),
        (
            404,
            {"errors": [{"status": "404", "code": "ADMIN-404-4", "title": "Event not found"}]},
            ApiNotFound,
            "ADMIN-404-4",
        ),
    ],
    ids=["400", "401", "403", "404"],
)
def test_client_errors_become_distinct_types_with_the_api_code(status, body, error, code):
    api = ScriptedApi(json_response(status, body))
    with pytest.raises(error) as caught:
        make_client(api).list_events()
    assert caught.value.status == status
    assert caught.value.code == code
    assert len(api.requests) == 1, "client errors are not retried"


def test_an_error_body_that_is_not_json_still_gives_a_typed_error():
    api = ScriptedApi(httpx.Response(404, content=b"<html>nope</html>"))
    with pytest.raises(ApiNotFound) as caught:
        make_client(api).get_event("x")
    assert caught.value.code is None


def test_server_errors_are_retried_with_bounded_jittered_backoff():
    clock = ManualClock()
    body = {"errors": [{"status": "500", "code": "ADMIN-500-1", "title": "Internal error"}]}
    api = ScriptedApi(*[json_response(500, body)] * 4)
    with pytest.raises(ApiServerError) as caught:
        make_client(api, clock, retry=RetryPolicy(attempts=4, base_delay=1.0, max_delay=3.0)).list_events()
    assert caught.value.code == "ADMIN-500-1"
    assert len(api.requests) == 4
    assert len(clock.slept) == 3
    assert all(0 <= s <= ceiling for s, ceiling in zip(clock.slept, [1.0, 2.0, 3.0], strict=True))


def test_a_server_error_then_success_returns_the_page():
    clock = ManualClock()
    api = ScriptedApi(json_response(502, {}), page([event("a")]))
    result = make_client(api, clock).list_events()
    assert [e.id for e in result.data] == ["a"]


@pytest.mark.parametrize(
    "fault",
    [httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), httpx.RemoteProtocolError("dropped")],
    ids=["timeout", "connect", "dropped"],
)
def test_transport_faults_are_retried_then_reported_as_unavailable(fault):
    api = ScriptedApi(fault, page([event("a")]))
    assert make_client(api).list_events().data[0].id == "a"
    api = ScriptedApi(*[fault] * 4)
    with pytest.raises(ApiUnavailable):
        make_client(api).list_events()
    assert len(api.requests) == 4


def test_a_malformed_body_is_retried_then_reported():
    api = ScriptedApi(httpx.Response(200, content=b'{"data": [{"id":'), page([event("a")]))
    assert make_client(api).list_events().data[0].id == "a"
    api = ScriptedApi(*[httpx.Response(200, content=b"not json")] * 4)
    with pytest.raises(ApiMalformedResponse):
        make_client(api).list_events()


def test_429_waits_until_the_reported_reset_then_succeeds():
    clock = ManualClock(datetime(2026, 11, 25, 12, 0, 20, tzinfo=UTC))
    limited = json_response(
        429,
        {"code": 429, "message": "Rate limit exceeded"},
        {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-11-25T12:01Z"},
    )
    api = ScriptedApi(limited, page([event("a")]))
    client = make_client(api, clock)
    assert client.list_events().data[0].id == "a"
    assert clock.slept == [40.0]
    assert clock.now() == datetime(2026, 11, 25, 12, 1, tzinfo=UTC)
    assert client.stats.rate_limited == 1


def test_429_prefers_retry_after_when_present():
    clock = ManualClock()
    api = ScriptedApi(json_response(429, {}, {"Retry-After": "7"}), page([]))
    make_client(api, clock).list_events()
    assert clock.slept == [7.0]


def test_429_with_a_past_reset_still_waits_a_little_and_never_spins():
    clock = ManualClock(datetime(2026, 11, 25, 12, 5, tzinfo=UTC))
    stale = json_response(429, {}, {"X-RateLimit-Reset": "2026-11-25T12:00Z"})
    api = ScriptedApi(*[stale] * 50)
    with pytest.raises(ApiRateLimited):
        make_client(api, clock, retry=RetryPolicy(max_wait=10.0)).list_events()
    assert len(api.requests) <= 11


def test_429_beyond_the_callers_patience_raises_with_retry_after():
    clock = ManualClock(datetime(2026, 11, 25, 12, 0, 15, tzinfo=UTC))
    limited = json_response(
        429, {"code": 429, "message": "Rate limit exceeded"}, {"X-RateLimit-Reset": "2026-11-25T12:01Z"}
    )
    api = ScriptedApi(limited)
    with pytest.raises(ApiRateLimited) as caught:
        make_client(api, clock).list_events(max_wait=5)
    assert caught.value.retry_after == 45.0
    assert caught.value.reset_at == datetime(2026, 11, 25, 12, 1, tzinfo=UTC)
    assert clock.slept == []


def test_the_budget_keeps_the_client_under_ten_requests_a_minute():
    clock = ManualClock()
    api = ScriptedApi(*[page([])] * 12)
    client = make_client(api, clock)
    sent_at = []
    for _ in range(12):
        client.list_events()
        sent_at.append(clock.monotonic())
    assert sent_at[:10] == [0.0] * 10
    assert sent_at[10] == 60.0
    assert all(b - a >= 60.0 for a, b in zip(sent_at, sent_at[10:], strict=False))


def test_an_interactive_caller_hears_busy_instead_of_waiting():
    clock = ManualClock()
    api = ScriptedApi(*[page([])] * 10)
    client = make_client(api, clock)
    for _ in range(10):
        client.list_events(max_wait=0)
    clock.advance(15)
    with pytest.raises(ApiRateLimited) as caught:
        client.list_events(max_wait=0)
    assert caught.value.retry_after == 45.0
    assert len(api.requests) == 10
    assert client.budget.status("events").remaining == 0


def test_budgets_are_per_path():
    clock = ManualClock()
    api = ScriptedApi(*[page([])] * 10, page([]))
    client = make_client(api, clock)
    for _ in range(10):
        client.list_events()
    client.poll_events()
    assert clock.slept == []


def test_remaining_zero_from_the_api_holds_requests_until_its_reset():
    clock = ManualClock(datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC))
    exhausted = page([])
    exhausted.headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-11-25T12:01Z"})
    api = ScriptedApi(exhausted, page([]))
    client = make_client(api, clock)
    client.list_events()
    client.list_events()
    assert clock.slept == [30.0]


def test_iter_events_follows_cursors_and_drops_boundary_duplicates():
    api = ScriptedApi(page([event("c"), event("b")], "n1"), page([event("b"), event("a")], None))
    ids = [e.id for e in make_client(api).iter_events(EventFilters(q="x"))]
    assert ids == ["c", "b", "a"]
    assert query_of(api.requests[1]) == "cursor=n1&limit=500"


@pytest.mark.parametrize("terminal", [{"page_size": 30}, {"next": None}, {"next": ""}], ids=["absent", "null", "empty"])
def test_every_real_end_of_pages_marker_ends_iteration(terminal):
    body = {"data": [event("a")], "meta": terminal, "links": {}}
    api = ScriptedApi(json_response(200, body))
    assert [e.id for e in make_client(api).iter_events()] == ["a"]


def test_iteration_respects_page_and_event_budgets():
    api = ScriptedApi(*[page([event(f"{i}a"), event(f"{i}b")], f"c{i}") for i in range(5)])
    client = make_client(api)
    assert len(list(client.iter_event_pages(max_pages=3))) == 3
    assert len(api.requests) == 3
    api = ScriptedApi(*[page([event(f"{i}a"), event(f"{i}b")], f"c{i}") for i in range(5)])
    assert len(list(make_client(api).iter_events(max_events=3))) == 3
    assert len(api.requests) == 2


def test_stream_iteration_stops_at_the_first_empty_page():
    api = ScriptedApi(page([event("a")], "s1"), page([event("b")], "s2"), page([], None))
    pages = list(make_client(api).iter_stream_pages(start=datetime(2026, 11, 1, tzinfo=UTC)))
    assert [p.next_cursor for p in pages] == ["s1", "s2"]
    assert query_of(api.requests[1]) == "cursor=s1&limit=500"


def test_the_api_key_never_reaches_logs_or_reprs(caplog):
    caplog.set_level(logging.DEBUG)
    api = ScriptedApi(
        json_response(500, {}), httpx.ReadTimeout("t"), json_response(401, {"code": 401, "message": "no"})
    )
    client = make_client(api)
    with pytest.raises(ApiUnauthorized) as caught:
        client.list_events()
    text = caplog.text + repr(caught.value) + str(caught.value) + repr(client.__dict__)
    assert KEY not in text
    assert caplog.records, "the retries were logged"


def test_a_shared_budget_is_shared():
    clock = ManualClock()
    budget = RequestBudget(clock, {"events": 2, "event": 10, "event-actions": 10, "events-stream": 60})
    a = make_client(ScriptedApi(page([]), page([])), clock, budget=budget)
    b = make_client(ScriptedApi(page([])), clock, budget=budget)
    a.list_events()
    a.list_events()
    b.list_events()
    assert clock.slept == [60.0]
