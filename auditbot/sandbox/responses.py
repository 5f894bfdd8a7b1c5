"""Error bodies in the API's two shapes, and the exception handlers raise to send one.

``ApplicationError`` lists (``{"errors": [{"id", "status", "code", "title", "detail"}]}``, with
``status`` a string) carry ``ADMIN-<status>-<n>`` codes; the gateway's ``ProxyError``
(``{"code": 401, "message": "Unauthorized"}``, ``code`` a number) answers 401 and 429.
"""

from __future__ import annotations

import json

JSON = "application/json"

TITLES: dict[str, str] = {
    "ADMIN-400-1": "Invalid page cursor",
    "ADMIN-400-3": "Invalid time date",
    "ADMIN-400-19": "Request syntax is not valid",
    "ADMIN-404-1": "Unknown resource",
    "ADMIN-404-2": "Organization not found",
    "ADMIN-404-4": "Event not found",
    "ADMIN-405-1": "Method not supported",
    "ADMIN-500-1": "Internal error",
}


class ApiProblem(Exception):
    """Raised by request handling to answer with an ApplicationError body."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.status = int(code.split("-")[1])
        self.title = TITLES.get(code, "Error")
        self.detail = detail


def problem(code: str, detail: str) -> ApiProblem:
    return ApiProblem(code, detail)


def application_error(error: ApiProblem, error_id: str) -> bytes:
    item = {
        "id": error_id,
        "status": str(error.status),
        "code": error.code,
        "title": error.title,
        "detail": error.detail,
    }
    return json.dumps({"errors": [item]}, separators=(",", ":")).encode()


def proxy_error(status: int, message: str) -> bytes:
    return json.dumps({"code": status, "message": message}, separators=(",", ":")).encode()
