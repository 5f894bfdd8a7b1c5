"""The vendor's OpenAPI document and an openapi-core request adapter, shared by conformance tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_FILE = Path(__file__).parent / "fixtures" / "spec" / "atlassian_org_openapi.json"
HOST = "https://api.atlassian.com"
KEY = "sandbox-key"


@dataclass
class SpecRequest:
    """openapi-core's ``Request`` protocol over a path and raw query string."""

    path: str
    query: str = ""
    host_url: str = HOST
    method: str = "get"
    body: bytes | None = None
    content_type: str = "application/json"
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(self.query, keep_blank_values=True)),
            header=Headers({"Authorization": f"Bearer {KEY}"}),
        )
