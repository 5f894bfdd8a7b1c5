"""The Admin API's wire conventions: parameter encoding, rate-limit headers and error bodies.

Parameters follow the OpenAPI document: times are epoch milliseconds as decimal strings;
array parameters (``actor``, ``ip``, ``product``) use ``style: form, explode: false``, i.e. one
key with comma-separated values, each value percent-encoded so that a comma inside a value
cannot split it; ``location`` is JSON text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote as _quote

import httpx
from pydantic import ValidationError

from auditbot.atlassian.models import ApiErrorBody
from auditbot.core.clock import epoch_ms
from auditbot.core.errors import (
    ApiBadRequest,
    ApiError,
    ApiForbidden,
    ApiNotFound,
    ApiServerError,
    ApiUnauthorized,
)
from auditbot.core.ports import EventFilters, SortOrder

Params = list[tuple[str, str | tuple[str, ...]]]
"""Query parameters in order; a tuple value is an array parameter."""

MIN_RATE_LIMIT_WAIT = 1.0
"""A 429 whose reset is already past still waits this long, so a confused server cannot spin us."""

_HINTS = {
    "ADMIN-400-1": "The page cursor is no longer valid; run the search again from the first page.",
    "ADMIN-400-3": "Check the time range: times must be valid and the start must be before the end.",
    "ADMIN-404-2": "Check ATLASSIAN_ORG_ID: it must be the id of the organization the API key belongs to.",
    "ADMIN-404-4": "Check the event id: the audit log keeps events for 180 days.",
}


def quote(value: str) -> str:
    return _quote(value, safe="")


def encode_query(params: Params) -> bytes:
    parts = []
    for key, value in params:
        text = ",".join(quote(v) for v in value) if isinstance(value, tuple) else quote(value)
        parts.append(f"{quote(key)}={text}")
    return "&".join(parts).encode("ascii")


def event_filter_params(filters: EventFilters | None, limit: int | None) -> Params:
    params: Params = []
    f = filters or EventFilters()
    if f.q:
        params.append(("q", f.q))
    if f.start is not None:
        params.append(("from", str(epoch_ms(f.start))))
    if f.end is not None:
        params.append(("to", str(epoch_ms(f.end))))
    if f.action:
        params.append(("action", f.action))
    for key, values in (("actor", f.actors), ("ip", f.ips), ("product", f.products)):
        if values:
            params.append((key, values))
    if f.locations:
        places = [
            {k: v for k, v in (("city", p.city), ("countryName", p.country_name)) if v is not None} for p in f.locations
        ]
        params.append(("location", json.dumps(places, separators=(",", ":"), ensure_ascii=False)))
    return _with_limit(params, limit)


def stream_params(start: datetime | None, end: datetime | None, limit: int | None, sort: SortOrder | None) -> Params:
    params: Params = []
    if start is not None:
        params.append(("from", str(epoch_ms(start))))
    if end is not None:
        params.append(("to", str(epoch_ms(end))))
    if sort is not None:
        params.append(("sortOrder", sort))
    return _with_limit(params, limit)


def cursor_params(cursor: str, limit: int | None) -> Params:
    return _with_limit([("cursor", cursor)], limit)


def _with_limit(params: Params, limit: int | None) -> Params:
    if limit is not None:
        if not 1 <= limit <= 500:
            raise ValueError(f"limit must be between 1 and 500, not {limit}")
        params.append(("limit", str(limit)))
    return params


def rate_limit_headers(response: httpx.Response) -> tuple[int | None, datetime | None]:
    """``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (ISO 8601 UTC, maybe without seconds)."""
    remaining_text = response.headers.get("X-RateLimit-Remaining")
    try:
        remaining = int(remaining_text) if remaining_text is not None else None
    except ValueError:
        remaining = None
    return remaining, parse_reset(response.headers.get("X-RateLimit-Reset"))


def parse_reset(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def retry_after(response: httpx.Response, now: datetime) -> tuple[float, datetime | None]:
    """Seconds to wait after a 429: ``Retry-After`` when sent, else until ``X-RateLimit-Reset``, else a minute."""
    header = response.headers.get("Retry-After")
    if header:
        seconds = _parse_retry_after(header.strip(), now)
        if seconds is not None:
            return max(MIN_RATE_LIMIT_WAIT, seconds), now + timedelta(seconds=seconds)
    reset_at = parse_reset(response.headers.get("X-RateLimit-Reset"))
    if reset_at is not None:
        return max(MIN_RATE_LIMIT_WAIT, (reset_at - now).total_seconds()), reset_at
    return 60.0, None


def _parse_retry_after(value: str, now: datetime) -> float | None:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return (when - now).total_seconds()


def error_summary(response: httpx.Response) -> tuple[str | None, str | None]:
    """(code, detail) from either error body shape; (None, None) when the body says nothing usable."""
    try:
        return ApiErrorBody.model_validate_json(response.content).summary()
    except ValidationError:
        return None, None


def error_from_response(response: httpx.Response) -> ApiError:
    status = response.status_code
    code, detail = error_summary(response)
    suffix = f": {detail.rstrip('.')}" if detail else ""  # the messages end in their own full stop
    hint = _HINTS.get(code or "")
    if status == 400:
        return ApiBadRequest(f"The Admin API refused the request{suffix}.", code=code, detail=detail, hint=hint)
    if status == 401:
        return ApiUnauthorized(
            "The Admin API rejected the API key (401).",
            code=code,
            detail=detail,
            hint="ATLASSIAN_API_KEY may be wrong, expired or revoked, or lack the read:events:admin scope; "
            "an org admin can create a new one at admin.atlassian.com under Settings, API keys.",
        )
    if status == 403:
        return ApiForbidden(
            "The API key may not read this organization's audit log (403).",
            code=code,
            detail=detail,
            hint="The key's creator must be an org admin, and ATLASSIAN_ORG_ID must be the key's organization.",
        )
    if status == 404:
        return ApiNotFound(f"{detail.rstrip('.')}." if detail else "Not found.", code=code, detail=detail, hint=hint)
    if status >= 500:
        return ApiServerError(
            f"The Admin API failed ({status}){suffix}.",
            status=status,
            code=code,
            detail=detail,
            hint="This is usually brief; try again in a minute.",
        )
    return ApiError(f"The Admin API answered {status}{suffix}.", status=status, code=code, detail=detail)
