"""The fault plan: parsing, determinism, each kind in-process and over real loopback HTTP, the control paths."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator

import httpx
import pytest

from auditbot.core.clock import ManualClock
from auditbot.sandbox import FaultPlan, FaultSpecError, GeneratedOrg, RateLimits, SandboxApi, parse_rates, start_server
from auditbot.sandbox.server import RunningSandbox

from .helpers import KEY, error_code, events_path, make_client


@pytest.fixture
def faulty(org: GeneratedOrg, clock: ManualClock) -> SandboxApi:
    return SandboxApi(org, org_id=org.org_id, clock=clock, limits=RateLimits.of(5, 5), faults=FaultPlan(seed=1))


@pytest.fixture
def released() -> threading.Event:
    return threading.Event()


@pytest.fixture
def running(faulty: SandboxApi, released: threading.Event) -> Iterator[RunningSandbox]:
    """A real loopback server whose ``slow`` waits on ``released`` (at most the requested seconds)."""
    server = start_server(faulty, sleep=lambda seconds: released.wait(seconds))
    try:
        yield server
    finally:
        released.set()
        server.close()


def http_client(server: RunningSandbox, timeout: float = 5.0) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=timeout)


# -- the plan ----------------------------------------------------------------------------------


def test_parse_rates() -> None:
    assert parse_rates("500=0.05,slow=0.02, drop=0.02,malformed=0.02") == {
        "500": 0.05,
        "slow": 0.02,
        "drop": 0.02,
        "malformed": 0.02,
    }
    assert parse_rates("") == {}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("500", "KIND=RATE"),
        ("timeout=0.1", "unknown fault kind 'timeout'"),
        ("500=lots", "not a number"),
        ("500=1.5", "between 0 and 1"),
        ("500=0.6,drop=0.6", "more than 1"),
    ],
)
def test_bad_rate_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        parse_rates(spec)


def test_queue_first_then_seeded_rates() -> None:
    plan = FaultPlan(queue=["drop"], rates={"500": 0.3, "slow": 0.2}, seed=5)
    plan.push("malformed")
    rolls = [plan.next_fault() for _ in range(200)]
    assert rolls[:2] == ["drop", "malformed"]
    again = FaultPlan(rates={"500": 0.3, "slow": 0.2}, seed=5)
    assert [again.next_fault() for _ in range(198)] == rolls[2:]
    shares = {kind: rolls[2:].count(kind) / 198 for kind in ("500", "slow", None)}
    assert 0.2 < shares["500"] < 0.4 and 0.1 < shares["slow"] < 0.3 and 0.35 < shares[None] < 0.65


# -- in-process (MockTransport) ----------------------------------------------------------------


def test_500_fault_in_process_is_not_counted(faulty: SandboxApi) -> None:
    faulty.faults.push("500")
    with make_client(faulty) as client:
        failed = client.get(events_path(faulty))
        assert failed.status_code == 500
        assert error_code(failed) == "ADMIN-500-1"
        assert failed.headers["X-RateLimit-Remaining"] == "5"
        assert client.get(events_path(faulty)).headers["X-RateLimit-Remaining"] == "4"


def test_drop_slow_and_malformed_in_process(faulty: SandboxApi) -> None:
    faulty.faults.push("drop", "slow", "malformed")
    with make_client(faulty) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(events_path(faulty))
        with pytest.raises(httpx.ReadTimeout):
            client.get(events_path(faulty))
        broken = client.get(events_path(faulty))
        assert broken.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            broken.json()
        assert client.get(events_path(faulty)).json()["data"]


def test_faults_only_hit_api_get_requests(faulty: SandboxApi) -> None:
    faulty.faults.push("500")
    with make_client(faulty) as client:
        assert client.get("/v1/unknown").status_code == 404
        assert client.post(events_path(faulty)).status_code == 405
        assert client.get(events_path(faulty, "event-actions")).status_code == 500


# -- real loopback HTTP ------------------------------------------------------------------------


def test_500_and_malformed_over_http(running: RunningSandbox, faulty: SandboxApi) -> None:
    faulty.faults.push("500", "malformed")
    with http_client(running) as client:
        failed = client.get(events_path(faulty))
        assert failed.status_code == 500 and error_code(failed) == "ADMIN-500-1"
        broken = client.get(events_path(faulty))
        assert broken.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            broken.json()
        assert client.get(events_path(faulty)).status_code == 200


def test_drop_over_http_is_a_protocol_error(running: RunningSandbox, faulty: SandboxApi) -> None:
    faulty.faults.push("drop")
    with http_client(running) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(events_path(faulty))
        assert client.get(events_path(faulty)).status_code == 200


def test_slow_over_http_times_the_client_out(running: RunningSandbox, faulty: SandboxApi) -> None:
    faulty.faults.update({"next": ["slow"], "slow_seconds": 0.5})
    with http_client(running, timeout=0.1) as client, pytest.raises(httpx.ReadTimeout):
        client.get(events_path(faulty))
    with http_client(running) as client:
        assert client.get(events_path(faulty, "event-actions")).status_code == 200


def test_keep_alive_serves_several_requests_on_one_connection(running: RunningSandbox, faulty: SandboxApi) -> None:
    connection = http.client.HTTPConnection(running.host, running.port, timeout=5)
    try:
        for _ in range(3):
            connection.request(
                "GET", f"/admin{events_path(faulty, 'event-actions')}", headers={"Authorization": f"Bearer {KEY}"}
            )
            response = connection.getresponse()
            assert response.status == 200
            assert json.loads(response.read())["data"]
            assert response.getheader("Connection") != "close"
    finally:
        connection.close()


# -- control paths -----------------------------------------------------------------------------


def test_control_endpoint_sets_and_shows_the_plan(
    running: RunningSandbox, faulty: SandboxApi, org: GeneratedOrg
) -> None:
    with httpx.Client(base_url=running.root_url, timeout=5) as control, http_client(running) as client:
        shown = control.post("/_sandbox/faults", json={"next": ["500", "drop"], "rates": {"slow": 0.0}})
        assert shown.status_code == 200
        assert shown.json() == {"next": ["500", "drop"], "rates": {"slow": 0.0}, "slow_seconds": 2.0}
        assert control.get("/_sandbox/faults").json()["next"] == ["500", "drop"]
        assert client.get(events_path(faulty)).status_code == 500
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(events_path(faulty))
        assert control.get("/_sandbox/faults").json()["next"] == []
        bad = control.post("/_sandbox/faults", json={"next": ["explode"]})
        assert bad.status_code == 400 and "unknown fault kind 'explode'" in bad.json()["error"]
        assert control.post("/_sandbox/faults", content=b"{nope").status_code == 400
        assert control.post("/_sandbox/faults", json={"rates": {"500": 2}}).status_code == 400
        assert control.post("/_sandbox/faults", json={"nxt": []}).status_code == 400
        assert control.post("/_sandbox/faults", json={"rates": {"500": 1.0}}).json()["rates"] == {"500": 1.0}
        assert client.get(events_path(faulty)).status_code == 500
        assert control.delete("/_sandbox/faults").json() == {"next": [], "rates": {}, "slow_seconds": 2.0}
        assert client.get(events_path(faulty)).status_code == 200
        assert control.put("/_sandbox/faults").status_code == 405
        info = control.get("/_sandbox/org").json()
        assert info["orgId"] == org.org_id
        assert [i["name"] for i in info["incidents"]] == [i.name for i in org.incidents]
        assert control.get("/_sandbox/nothing").status_code == 404
