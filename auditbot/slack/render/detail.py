"""One audit event in full, as a modal: who, when, from where, every item it touched, searches from it,
and the raw JSON on request.

Layout::

    header   <action name>
    context  Searching… / Results for `query` are in your messages with auditbot.   (after a pivot)
    section  When: <time in the viewer's zone>  ·  processed <time>
    fields   Time (UTC) · Processed at (UTC) · Action id · Event id
    section  *Actor* · link           + fields: name, email, account id, auth, token, on behalf of, app
    fields   IP · Place · Region · Geo
    actions  [This actor] [This address] [±1 hour around] [Share]     (Share: when opened from a conversation)
    context  what the searches cover, and where their results go
    section  plain_text message content
    section  *Context 1 · users* · link + every attribute (one per item, then container items)
    context  +N more items               (beyond what the view can hold)
    actions  [Show raw JSON]                     (collapsed by default)
    section  *Raw JSON* + code block (truncated safely), then [Hide raw JSON]    (when shown)

Every button's value is ``<event id>|<channel id>`` (``detail_value``): the event, and the conversation the
details were opened from (empty when none), where Share posts it.

Values are shown in ``plain_text`` fields where the layout allows, escaped mrkdwn elsewhere.
The only links are validated ones to admin.atlassian.com and api.atlassian.com.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from typing import Any

from slack_sdk.models.blocks import PlainTextObject
from slack_sdk.models.views import View

from auditbot.core.model import Actor, AuditEvent, EventObject, Links
from auditbot.core.query import Query
from auditbot.core.timespec import DateTimeSpec
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
PIVOT_SPAN = timedelta(days=1)
"""How far either side of the event "This actor" and "This address" search."""
AROUND_SPAN = timedelta(hours=1)
PIVOTS = {"actor": "This actor", "ip": "This address", "around": "\u00b11 hour around"}
_ADMIN = "Open in Atlassian Administration"
_API = "Open in the Admin API"


def render_event_detail(
    event: AuditEvent,
    action_name: str,
    *,
    raw_json_limit: int = 2500,
    show_raw: bool = False,
    channel_id: str | None = None,
    note: str | None = None,
) -> JsonDict:
    """The EVENT_DETAIL modal for ``event`` (close only, no submit): the raw JSON only when ``show_raw``;
    ``channel_id`` is the conversation it was opened from (Share posts there); ``note`` is our own mrkdwn
    line on top (where a pivot's results went)."""
    value = detail_value(event.id, channel_id)
    head = [kit.header(action_name or event.action)]
    if note:
        head.append(kit.context(kit.mrkdwn(note)))
    head += [_when(event), _ids(event), _actor(event)]
    head += [b for b in (_location(event), *_pivots(event, value, shared=bool(channel_id)), _message(event)) if b]
    items = [*(("Context", i) for i in event.context), *(("Container", i) for i in event.container)]
    more = more_line(len(items), _MORE_ITEMS)
    budget = Budget(VIEW_BLOCKS, VIEW_TEXT_BUDGET)
    budget.take(head)
    if show_raw:
        raw = _raw_json(event, raw_json_limit, budget, reserve=[more, _raw_button(value, show=False)])
        raw.append(_raw_button(value, show=False))
    else:
        raw = [_raw_button(value, show=True)]
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


def detail_value(event_id: str, channel_id: str | None) -> str:
    """What the modal's buttons carry: ``<event id>|<channel id>``."""
    return f"{event_id}|{channel_id or ''}"


def read_detail_value(value: str) -> tuple[str, str | None]:
    """The event id and the channel id (``None`` when empty) of a ``detail_value``."""
    event_id, _, channel_id = value.rpartition("|") if "|" in value else (value, "", "")
    return event_id, channel_id or None


def pivot_query(event: AuditEvent, kind: str, now: datetime) -> str | None:
    """The search a pivot runs: the actor or the address over the day either side of the event, or every
    event in the hour either side, in whole seconds; the window ends at ``now`` at the latest. ``None``
    when the event has no actor or address to search for (or ``kind`` is not a pivot)."""
    if not can_pivot(event, kind):
        return None
    when = event.attributes.time
    span = AROUND_SPAN if kind == "around" else PIVOT_SPAN
    start = (when - span).replace(microsecond=0)
    end = max(min(when + span, now), start + timedelta(seconds=1))
    end = end.replace(microsecond=0) + (timedelta(seconds=1) if end.microsecond else timedelta(0))
    since, until = (DateTimeSpec(t.astimezone(UTC)) for t in (start, end))
    try:
        if kind == "actor":
            return Query(actors=(_actor_key(event),), since=since, until=until).canonical
        if kind == "ip":
            return Query(ips=(ip_address(event.ip or ""),), since=since, until=until).canonical
        return Query(since=since, until=until).canonical
    except (ValueError, TypeError):
        return None


def can_pivot(event: AuditEvent, kind: str) -> bool:
    """Whether the event has what the pivot ``kind`` searches for."""
    if kind == "actor":
        return bool(clean(_actor_key(event)))
    if kind == "ip":
        try:
            ip_address(event.ip or "")
        except ValueError:
            return False
        return True
    return kind == "around"


def _actor_key(event: AuditEvent) -> str:
    actor = event.actor
    return "" if actor.is_system else (actor.email or actor.id or "")


def _pivots(event: AuditEvent, value: str, *, shared: bool) -> list[JsonDict | None]:
    """The pivot buttons (those the event has something to search for), Share, and what they do."""
    buttons = [
        kit.button(label, f"{ids.EVENT_PIVOT}:{kind}", value)
        for kind, label in PIVOTS.items()
        if can_pivot(event, kind)
    ]
    if shared:
        buttons.append(kit.button("Share", ids.EVENT_SHARE, value))
    row = kit.actions(buttons)
    if row is None:
        return []
    what = "This actor and This address search the day either side of this event; \u00b11 hour around shows "
    what += "everything in the hour either side. Results arrive in your messages with auditbot."
    if shared:
        what += " Share posts this event in the conversation you opened it from."
    return [row, kit.context(kit.mrkdwn(what))]


def _raw_button(value: str, *, show: bool) -> JsonDict:
    label, kind = ("Show raw JSON", "show") if show else ("Hide raw JSON", "hide")
    row = kit.actions([kit.button(label, f"{ids.EVENT_RAW}:{kind}", value)])
    return row if row is not None else kit.context(kit.mrkdwn("The raw JSON is in the Admin API."))


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
