"""A faithful local fake of the Atlassian Admin API audit-log endpoints, with a seeded live org.

    api = SandboxApi.generated(seed=7, days=30, clock=clock)     # or SandboxApi(load_events_file(...), ...)
    httpx.Client(transport=api.transport(), base_url="http://sandbox.test/admin")   # in-process
    with start_server(api) as running: ...                        # loopback HTTP, running.base_url

See ``api.py`` for the request pipeline, ``endpoints.py`` for paging, ``filters.py`` for query
semantics, ``faults.py`` for fault injection and ``generate.py`` for the org.
"""

from auditbot.sandbox.api import DEFAULT_API_KEY, SandboxApi, load_actions
from auditbot.sandbox.faults import FAULT_KINDS, FaultKind, FaultPlan, FaultSpecError, parse_rates
from auditbot.sandbox.generate import GeneratedOrg
from auditbot.sandbox.incidents import EXAMPLE_EVENT_ID, Incident
from auditbot.sandbox.loader import EventsFileError, load_events_file
from auditbot.sandbox.messages import SandboxRequest, SandboxResponse
from auditbot.sandbox.products import PRODUCTS, event_products
from auditbot.sandbox.ratelimit import RateLimits
from auditbot.sandbox.server import RunningSandbox, start_server

__all__ = [
    "DEFAULT_API_KEY",
    "EXAMPLE_EVENT_ID",
    "FAULT_KINDS",
    "PRODUCTS",
    "EventsFileError",
    "FaultKind",
    "FaultPlan",
    "FaultSpecError",
    "GeneratedOrg",
    "Incident",
    "RateLimits",
    "RunningSandbox",
    "SandboxApi",
    "SandboxRequest",
    "SandboxResponse",
    "event_products",
    "load_actions",
    "load_events_file",
    "parse_rates",
    "start_server",
]
