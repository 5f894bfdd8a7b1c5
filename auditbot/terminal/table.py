"""Result pages as plain-text tables for a terminal.

Every cell, the header and the footer show data through ``printable``: control, bidi and
invisible characters appear as escapes (``\\x1b``, ``\\u202e``), never as themselves, and a
cell cut to its column width is never cut inside an escape.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from auditbot.core.model import AuditEvent
from auditbot.services.search import ResultPage
from auditbot.terminal.printable import pieces, printable

COLUMNS = (("time", 16), ("action", 30), ("actor", 30), ("from", 42), ("touched", 40))


def header(page: ResultPage, tz: ZoneInfo) -> str:
    start = page.window.start.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    end = page.window.end.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    query = printable(page.query) or "(everything)"
    return f"{query}    {start} → {end} {printable(tz.key)}"


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
    parts.extend(printable(note) for note in (page.source_note, *page.notes) if note)
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
    """``value`` escaped (line breaks too), runs of spaces made one, padded or cut (with "…") to ``width``."""
    shown: list[str] = []
    for piece in pieces(value.strip()):
        if not (piece.isspace() and shown and shown[-1] == " "):
            shown.append(" " if piece.isspace() else piece)
    text = "".join(shown)
    if len(text) <= width:
        return text.ljust(width)
    cut: list[str] = []
    used = 0
    for piece in shown:
        if used + len(piece) > width - 1:
            break
        cut.append(piece)
        used += len(piece)
    return "".join(cut) + "…"
