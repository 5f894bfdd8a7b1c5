"""The sandbox's own control paths, next to the API: change faults at runtime, look at the org.

- ``GET /_sandbox/faults``: the fault plan ``{"next": [...], "rates": {...}, "slow_seconds": n}``.
- ``POST /_sandbox/faults`` with a JSON body of any of those keys: replaces them; answers the plan.
- ``DELETE /_sandbox/faults``: clears queue and rates.
- ``GET /_sandbox/org``: the org id and, for a generated org, its window and incidents.

They need no API key, use no quota and never draw a fault: they drive the sandbox, not the API.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from auditbot.sandbox.faults import FaultSpecError
from auditbot.sandbox.generate import GeneratedOrg
from auditbot.sandbox.messages import SandboxRequest, SandboxResponse, json_response

if TYPE_CHECKING:
    from auditbot.sandbox.api import SandboxApi


def handle_control(request: SandboxRequest, api: SandboxApi) -> SandboxResponse:
    path, method = request.path.rstrip("/"), request.method.upper()
    if path == "/_sandbox/faults":
        if method == "GET":
            return json_response(200, api.faults.to_json())
        if method == "DELETE":
            api.faults.clear()
            return json_response(200, api.faults.to_json())
        if method == "POST":
            try:
                api.faults.update(json.loads(request.body or b"null"))
            except ValueError as error:
                reason = str(error) if isinstance(error, FaultSpecError) else f"body is not JSON: {error}"
                return json_response(400, {"error": reason})
            return json_response(200, api.faults.to_json())
        return json_response(405, {"error": "use GET, POST or DELETE"}, {"Allow": "GET, POST, DELETE"})
    if path == "/_sandbox/org":
        if method != "GET":
            return json_response(405, {"error": "use GET"}, {"Allow": "GET"})
        return json_response(200, _org_info(api))
    return json_response(404, {"error": f"no sandbox control path {request.path}"})


def _org_info(api: SandboxApi) -> dict[str, Any]:
    info: dict[str, Any] = {"orgId": api.org_id}
    org = api.source
    if isinstance(org, GeneratedOrg):
        info["seed"] = org.seed
        info["windowStart"] = org.window_start.isoformat()
        info["anchor"] = org.anchor.isoformat()
        info["incidents"] = [
            {"name": i.name, "summary": i.summary, "eventIds": list(i.event_ids)} for i in org.incidents
        ]
    return info
