"""``auditbot render``: print the Block Kit JSON auditbot would post, for reviews.

``auditbot render "<query>"`` renders the first results page of a search (the configured org or
the sandbox); ``auditbot render --events FILE.jsonl --as results|detail`` renders events from a
file, one API-shaped event per line, with no API call at all.

``--as alert`` renders each event as the alert a subscribed channel gets (a list of messages);
``--as burst`` renders them as one burst: ``{"summary": …, "part": …}``, the top-level message and
its first thread reply. Both take the events from ``--events`` or from searching the query.

The query and ``--tz`` are read as ``auditbot search`` reads them (a query may start with ``-``,
``--max-wait`` bounds waiting for the API), and the JSON shows control, bidi and invisible
characters as ``\\uXXXX`` escapes, so a preview cannot drive the terminal it is printed in.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from auditbot.config import load_settings
from auditbot.core.errors import ConfigError
from auditbot.core.match import Criteria
from auditbot.core.model import AuditEvent
from auditbot.core.paging import PageState, PageStateCodec
from auditbot.core.query import Query, parse
from auditbot.core.timespec import TimeWindow
from auditbot.core.triage import Reason, State, Triage
from auditbot.runtime.org import SLACK_PAGE_SIZE, connect, terminal_search
from auditbot.services.catalog import humanise
from auditbot.services.delivery import AlertItem
from auditbot.services.result_summary import Summarizer
from auditbot.services.search import FoundEvent, ResultPage
from auditbot.slack.render import render_event_detail, render_results
from auditbot.slack.render.alerts import PART_EVENTS, render_alert, render_burst_part, render_burst_summary
from auditbot.terminal.options import add_max_wait, add_query, query_text, wait_limit, zone
from auditbot.terminal.printable import json_text

KINDS = ("results", "detail", "alert", "burst")
STATES = ("open", "acknowledged", "assigned", "resolved", "reopened")
"""The triage states ``--as alert --state`` shows an alert in (with example people and a fixed time)."""
EXAMPLE_USER = "U0EXAMPLE1"
EXAMPLE_AT = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
EXAMPLE_SUBSCRIPTION = "sub-example"
"""The subscription id rendered alerts name."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_query(parser, "a query to search and render as a results page")
    parser.add_argument("--events", type=Path, metavar="FILE.jsonl", help="render these events instead of searching")
    parser.add_argument("--as", dest="kind", choices=KINDS, default="results", help="what to render (default results)")
    parser.add_argument("--tz", default="UTC", help="time zone for relative times in the query")
    parser.add_argument(
        "--state", choices=STATES, default="open", help="with --as alert: the alert's triage state (default open)"
    )
    add_max_wait(parser)


def run(args: argparse.Namespace) -> int:
    tz = zone(args)
    if args.events is not None:
        events = read_events(args.events)
        if args.kind == "detail":
            rendered: Any = [render_event_detail(e, humanise(e.action)) for e in events]
        elif args.kind in ALERT_KINDS:
            rendered = render_alerts(args.kind, [FoundEvent(e, humanise(e.action)) for e in events], args.state)
        else:
            rendered = render_results(page_of(events)).as_kwargs()
    else:
        if args.kind == "detail":
            raise ConfigError("--as detail needs --events FILE.jsonl.")
        query = parse(query_text(args))
        page = search_page(query, tz, PART_EVENTS if args.kind == "burst" else SLACK_PAGE_SIZE, args)
        rendered = (
            render_alerts(args.kind, page.events, args.state)
            if args.kind in ALERT_KINDS
            else render_results(page).as_kwargs()
        )
    print(json_text(rendered, indent=2))
    return 0


ALERT_KINDS = ("alert", "burst")


def search_page(query: Query, tz: ZoneInfo, page_size: int, args: argparse.Namespace) -> ResultPage:
    """The first page of ``query`` searched in the configured org (or the sandbox)."""
    settings = load_settings()
    clock = wait_limit(args, args.clock)
    with connect(settings, clock) as connection:
        service = terminal_search(connection, settings, clock, page_size=page_size, max_wait=args.max_wait)
        return service.search(query, tz=tz)


def render_alerts(kind: str, found: Sequence[FoundEvent], state: str = "open") -> Any:
    """``alert``: each event as an alert message in triage ``state``; ``burst``: the summary and first
    thread part of them all."""
    items = [AlertItem(f.event, f.action_name, (EXAMPLE_SUBSCRIPTION,)) for f in found]
    if kind == "alert":
        acknowledged = (EXAMPLE_USER, EXAMPLE_AT) if state in ("acknowledged", "assigned", "resolved") else None
        triage = example_triage(state)
        return [render_alert(item, acknowledged=acknowledged, triage=triage).as_kwargs() for item in items]
    summary = render_burst_summary(items, total=len(items), batch="render")
    return {"summary": summary.as_kwargs(), "part": render_burst_part(items[:PART_EVENTS]).as_kwargs()}


def example_triage(state: str) -> Triage:
    """An alert's triage in ``state`` (one of ``STATES``), by an example person at a fixed time."""
    touched = Triage(changed_by=EXAMPLE_USER, changed_at=EXAMPLE_AT)
    match state:
        case "acknowledged":
            return replace(touched, state=State.ACKNOWLEDGED)
        case "assigned":
            return replace(touched, state=State.ACKNOWLEDGED, assignee=EXAMPLE_USER)
        case "resolved":
            return replace(
                touched, state=State.RESOLVED, reason=Reason.FALSE_POSITIVE, comment="Expected: a planned change."
            )
        case "reopened":
            return touched
    return Triage()


def read_events(path: Path) -> list[AuditEvent]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from None
    events = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            events.append(AuditEvent.model_validate_json(line))
        except ValidationError as exc:
            raise ConfigError(
                f"{path}, line {number}: not an audit event ({exc.error_count()} problems).",
                hint="Each line must be one event as the Admin API returns it.",
            ) from None
    if not events:
        raise ConfigError(f"{path} holds no events.")
    return events


def page_of(events: list[AuditEvent]) -> ResultPage:
    """A results page showing these events as they are, newest first, with their summary and inert button
    state (signed with a key nobody keeps)."""
    ordered = sorted(events, key=lambda e: e.time, reverse=True)
    window = TimeWindow(ordered[-1].time, ordered[0].time)
    codec = PageStateCodec(os.urandom(32), "render")
    pinned = PageState("", window.start, window.end)
    state = codec.encode(pinned)
    summary = Summarizer(codec, None, "render").summarize(
        pinned, Criteria(Query(), frozenset(), frozenset()), ordered, more=False, partial=False, mirror=False
    )
    return ResultPage(
        events=tuple(FoundEvent(e, humanise(e.action)) for e in ordered),
        query="",
        window=window,
        page=1,
        state=state,
        next_state=None,
        prev_state=None,
        first_state=None,
        scanned=len(ordered),
        partial=False,
        source="file",
        summary=summary,
    )
