"""Every error path: auth, routing, org and event lookups, parameter validation and cursors."""

from __future__ import annotations

import base64
import json
import uuid

import httpx
import pytest

from auditbot.core.clock import ManualClock
from auditbot.sandbox import GeneratedOrg, SandboxApi, SandboxRequest

from .helpers import ANCHOR, BASE, error_code, events_path, make_client

ENDPOINTS = ["events", "events-stream", "event-actions"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("header", [None, "Bearer wrong-key", "Basic c2FuZGJveC1rZXk=", "Bearer", "sandbox-key"])
def test_missing_or_wrong_key_is_401_proxy_error(api: SandboxApi, endpoint: str, header: str | None) -> None:
    with httpx.Client(transport=api.transport(), base_url=BASE) as client:
        headers = {"Authorization": header} if header else {}
        response = client.get(events_path(api, endpoint), headers=headers)
    assert response.status_code == 401
    assert response.json() == {"code": 401, "message": "Unauthorized"}
    assert response.headers["X-RateLimit-Limit"]


def test_bearer_scheme_is_case_insensitive(api: SandboxApi) -> None:
    with httpx.Client(transport=api.transport(), base_url=BASE) as client:
        response = client.get(events_path(api, "event-actions"), headers={"Authorization": "bearer sandbox-key"})
    assert response.status_code == 200


@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "events/some-id"])
def test_unknown_org_is_404_admin_404_2(client: httpx.Client, endpoint: str) -> None:
    response = client.get(f"/v1/orgs/{uuid.uuid4()}/{endpoint}")
    assert response.status_code == 404
    assert error_code(response) == "ADMIN-404-2"
    assert response.json()["errors"][0]["title"] == "Organization not found"


def test_unknown_event_is_404_admin_404_4(client: httpx.Client, api: SandboxApi) -> None:
    response = client.get(events_path(api, "events/no-such-event"))
    assert response.status_code == 404
    assert error_code(response) == "ADMIN-404-4"
    uuid.UUID(response.json()["errors"][0]["id"])


def test_event_by_id_returns_the_event(client: httpx.Client, api: SandboxApi, org: GeneratedOrg) -> None:
    event_id = org.incidents[0].event_ids[-1]
    body = client.get(events_path(api, f"events/{event_id}")).json()
    assert set(body) == {"data"}
    assert body["data"]["id"] == event_id
    assert "processedAt" not in body["data"]["attributes"]


UNKNOWN_PATHS = [
    "/",
    "/admin",
    "/admin/v1/orgs",
    "/admin/v2/orgs/x/events",
    "/admin/v1/orgs/x/users",
    "/admin/v1/orgs/x/events/a/b",
    "/admin/v1/orgs/x/event-actions/y",
    "/v1/orgs/x/events",
]
BAD_TIMES = [
    {"from": "yesterday"},
    {"to": "1.5"},
    {"from": "-5"},
    {"from": "2026-11-01T00:00:00Z"},
    {"from": ""},
    {"from": "1700000000001", "to": "1700000000000"},
]
BAD_SYNTAX = [
    {"product": "jira,trello"},
    {"product": "JIRA"},
    {"location": "Sydney"},
    {"location": '[{"city": 3}]'},
    {"location": '[{"planet": "Mars"}]'},
    {"location": "[{}]"},
    {"location": '["Sydney"]'},
    {"location": "42"},
]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_paths_are_404_admin_404_1(api: SandboxApi, path: str) -> None:
    response = api.handle(SandboxRequest("GET", path, headers={"Authorization": "Bearer sandbox-key"}))
    assert response.status == 404
    assert response.json()["errors"][0]["code"] == "ADMIN-404-1"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_admin_405_1(client: httpx.Client, api: SandboxApi, method: str) -> None:
    response = client.request(method, events_path(api))
    assert response.status_code == 405
    assert error_code(response) == "ADMIN-405-1"
    assert response.headers["Allow"] == "GET"


@pytest.mark.parametrize("endpoint", ["events", "events-stream"])
@pytest.mark.parametrize("params", BAD_TIMES)
def test_bad_time_is_400_admin_400_3(
    client: httpx.Client, api: SandboxApi, endpoint: str, params: dict[str, str]
) -> None:
    response = client.get(events_path(api, endpoint), params=params)
    assert response.status_code == 400
    assert error_code(response) == "ADMIN-400-3"


@pytest.mark.parametrize("endpoint", ["events", "events-stream"])
@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten", "", "1e2", "30.0"])
def test_bad_limit_is_400_admin_400_19(client: httpx.Client, api: SandboxApi, endpoint: str, limit: str) -> None:
    response = client.get(events_path(api, endpoint), params={"limit": limit})
    assert response.status_code == 400
    assert error_code(response) == "ADMIN-400-19"


@pytest.mark.parametrize("params", BAD_SYNTAX)
def test_bad_product_or_location_is_400_admin_400_19(
    client: httpx.Client, api: SandboxApi, params: dict[str, str]
) -> None:
    response = client.get(events_path(api), params=params)
    assert response.status_code == 400
    assert error_code(response) == "ADMIN-400-19"


def test_bad_sort_order_is_400_admin_400_19(client: httpx.Client, api: SandboxApi) -> None:
    response = client.get(events_path(api, "events-stream"), params={"sortOrder": "newest"})
    assert response.status_code == 400
    assert error_code(response) == "ADMIN-400-19"


def tamper(cursor: str) -> str:
    body, _, mac = cursor.partition(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["l"] = 500
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{forged}.{mac}"


@pytest.mark.parametrize("endpoint", ["events", "events-stream"])
def test_bad_cursors_are_400_admin_400_1(
    client: httpx.Client, api: SandboxApi, org: GeneratedOrg, endpoint: str
) -> None:
    path = events_path(api, endpoint)
    good = client.get(path, params={"limit": 2}).json()["meta"]["next"]
    assert client.get(path, params={"cursor": good}).status_code == 200
    other_endpoint = "events-stream" if endpoint == "events" else "events"
    foreign = client.get(events_path(api, other_endpoint), params={"limit": 2}).json()["meta"]["next"]
    other_org = SandboxApi.generated(99, days=1, clock=ManualClock(ANCHOR))
    with make_client(other_org) as other:
        alien = other.get(events_path(other_org, endpoint), params={"limit": 1}).json()["meta"]["next"]
    for cursor in ["garbage", "a.b", good[:-3], tamper(good), foreign, alien, good + "=", good.replace("-", "+")]:
        if cursor == good:
            continue
        response = client.get(path, params={"cursor": cursor})
        assert response.status_code == 400, cursor
        assert error_code(response) == "ADMIN-400-1"


def test_error_ids_are_unique_uuids(client: httpx.Client, api: SandboxApi) -> None:
    first = client.get(events_path(api), params={"limit": "x"}).json()["errors"][0]["id"]
    second = client.get(events_path(api), params={"limit": "x"}).json()["errors"][0]["id"]
    assert first != second
    assert uuid.UUID(first).version == 4
