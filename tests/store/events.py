"""Audit events for store tests: hand-made ones with chosen times, and real-looking ones from the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from auditbot.core.model import AuditEvent
from auditbot.sandbox import GeneratedOrg

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ORG = "9a1jj823-org"


def make_event(
    n: int,
    *,
    time: datetime,
    processed_at: datetime | None = None,
    action: str = "user_logged_in",
    email: str | None = "Jane.Doe@Example.com",
    ip: str | None = "203.0.113.7",
    **extra: Any,
) -> AuditEvent:
    attributes: dict[str, Any] = {
        "time": time.isoformat().replace("+00:00", "Z"),
        "action": action,
        "actor": {"id": f"557058:actor-{n % 5}", "name": "Jane Doe", **({"email": email} if email else {})},
    }
    if processed_at is not None:
        attributes["processedAt"] = processed_at.isoformat().replace("+00:00", "Z")
    if ip is not None:
        attributes["location"] = {"ip": ip, "countryName": "Österreich"}
    return AuditEvent.model_validate(
        {"id": f"00000000-0000-4000-8000-{n:012d}", "type": "events", "attributes": attributes, **extra}
    )


def minute_events(count: int, *, start: datetime = ANCHOR - timedelta(hours=2), per_time: int = 1) -> list[AuditEvent]:
    """``count`` events, ``per_time`` of them sharing each minute (ties for keyset paging)."""
    return [make_event(n, time=start + timedelta(minutes=n // per_time)) for n in range(count)]


@cache
def sandbox_events() -> tuple[AuditEvent, ...]:
    """Three hours of the seeded sandbox org: every shape of event the generator makes."""
    org = GeneratedOrg(3, anchor=ANCHOR, days=1)
    first = int((ANCHOR - timedelta(hours=22)).timestamp()) // 3600
    return tuple(AuditEvent.model_validate(raw) for hour in range(first, first + 3) for raw in org.hour_events(hour))
