"""One audit event in full, as a modal: who, when, from where, every item it touched, the raw JSON.

Layout::

    header   <action name>
    section  When: <time in the viewer's zone>  ·  processed <time>
    fields   Time (UTC) · Processed at (UTC) · Action id · Event id
    section  *Actor* · link           + fields: name, email, account id, auth, token, on behalf of, app
    fields   IP · Place · Region · Geo
    section  plain_text message content
    section  *Context 1 · users* · link + every attribute (one per item, then container items)
    context  +N more items               (beyond what the view can hold)
    section  *Raw JSON* + code block (truncated safely)

Values are shown in ``plain_text`` fields where the layout allows, escaped mrkdwn elsewhere.
The only links are validated ones to admin.atlassian.com and api.atlassian.com.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from slack_sdk.models.blocks import PlainTextObject
from slack_sdk.models.views import View

from auditbot.core.model import Actor, AuditEvent, EventObject, Links
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.limits import (
    FIELDS,
    SECTION_TEXT,
    VIEW_BLOCKS,
    VIEW_TEXT_BUDGET,
    Budget,
    JsonDict,
    check_view,
    more_line,
)
from auditbot.slack.render.safe import clean, code_chunks, date, link, md, plain, units, utc_text

TITLE = "Audit event"
VALUE_UNITS = 300
"""Longest attribute value shown, before escaping."""
RAW_JSON_CHUNK = SECTION_TEXT - 150
"""Escaped JSON per code block (room for the heading, the fences and the truncation note)."""
_TRUNCATED = "… (truncated)"
_MORE_ITEMS = "items (the raw JSON and Atlassian Administration have them all)"
_ADMIN = "Open in Atlassian Administration"
_API = "Open in the Admin API"


def render_event_detail(event: AuditEvent, action_name: str, *, raw_json_limit: int = 2500) -> JsonDict:
    """The EVENT_DETAIL modal for ``event`` (close only, no submit)."""
    head = [kit.header(action_name or event.action), _when(event), _ids(event), _actor(event)]
    head += [b for b in (_location(event), _message(event)) if b is not None]
    items = [*(("Context", i) for i in event.context), *(("Container", i) for i in event.container)]
    more = more_line(len(items), _MORE_ITEMS)
    budget = Budget(VIEW_BLOCKS, VIEW_TEXT_BUDGET)
    budget.take(head)
    raw = _raw_json(event, raw_json_limit, budget, reserve=[more] if items else [])
    budget.take(raw)
    shown: list[JsonDict] = []
    for index, (kind, item) in enumerate(items):
        block = _item(kind, index + 1 if kind == "Context" else index + 1 - len(event.context), item)
        if not budget.fits([block], reserve=[more]):
            shown.append(more_line(len(items) - index, _MORE_ITEMS))
            break
        budget.take([block])
        shown.append(block)
    view = View(
        type="modal",
        callback_id=ids.EVENT_DETAIL,
        title=kit.plain_text(TITLE),
        close=kit.plain_text("Close"),
        blocks=[*head, *shown, *raw],
    ).to_dict()
    check_view(view)
    return view


def _when(event: AuditEvent) -> JsonDict:
    text = f"*When:* {date(event.attributes.time)}"
    if event.attributes.processed_at is not None:
        text += f" · processed {date(event.attributes.processed_at)}"
    return kit.section(text)


def _ids(event: AuditEvent) -> JsonDict:
    processed = event.attributes.processed_at
    return kit.fields_section(
        _present(
            [
                _field("Time (UTC)", utc_text(event.attributes.time, seconds=True)),
                _field("Processed at (UTC)", utc_text(processed, seconds=True)) if processed else None,
                _field("Action id", event.action),
                _field("Event id", event.id),
            ]
        )
    )


def _actor(event: AuditEvent) -> JsonDict:
    actor = event.actor
    heading = "*Actor* · Atlassian (system)" if actor.is_system else "*Actor*"
    found = _link(actor.links)
    if found:
        heading += f" · {found}"
    return kit.fields_section(_actor_fields(actor)[:FIELDS], text=heading)


def _actor_fields(actor: Actor) -> list[PlainTextObject]:
    fields = [_field("Name", actor.name), _field("Email", actor.email), _field("Account id", actor.id)]
    auth = actor.auth
    if auth is not None:
        fields.append(_field("Auth type", auth.auth_type))
        if auth.token_label or auth.token_id:
            fields.append(_field("Token", " · ".join(clean(t) for t in (auth.token_label, auth.token_id) if t)))
    who = actor.on_behalf_of
    if who is not None:
        fields.append(_field("On behalf of", " · ".join(clean(p) for p in (who.name, who.email, who.id) if p)))
    app = actor.app
    if app is not None:
        fields.append(_field("App", " · ".join(clean(p) for p in (app.type, app.id) if p)))
        fields.extend(_field(f"App {key}", value) for key, value in _pairs(app.attributes)[:2])
    return _present(fields)


def _location(event: AuditEvent) -> JsonDict | None:
    where = event.attributes.location
    if where is None:
        return None
    pairs = [("IP address", where.ip), ("Place", where.place), ("Region", where.region_name), ("Geo", where.geo)]
    fields = _present(_field(label, value) for label, value in pairs)
    return kit.fields_section(fields, text="*From*") if fields else None


def _message(event: AuditEvent) -> JsonDict | None:
    content = event.message.content if event.message else None
    if not content or not clean(content):
        return None
    return kit.plain_section(plain(f"Message: {clean(content, multiline=True)}", SECTION_TEXT - 100, multiline=True))


def _item(kind: str, number: int, item: EventObject) -> JsonDict:
    heading = f"*{kind} {number}"
    if item.type and clean(item.type):
        heading += f" · {md(item.type, 80)}"
    heading += "*"
    found = _link(item.links)
    lines = [f"{heading} · {found}" if found else heading]
    if item.id:
        lines.append(f"id: {md(item.id, VALUE_UNITS)}")
    pairs = _pairs(item.attributes)
    for index, (key, value) in enumerate(pairs):
        line = f"{md(key, 80)}: {md(value, VALUE_UNITS)}"
        if sum(units(x) + 1 for x in lines) + units(line) > SECTION_TEXT - 100:
            lines.append(f"+{len(pairs) - index} more attributes")
            break
        lines.append(line)
    return kit.section("\n".join(lines))


def _raw_json(event: AuditEvent, limit: int, budget: Budget, *, reserve: list[JsonDict]) -> list[JsonDict]:
    """The event's JSON in code blocks: cut at ``limit`` characters, and to what the view has room for."""
    text = json.dumps(event.to_api_json(), indent=2, ensure_ascii=False, default=str)
    limit = max(0, limit)
    truncated = len(text) > limit
    chunks = code_chunks(text[:limit], RAW_JSON_CHUNK)
    blocks: list[JsonDict] = []
    noted: JsonDict | None = None
    for index, chunk in enumerate(chunks):
        first, last = index == 0, index == len(chunks) - 1
        with_note = _raw_section(chunk, first=first, note=True)
        block = with_note if last and truncated else _raw_section(chunk, first=first, note=False)
        if last and budget.fits([*blocks, block], reserve=reserve):
            return [*blocks, block]
        if not budget.fits([*blocks, with_note], reserve=reserve):
            break
        blocks.append(block)
        noted = with_note
    if blocks and noted is not None:
        return [*blocks[:-1], noted]
    return [kit.section(f"*Raw JSON*\n{_TRUNCATED}")]


def _raw_section(chunk: str, *, first: bool, note: bool) -> JsonDict:
    body = f"```\n{chunk}\n```"
    if note:
        body += f"\n{_TRUNCATED}"
    return kit.section(f"*Raw JSON*\n{body}" if first else body)


def _link(links: Links | None) -> str | None:
    if links is None:
        return None
    return link(links.alt, _ADMIN) or link(links.self_, _API if "//api." in (links.self_ or "") else _ADMIN)


def _pairs(attributes: dict[str, Any] | None) -> list[tuple[str, str]]:
    return [(str(key), _as_text(value)) for key, value in (attributes or {}).items()]


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def _field(label: str, value: object) -> PlainTextObject | None:
    """A plain_text field: ``label`` over ``value``; ``None`` when there is no value."""
    if value is None or not clean(value):
        return None
    return kit.plain_text(f"{plain(label, 100)}\n{plain(value, VALUE_UNITS)}")


def _present(fields: Iterable[PlainTextObject | None]) -> list[PlainTextObject]:
    return [f for f in fields if f is not None]
