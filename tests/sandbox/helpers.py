"""Shared constants and small helpers for the sandbox tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx

from auditbot.sandbox import SandboxApi
from auditbot.sandbox.builders import to_us

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""A Wednesday noon (UTC): the end of the shared org's generated history."""
SEED = 7
KEY = "sandbox-key"
BASE = "http://sandbox.test/admin"


def make_client(api: SandboxApi, key: str | None = KEY) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return httpx.Client(transport=api.transport(), base_url=BASE, headers=headers)


def events_path(api: SandboxApi, endpoint: str = "events") -> str:
    return f"/v1/orgs/{api.org_id}/{endpoint}"


def walk(client: httpx.Client, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of a query, following ``meta.next`` with ``cursor`` (and nothing else)."""
    pages: list[dict[str, Any]] = []
    page = client.get(path, params=params).raise_for_status().json()
    pages.append(page)
    while page["meta"]["next"]:
        page = client.get(path, params={"cursor": page["meta"]["next"]}).raise_for_status().json()
        pages.append(page)
    return pages


def events_of(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for page in pages for event in page["data"]]


def time_us(event: dict[str, Any], field: str = "time") -> int:
    return to_us(datetime.fromisoformat(event["attributes"][field]))


def error_code(response: httpx.Response) -> str:
    body = response.json()
    item = body["errors"][0]
    assert set(item) == {"id", "status", "code", "title", "detail"}
    assert item["status"] == str(response.status_code)
    return str(item["code"])


def jsonl(*events: dict[str, Any]) -> str:
    return "".join(json.dumps(e) + "\n" for e in events)
