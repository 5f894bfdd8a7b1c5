"""Result pages as plain-text tables for a terminal."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from auditbot.core.model import AuditEvent
from auditbot.services.search import ResultPage

COLUMNS = (("time", 16), ("action", 30), ("actor", 30), ("from", 42), ("touched", 40))


def header(page: ResultPage, tz: ZoneInfo) -> str:
    start = page.window.start.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    end = page.window.end.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    query = page.query or "(everything)"
    return f"{query}    {start} → {end} {tz.key}"


def column_titles() -> str:
    return _row([title for title, _ in COLUMNS])


def rows(page: ResultPage, tz: ZoneInfo) -> list[str]:
    return [_row(cells(found.event, found.action_name, tz)) for found in page.events]


def footer(page: ResultPage) -> str:
    parts = [f"page {page.page}", f"{len(page.events)} events"]
    if page.summary is not None:
        total = f"{page.summary.total:,} in all"
        parts.append(total if page.summary.exact else f"at least {total}")
    if page.partial:
        parts.append(f"stopped after scanning {page.scanned} events")
    if page.next_state:
        parts.append("more with --all")
    parts.extend(page.notes)
    return " · ".join(parts)


def cells(event: AuditEvent, action_name: str, tz: ZoneInfo) -> list[str]:
    location = event.attributes.location
    where = " ".join(p for p in (event.ip, f"({location.place})" if location and location.place else None) if p)
    touched = ", ".join(item.label for item in (*event.context, *event.container))
    return [
        event.time.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        action_name,
        event.actor.label,
        where or "-",
        touched or "-",
    ]


def _row(values: list[str]) -> str:
    return "  ".join(_fit(value, width) for value, (_, width) in zip(values, COLUMNS, strict=True)).rstrip()


def _fit(value: str, width: int) -> str:
    value = " ".join(value.split())
    return value.ljust(width) if len(value) <= width else value[: width - 1] + "…"
