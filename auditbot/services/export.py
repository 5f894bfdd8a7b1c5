"""Export a whole result set as CSV, bounded, for the "Export CSV" button.

The export starts from the first page of the query behind a page state and reads 500-event
pages, waiting for the rate limit rather than failing (a long export is a background job), up
to ``max_events``. Cells that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``,
``@``, tab or carriage return) get a leading apostrophe: event data is attacker-controlled.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from auditbot.core.model import AuditEvent
from auditbot.core.paging import PageStateCodec
from auditbot.core.timespec import TimeWindow
from auditbot.services.search import FoundEvent, SearchService

DEFAULT_MAX_EVENTS = 5000
EXPORT_PAGE_SIZE = 500
COLUMNS = (
    "time",
    "action",
    "action_name",
    "actor_id",
    "actor_name",
    "actor_email",
    "ip",
    "city",
    "country",
    "touched",
    "message",
    "event_id",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[int], None]
"""Called with the number of events read so far, after each page."""


@dataclass(frozen=True, slots=True)
class Export:
    query: str
    window: TimeWindow
    rows: int
    truncated: bool
    """True when ``max_events`` stopped the export before the end of the results."""
    content: bytes

    def filename(self) -> str:
        return f"audit-log-{self.window.start:%Y%m%d-%H%M}-{self.window.end:%Y%m%d-%H%M}.csv"


class Exporter:
    def __init__(
        self,
        search: SearchService,
        codec: PageStateCodec,
        *,
        max_events: int = DEFAULT_MAX_EVENTS,
        max_wait: float = 90.0,
    ) -> None:
        self._search = search
        self._codec = codec
        self._max_events = max_events
        self._max_wait = max_wait

    def export(self, state_value: str, progress: Progress | None = None) -> Export:
        """Every event of the query behind ``state_value`` (from its first page), as CSV."""
        first = self._codec.encode(self._codec.decode(state_value).first())
        page = self._search.open_page(first, page_size=EXPORT_PAGE_SIZE, max_wait=self._max_wait, summarize=False)
        found: list[FoundEvent] = list(page.events)
        while page.next_state and len(found) < self._max_events:
            if progress:
                progress(len(found))
            page = self._search.open_page(
                page.next_state, page_size=EXPORT_PAGE_SIZE, max_wait=self._max_wait, summarize=False
            )
            found.extend(page.events)
        truncated = page.next_state is not None or len(found) > self._max_events
        rows = found[: self._max_events]
        return Export(page.query, page.window, len(rows), truncated, to_csv(rows))


def to_csv(found: Iterable[FoundEvent]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in found:
        writer.writerow([safe_cell(value) for value in row(item.event, item.action_name)])
    return buffer.getvalue().encode("utf-8-sig")


def row(event: AuditEvent, action_name: str) -> list[str]:
    location = event.attributes.location
    actor = event.actor
    return [
        event.time.isoformat().replace("+00:00", "Z"),
        event.action,
        action_name,
        actor.id,
        actor.name or "",
        actor.email or "",
        event.ip or "",
        (location.city if location else None) or "",
        (location.country_name if location else None) or "",
        "; ".join(item.label for item in (*event.context, *event.container)),
        (event.message.content if event.message else None) or "",
        event.id,
    ]


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas in untrusted text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value
