"""Search overhead per result page, HTTP excluded: the search service over an in-memory API,
against the client's own cost of reading one 500-event API page from JSON (the baseline).

Run: python -m bench.bench_search
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from auditbot.core.clock import ManualClock
from auditbot.core.model import AuditAction, AuditEvent, EventPage, PageMeta
from auditbot.core.paging import PageStateCodec
from auditbot.core.ports import EventFilters
from auditbot.sandbox import GeneratedOrg, load_actions
from auditbot.services.catalog import ActionCatalog
from auditbot.services.search import SearchService
from bench.result import Log, Result, milliseconds, quiet
from bench.timing import median_seconds

ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ROUNDS = 30
QUICK_ROUNDS = 5


class InMemoryApi:
    """Pre-validated events, newest first, served in pages with an index cursor."""

    def __init__(self, events: list[AuditEvent], actions: list[AuditAction]) -> None:
        self.events = events
        self.actions = actions

    def list_events(
        self,
        filters: EventFilters | None = None,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        max_wait: float | None = None,
    ) -> EventPage:
        start = int(cursor or 0)
        size = limit or 30
        chunk = [
            e
            for e in self.events[start : start + size]
            if not (filters and filters.action) or e.action == filters.action
        ]
        more = start + size < len(self.events)
        return EventPage(data=chunk, meta=PageMeta(next=str(start + size) if more else None, page_size=size))

    def list_event_actions(self, *, locale: str | None = None, max_wait: float | None = None) -> list[AuditAction]:
        return self.actions


def run(quick: bool = False, log: Log = quiet) -> list[Result]:
    rounds = QUICK_ROUNDS if quick else ROUNDS
    org = GeneratedOrg(7, anchor=ANCHOR, days=30)
    raw = [e.raw for e in reversed(org.index(ANCHOR).by_time)][:3000]
    events = [AuditEvent.model_validate(r) for r in raw]
    actions = [
        AuditAction(id=a["id"], display_name=a["attributes"]["displayName"], group=a["attributes"]["groupDisplayName"])
        for a in load_actions()
    ]
    api = InMemoryApi(events, actions)
    clock = ManualClock(ANCHOR)
    catalog = ActionCatalog(api, org_id="org", clock=clock)
    codec = PageStateCodec(b"bench-secret-0123456789", "org")
    tz = ZoneInfo("UTC")
    query = "action:user_login,user_login_failed -actor:atlassian-internal-system ip:192.0.2.0/24 last:30d"

    def searched() -> None:
        service = SearchService(api, catalog, codec, clock, page_size=10, max_api_pages=1, cache_seconds=0.001)
        service.search(query, tz=tz)

    body = api.list_events(EventFilters(), limit=500).model_dump_json(by_alias=True, exclude_unset=True)

    def baseline() -> None:
        EventPage.model_validate_json(body)

    ours = median_seconds(searched, rounds)
    base = median_seconds(baseline, rounds)
    log("one result page from one 500-event API page, HTTP excluded")
    log(f"baseline: validate the API page    {base * 1e3:7.3f} ms")
    log(f"search: parse, resolve, filter,    {ours * 1e3:7.3f} ms  ({ours / base:.2f}x the baseline)")
    log("        sign the page state")
    return [
        Result(
            "`search`: one result page (parse, resolve, filter 500 events, sign state), HTTP excluded",
            milliseconds(ours),
            f"validating the 500-event API page it reads, {milliseconds(base)}",
            ours / base,
        )
    ]


def main() -> None:
    run(log=print)


if __name__ == "__main__":
    main()
