"""The client's requests, read back by openapi-core with the vendor's OpenAPI document: every
parameter arrives with the type and value the spec defines (arrays as form/explode=false)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from openapi_core import Config, OpenAPI
from pydantic import SecretStr

from auditbot.atlassian import AdminApiClient
from auditbot.core.clock import ManualClock
from auditbot.core.ports import EventFilters, PlaceFilter
from tests.atlassian.scripted import ScriptedApi, event, json_response, page
from tests.openapi_spec import SPEC_FILE, SpecRequest

START = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC_FILE), config=Config(spec_validator_cls=None))


def as_spec_request(request: httpx.Request) -> SpecRequest:
    return SpecRequest(request.url.path, request.url.query.decode())


def sent(*answers: httpx.Response, call) -> httpx.Request:
    api = ScriptedApi(*answers)
    client = AdminApiClient.create(
        org_id="9a1jj823-jac8-123d-jj01-63315k059cb2",
        api_key=SecretStr("k"),
        base_url="https://api.atlassian.com/admin",
        transport=api.transport(),
        clock=ManualClock(),
    )
    call(client)
    return api.requests[0]


def query_of(spec: OpenAPI, request: httpx.Request) -> dict[str, Any]:
    result = spec.unmarshal_request(as_spec_request(request))
    assert not result.errors, result.errors
    return dict(result.parameters.query)


def test_list_events_parameters_arrive_as_the_spec_types_them(spec):
    filters = EventFilters(
        q="api token",
        start=START,
        end=START + timedelta(days=1),
        action="user_login",
        actors=("a@example.com", "557058:f1e2"),
        ips=("203.0.113.7", "2001:db8::1"),
        products=("jira", "guard_detect"),
        locations=(PlaceFilter("Sydney", "Australia"), PlaceFilter(None, "Germany")),
    )
    request = sent(page([]), call=lambda c: c.list_events(filters, limit=500))
    assert query_of(spec, request) == {
        "q": "api token",
        "from": "1795132800000",
        "to": "1795219200000",
        "action": "user_login",
        "actor": ["a@example.com", "557058:f1e2"],
        "ip": ["203.0.113.7", "2001:db8::1"],
        "product": ["jira", "guard_detect"],
        "location": '[{"city":"Sydney","countryName":"Australia"},{"countryName":"Germany"}]',
        "limit": 500,
    }


def test_a_cursor_request_is_valid(spec):
    request = sent(page([]), call=lambda c: c.list_events(cursor="Qh8E1QpVV00ys/xI7pHI7Q..", limit=100))
    assert query_of(spec, request) == {"cursor": "Qh8E1QpVV00ys/xI7pHI7Q..", "limit": 100}


def test_poll_events_parameters_arrive_as_the_spec_types_them(spec):
    request = sent(page([]), call=lambda c: c.poll_events(start=START, limit=200, sort_order="desc"))
    assert query_of(spec, request) == {"from": "1795132800000", "limit": 200, "sortOrder": "desc"}


def test_get_event_and_event_actions_paths_match_the_spec(spec):
    for answer, call in (
        (
            json_response(200, {"data": event("25e4c3e7-7f0d-4b84-8028-330fed144a51")}),
            lambda c: c.get_event("25e4c3e7-7f0d-4b84-8028-330fed144a51"),
        ),
        (json_response(200, {"data": []}), lambda c: c.list_event_actions()),
    ):
        request = sent(answer, call=call)
        result = spec.unmarshal_request(as_spec_request(request))
        assert not result.errors, result.errors
