"""Shared test helpers: event and page factories, the injection corpus, and payload checks.

The checks here are written independently of ``auditbot.slack.render.limits``: they restate
Slack's limits and auditbot's safety rules, so a bug in the renderer's own checks cannot hide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditbot.core.model import AuditEvent
from auditbot.core.timespec import TimeWindow
from auditbot.services.search import FoundEvent, ResultPage
from auditbot.slack.render.views import Message

SAMPLES = Path(__file__).parents[2] / "fixtures" / "spec" / "samples"
NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)

CORPUS: tuple[str, ...] = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123ABC>",
    "<#C123>",
    "<!subteam^S1>",
    "<https://evil.example|Approve>",
    "<mailto:x@evil.example|x>",
    "https://evil.example/x",
    "*bold* _it_ ~s~ `code` ```block```",
    "> quote",
    "&lt;!channel&gt;",
    "\u202egnp.exe",
    "zero\u200bwidth",
    "x" * 10_000,
    "<" * 10_000,
    "&" * 10_000,
    "\U0001f600" * 3_000,
    "emoji \U0001f6a8 :rotating_light:",
    "a|b\nc> <!channel>",
    "line one\n> quoted <!here>\n```\nbreak out``` <@W999>",
    "https://admin.atlassian.com/o/1|<!channel>",
    "https://admin.atlassian.com.evil.example/x",
    "https://admin.atlassian.com@evil.example/x",
    "http://admin.atlassian.com/x",
    "https://admin.atlassian.com/o/1/users/2?a=1&b=<2>",
    "https://admin.atlassian.com/o/1/users/2",
    "javascript:alert(1)//admin.atlassian.com",
    "\u2066isolate\u2069 \ufeffbom \u200f\u200e",
    "",
    "   ",
)
"""Strings that try to mention, link, style, hide or overflow; placed into every field."""

_DATE = (
    r"<!date\^\d+\^(?:\{date_short_pretty\} \{time\}\|\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"
    r"|\{time\}\|\d{2}:\d{2} UTC|\{time_secs\}\|\d{2}:\d{2}:\d{2} UTC)>"
)
"""auditbot's date tokens: a moment, a time of day, a time of day with seconds; each with its UTC fallback."""
_LINK = r"<https://(?:admin|api)\.atlassian\.com(?:[/?#][^\s<>|]*)?\|[^<>|\n]+>"
_MENTION = r"<@[UW][A-Z0-9]{2,}>"
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def moment(when: datetime) -> str:
    """The date token a moment is shown as (written out here, not by the renderer's helper)."""
    utc = when.astimezone(UTC)
    return f"<!date^{int(utc.timestamp())}^{{date_short_pretty}} {{time}}|{utc:%Y-%m-%d %H:%M} UTC>"


def event_dict(**attributes: Any) -> dict[str, Any]:
    """A minimal valid event in API shape; ``attributes`` override its attributes."""
    base: dict[str, Any] = {
        "time": "2026-11-20T13:45:12.345Z",
        "action": "user_added_to_group",
        "actor": {"id": "557058:aaaa", "name": "Jane Doe", "email": "jane@example.com"},
        "context": [{"id": "g1", "type": "groups", "attributes": {"groupName": "site-admins"}}],
        "container": [{"id": "org1", "type": "orgs", "attributes": {"name": "Example org"}}],
        "location": {"ip": "203.0.113.7", "city": "Sydney", "countryName": "Australia"},
    }
    base.update(attributes)
    return {"id": "e-1", "type": "events", "attributes": base, "message": {"content": "Jane was added"}}


def make_event(**attributes: Any) -> AuditEvent:
    return AuditEvent.model_validate(event_dict(**attributes))


def distinct_events(count: int, **attributes: Any) -> list[AuditEvent]:
    """``count`` events like ``make_event`` that never collapse into one row: each a minute apart, newest first."""
    base = make_event(**attributes)
    return [
        base.model_copy(
            update={
                "id": f"e-{n}",
                "attributes": base.attributes.model_copy(update={"time": base.time - timedelta(minutes=n)}),
            }
        )
        for n in range(count)
    ]


def poisoned_event(s: str) -> AuditEvent:
    """An event with ``s`` in every string field (and as an attribute key and an extra key)."""
    links = {"self": s, "alt": s}
    item = {
        "id": s,
        "type": s,
        "attributes": {s or "empty": s, "name": s, "nested": {"x": s}, "list": [s, 1]},
        "links": links,
    }
    return AuditEvent.model_validate(
        {
            "id": s,
            "type": s,
            "attributes": {
                "time": "2026-11-20T13:45:12Z",
                "processedAt": "2026-11-20T13:45:14Z",
                "action": s,
                "actor": {
                    "id": s,
                    "name": s,
                    "email": s,
                    "auth": {"authType": s, "tokenId": s, "tokenLabel": s},
                    "onBehalfOf": {"id": s, "name": s, "email": s},
                    "app": {"id": s, "type": s, "attributes": {s or "k": s}},
                    "links": links,
                },
                "context": [item, item, item, item],
                "container": [item],
                "location": {"ip": s, "geo": s, "countryName": s, "regionName": s, "city": s},
            },
            "links": links,
            "message": {"content": s, "format": s},
            "extra": s,
        }
    )


def make_page(
    events: list[AuditEvent] | tuple[AuditEvent, ...] = (),
    *,
    action_name: str = "User added to group",
    page: int = 1,
    **overrides: Any,
) -> ResultPage:
    fields: dict[str, Any] = {
        "events": tuple(FoundEvent(e, action_name) for e in events),
        "query": "actor:jane@example.com since:24h",
        "window": TimeWindow(NOW - timedelta(days=1), NOW),
        "page": page,
        "state": "p1.state",
        "next_state": "p1.next",
        "prev_state": "p1.prev" if page > 1 else None,
        "first_state": "p1.first" if page > 1 else None,
        "scanned": len(events),
        "partial": False,
    }
    fields.update(overrides)
    return ResultPage(**fields)


def sample_events() -> list[AuditEvent]:
    """Every event in the spec's real captured samples."""
    events: list[AuditEvent] = []
    for path in sorted(SAMPLES.rglob("*")):
        if path.suffix == ".log":
            events += [AuditEvent.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]
        elif path.suffix == ".json":
            document = json.loads(path.read_bytes())
            data = document.get("data", document)
            for item in data if isinstance(data, list) else [data]:
                if item.get("type") != "eventActions":
                    events.append(AuditEvent.model_validate(item))
    return events


def mrkdwn_texts(payload: object) -> Iterator[str]:
    """Every mrkdwn ``text`` inside a blocks list or view."""
    if isinstance(payload, dict):
        if payload.get("type") == "mrkdwn":
            assert payload.get("verbatim") is True, f"mrkdwn without verbatim: {payload}"
            yield payload["text"]
        for value in payload.values():
            yield from mrkdwn_texts(value)
    elif isinstance(payload, list):
        for value in payload:
            yield from mrkdwn_texts(value)


def all_texts(payload: object) -> Iterator[str]:
    """Every string under a ``text`` key (mrkdwn and plain_text alike)."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from all_texts(value)
    elif isinstance(payload, list):
        for value in payload:
            yield from all_texts(value)


def assert_inert(text: str, *, sharer: str | None = None) -> None:
    """Every ``<`` in ``text`` starts one of auditbot's own sequences: a date, an allowed link, the sharer."""
    allowed = re.compile(f"{_DATE}|{_LINK}" + (f"|<@{re.escape(sharer)}>" if sharer else ""))
    for match in re.finditer("<", text):
        found = allowed.match(text, match.start())
        assert found, f"active markup at {match.start()}: {text[match.start() : match.start() + 80]!r}"
    stripped = allowed.sub("", text)
    assert "<" not in stripped and ">" not in stripped, f"raw angle bracket in {text[:200]!r}"


def assert_safe(payload: Message | dict[str, Any] | list[dict[str, Any]], *, sharer: str | None = None) -> None:
    """No active mention or link anywhere, no invisible characters, every mrkdwn object verbatim."""
    if isinstance(payload, Message):
        assert_inert(payload.text)
        assert not _INVISIBLE_RE.search(payload.text)
        payload = payload.blocks
    for text in mrkdwn_texts(payload):
        assert_inert(text, sharer=sharer)
    for text in all_texts(payload):
        assert not _INVISIBLE_RE.search(text), f"invisible character in {text[:80]!r}"


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def assert_within_limits(blocks: list[dict[str, Any]], *, max_blocks: int = 50, text_budget: int = 12_000) -> None:
    """Slack's Block Kit limits (counted in UTF-16 units) and auditbot's total-size margin."""
    assert 1 <= len(blocks) <= max_blocks, len(blocks)
    for block in blocks:
        kind = block["type"]
        if kind == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert 0 < utf16(block["text"]["text"]) <= 3000
            fields = block.get("fields", [])
            assert len(fields) <= 10
            assert all(0 < utf16(f["text"]) <= 2000 for f in fields)
        elif kind == "header":
            assert 0 < utf16(block["text"]["text"]) <= 150
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(0 < utf16(e["text"]) <= 3000 for e in block["elements"])
        elif kind == "actions":
            assert 1 <= len(block["elements"]) <= 25
    for button in _buttons(blocks):
        assert utf16(button["text"]["text"]) <= 75
        assert 0 < utf16(button.get("value", "x")) <= 2000
    assert sum(utf16(t) for t in all_texts(blocks)) <= text_budget


def assert_view_within_limits(view: dict[str, Any]) -> None:
    for key in ("title", "submit", "close"):
        if key in view:
            assert utf16(view[key]["text"]) <= 24
    assert_within_limits(view["blocks"], max_blocks=100, text_budget=24_000)


def _buttons(payload: object) -> Iterator[dict[str, Any]]:
    if isinstance(payload, dict):
        if payload.get("type") == "button":
            yield payload
        for value in payload.values():
            yield from _buttons(value)
    elif isinstance(payload, list):
        for value in payload:
            yield from _buttons(value)


def buttons(payload: object) -> list[dict[str, Any]]:
    return list(_buttons(payload))
