"""Every request from Slack, read once into a typed value: who asks, where, for what, and how to answer.

``read_payload`` turns Bolt's parsed body into one of ``Command``, ``Click``, ``ViewSubmission``,
``Shortcut``, ``MessageShortcut``, ``OptionsLoad``, ``HomeOpened`` or ``SlackEvent``, or raises
``MalformedPayload`` for anything it cannot classify: an unknown type, a missing, empty or
ill-typed user, team or channel where the entry point needs one, two different users in one
body, an oversized field. ``PayloadReader`` is the Bolt middleware that does this first, puts the
value on the context (``payload_of`` reads it back) and answers a malformed request with a 400 and
one short warning. The access guard decides on this value and the listeners act on it, so both
read the same words: a command's subcommand is its first word as the person typed it (Slack's
HTML entities and link markup undone, compatibility forms folded, invisible format characters
dropped, case ignored).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StringConstraints, ValidationError
from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from auditbot.slack.refusals import RefusalLog
from auditbot.slack.text import unslack

CONTEXT_KEY = "auditbot_payload"
MAX_ID = 64
"""Team and channel ids (``T…``, ``C…``) are short; 64 leaves room for any Slack id."""
MAX_PERSON = 255
MAX_NAME = 255
"""Action, block and callback ids, trigger ids and timestamps (Slack's own limit for ids is 255)."""
MAX_VALUE = 2000
"""A button's value or an option's (Slack's limit for a button value)."""
MAX_TEXT = 8000
"""A command's text; queries are limited to far less, with a message that says so."""
MAX_URL = 2048
MAX_EPOCH_SECONDS = 253402300799
"""The last second of year 9999: a date-time picker's value after it is not a date."""

INTERACTION_TYPES = frozenset(
    {"block_actions", "message_action", "shortcut", "view_submission", "view_closed", "block_suggestion"}
)
NOTICE_TYPES = frozenset({"url_verification", "app_rate_limited"})
"""Requests Slack makes that nobody asks for; they pass through to Bolt untouched."""


class MalformedPayload(Exception):
    """A signed request this app cannot classify; ``reason`` is short and carries no request data."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason


# -- the typed values -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Who:
    """The person acting (whoever typed or clicked), their workspace, and the conversation if any."""

    user_id: str
    team_id: str
    channel_id: str | None = None


@dataclass(frozen=True, slots=True)
class Subcommand:
    """The first word of a command's text and what follows it."""

    verb: str
    """The first word as the person typed it, compared case-insensitively; "" when there is none."""
    args: str
    """What follows, as the person typed it (entities and link markup undone), trimmed."""
    raw_args: str
    """What follows, as Slack sent it (channel references still ``<#C…|name>``), trimmed."""


@dataclass(frozen=True, slots=True)
class Command:
    who: Who
    command: str
    text: str
    """As Slack sent it."""
    subcommand: Subcommand
    inner: Subcommand
    """The subcommand within ``subcommand.raw_args`` (``digest schedule …``)."""
    response_url: str
    trigger_id: str
    kind: str = "command"

    @property
    def typed_text(self) -> str:
        """The whole text as the person typed it, trimmed."""
        return unslack(self.text).strip()


@dataclass(frozen=True, slots=True)
class Action:
    action_id: str
    block_id: str
    value: str
    """A button's value, or the value of the option chosen in a select; "" when there is none."""


@dataclass(frozen=True, slots=True)
class Click:
    """A ``block_actions`` request: a button or a select, in a message, App Home or a modal."""

    who: Who
    actions: tuple[Action, ...]
    container_type: str
    """``message``, ``view`` (App Home or a modal) or ``message_attachment``."""
    message_ts: str
    thread_ts: str
    view_type: str | None
    message: Mapping[str, Any] | None
    """The clicked message as Slack sent it (its blocks and metadata), when it was in a message."""
    response_url: str | None
    trigger_id: str
    kind: str = "block_actions"
    view_id: str = ""
    """The view clicked in (a modal or App Home), to update it; "" in a message."""

    @property
    def action(self) -> Action:
        """The action the listener runs (Slack sends one per click)."""
        return self.actions[0]

    @property
    def in_view(self) -> bool:
        return self.container_type == "view"


@dataclass(frozen=True, slots=True)
class ViewSubmission:
    who: Who
    callback_id: str
    view_type: str
    values: dict[str, dict[str, dict[str, Any]]]
    """The inputs' state by block id and action id (``value``, ``selected_options``, …)."""
    trigger_id: str | None
    kind: str = "view_submission"


@dataclass(frozen=True, slots=True)
class Shortcut:
    """A global shortcut: no conversation, answered in a modal."""

    who: Who
    callback_id: str
    trigger_id: str
    kind: str = "shortcut"


@dataclass(frozen=True, slots=True)
class MessageShortcut:
    who: Who
    callback_id: str
    message: Mapping[str, Any]
    response_url: str
    trigger_id: str
    kind: str = "message_action"


@dataclass(frozen=True, slots=True)
class OptionsLoad:
    who: Who
    action_id: str
    value: str
    """What the person has typed so far."""
    kind: str = "block_suggestion"


@dataclass(frozen=True, slots=True)
class HomeOpened:
    who: Who
    tab: str
    kind: str = "app_home_opened"


@dataclass(frozen=True, slots=True)
class SlackEvent:
    """An event nobody asked for in person (any but ``app_home_opened``), or a notice from Slack."""

    kind: str


Payload = Command | Click | ViewSubmission | Shortcut | MessageShortcut | OptionsLoad | HomeOpened | SlackEvent
Asked = Command | Click | ViewSubmission | Shortcut | MessageShortcut | OptionsLoad | HomeOpened
"""The payloads a person makes, which the access guard checks."""
P = TypeVar("P", bound=Payload)


# -- reading ------------------------------------------------------------------------------------------


def read_payload(body: Mapping[str, Any]) -> Payload:
    """The typed value of a request body as Bolt parsed it. Raises ``MalformedPayload``."""
    if not isinstance(body, Mapping):
        raise MalformedPayload("request", "the body is not an object")
    if "command" in body:
        return _read("command", _command, body)
    kind = body.get("type")
    kind = kind if isinstance(kind, str) else ""
    if kind == "event_callback":
        return _read("event", _event, body)
    if kind in INTERACTION_TYPES:
        return _read(kind, _INTERACTIONS[kind], body)
    if kind in NOTICE_TYPES:
        return SlackEvent(kind)
    raise MalformedPayload("request", "of a type this app does not handle")


def read_subcommand(text: str) -> Subcommand:
    """The first word of ``text`` (as Slack sent it) and the rest. A word runs to the first white space
    outside Slack's ``<…>`` markup, so the word is read whole however it was encoded."""
    text = text.strip()
    found = _RAW_WORD.match(text)
    if found is None:
        return Subcommand("", "", "")
    raw_args = text[found.end() :].strip()
    return Subcommand(plain_word(unslack(found.group(0))), unslack(raw_args).strip(), raw_args)


def plain_word(word: str) -> str:
    """``word`` as compared with a subcommand: compatibility forms folded (fullwidth letters, no-break
    spaces), invisible format characters (zero-width spaces and joiners, direction marks) dropped,
    case ignored."""
    folded = unicodedata.normalize("NFKC", word)
    return "".join(c for c in folded if unicodedata.category(c) != "Cf").strip().casefold()


def payload_of(context: BoltContext, kind: type[P]) -> P:
    """The value ``PayloadReader`` put on the context, as the ``kind`` a listener expects."""
    found = context.get(CONTEXT_KEY)
    if not isinstance(found, kind):
        raise MalformedPayload(kind.__name__, "the request was not read before it reached its listener")
    return found


class PayloadReader(Middleware):
    """The Bolt middleware that reads every request once. It runs right after the signature check
    (``App(before_authorize=…)``), before Bolt's own middleware reads the body, and it is a class so
    that Bolt calls it without first pulling every listener argument out of a body that may not have
    them. Refusals are reported through ``refusals`` (one rate-limited line per reason)."""

    def __init__(self, refusals: RefusalLog) -> None:
        self._refusals = refusals

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        try:
            req.context[CONTEXT_KEY] = read_payload(req.body)
        except MalformedPayload as exc:
            self._refusals.refused(400, f"malformed {exc.kind} request", exc.reason)
            return BoltResponse(status=400, body="")
        return next()


# -- the wire shapes (strict: a string is a string, an object an object) ----------------------------------

SlackId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$", max_length=MAX_ID)]


def _person(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("a user id must be a string")
    if not 1 <= len(value) <= MAX_PERSON:
        raise ValueError(f"a user id has 1 to {MAX_PERSON} characters")
    return value


Person = Annotated[str, PlainValidator(_person)]
"""A user id, any text (even what UTF-8 cannot encode), so that the access guard decides on it and the
refusal is recorded under it: the guard refuses an id with unprintable characters whatever the policy."""
Name = Annotated[str, StringConstraints(max_length=MAX_NAME)]
Value = Annotated[str, StringConstraints(max_length=MAX_VALUE)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=MAX_URL)]
Trigger = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME)]


class _Wire(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class _Ref(_Wire):
    id: SlackId


class _User(_Wire):
    id: Person
    team_id: SlackId | None = None


class _Option(_Wire):
    value: Value = ""


class _Action(_Wire):
    action_id: Name
    block_id: Name = ""
    value: Value = ""
    selected_option: _Option | None = None


class _Container(_Wire):
    type: Name = ""
    message_ts: Name = ""
    thread_ts: Name = ""
    channel_id: SlackId | None = None
    view_id: Name = ""


class _Element(_Wire):
    """An input's state in a submitted view (the fields the app reads)."""

    type: Name = ""
    value: Text | None = None
    selected_option: _Option | None = None
    selected_options: list[_Option] | None = None
    selected_date_time: Annotated[int, Field(ge=0, le=MAX_EPOCH_SECONDS)] | None = None
    selected_date: Name | None = None
    selected_time: Name | None = None


class _State(_Wire):
    values: dict[Name, dict[Name, _Element]] = {}


class _View(_Wire):
    id: Name = ""
    type: Name
    callback_id: Name = ""
    state: _State | None = None


class _Interaction(_Wire):
    user: _User
    team: _Ref | None = None


class _CommandBody(_Wire):
    command: Name
    text: Text = ""
    user_id: Person
    team_id: SlackId
    channel_id: SlackId
    response_url: Url
    trigger_id: Trigger


class _ClickBody(_Interaction):
    actions: list[_Action]
    channel: _Ref | None = None
    container: _Container | None = None
    view: _View | None = None
    message: dict[str, Any] | None = None
    response_url: Url | None = None
    trigger_id: Trigger


class _SubmissionBody(_Interaction):
    view: _View
    trigger_id: Trigger | None = None


class _ShortcutBody(_Interaction):
    callback_id: Name
    trigger_id: Trigger


class _MessageShortcutBody(_ShortcutBody):
    channel: _Ref
    message: dict[str, Any]
    response_url: Url


class _OptionsBody(_Interaction):
    action_id: Name
    value: Value = ""


class _EventInner(_Wire):
    type: Name
    user: Person | None = None
    tab: Name = "home"


class _EventBody(_Wire):
    team_id: SlackId
    event: _EventInner


def _read(kind: str, reader: Callable[[Mapping[str, Any]], Payload], body: Mapping[str, Any]) -> Payload:
    try:
        return reader(body)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise MalformedPayload(kind, f"{where}: {first['msg']}{more}") from None
    except MalformedPayload as exc:
        raise MalformedPayload(kind, exc.reason) from None


def _command(body: Mapping[str, Any]) -> Command:
    wire = _CommandBody.model_validate(body)
    _one_person(body, wire.user_id)
    subcommand = read_subcommand(wire.text)
    return Command(
        who=Who(wire.user_id, wire.team_id, wire.channel_id),
        command=wire.command,
        text=wire.text,
        subcommand=subcommand,
        inner=read_subcommand(subcommand.raw_args),
        response_url=wire.response_url,
        trigger_id=wire.trigger_id,
    )


def _click(body: Mapping[str, Any]) -> Click:
    wire = _ClickBody.model_validate(body)
    if not wire.actions:
        raise MalformedPayload("block_actions", "no action")
    container = wire.container or _Container()
    channel = _one_channel(wire.channel.id if wire.channel else None, container.channel_id)
    in_message = container.type != "view"
    if in_message and (channel is None or wire.response_url is None):
        raise MalformedPayload("block_actions", "a click in a message needs its channel and response_url")
    message = wire.message if in_message else None
    message_ts = container.message_ts or str((message or {}).get("ts") or "")
    actions = tuple(
        Action(a.action_id, a.block_id, a.selected_option.value if a.selected_option else a.value) for a in wire.actions
    )
    return Click(
        who=_who(wire, body, channel),
        actions=actions,
        container_type=container.type,
        message_ts=message_ts if isinstance(message_ts, str) else "",
        thread_ts=container.thread_ts,
        view_type=wire.view.type if wire.view else None,
        message=message,
        response_url=wire.response_url,
        trigger_id=wire.trigger_id,
        view_id=container.view_id or (wire.view.id if wire.view else ""),
    )


def _submission(body: Mapping[str, Any]) -> ViewSubmission:
    wire = _SubmissionBody.model_validate(body)
    state = wire.view.state.values if wire.view.state else {}
    values = {block: {a: e.model_dump(exclude_none=True) for a, e in v.items()} for block, v in state.items()}
    return ViewSubmission(
        who=_who(wire, body, None),
        callback_id=wire.view.callback_id,
        view_type=wire.view.type,
        values=values,
        trigger_id=wire.trigger_id,
        kind=str(body.get("type")),
    )


def _shortcut(body: Mapping[str, Any]) -> Shortcut:
    wire = _ShortcutBody.model_validate(body)
    return Shortcut(_who(wire, body, None), wire.callback_id, wire.trigger_id)


def _message_shortcut(body: Mapping[str, Any]) -> MessageShortcut:
    wire = _MessageShortcutBody.model_validate(body)
    who = _who(wire, body, wire.channel.id)
    return MessageShortcut(who, wire.callback_id, wire.message, wire.response_url, wire.trigger_id)


def _options(body: Mapping[str, Any]) -> OptionsLoad:
    wire = _OptionsBody.model_validate(body)
    return OptionsLoad(_who(wire, body, None), wire.action_id, wire.value)


def _event(body: Mapping[str, Any]) -> Payload:
    wire = _EventBody.model_validate(body)
    if wire.event.type != "app_home_opened":
        return SlackEvent(wire.event.type)
    if wire.event.user is None:
        raise MalformedPayload("app_home_opened", "no user")
    return HomeOpened(Who(wire.event.user, wire.team_id), wire.event.tab)


_INTERACTIONS: Mapping[str, Callable[[Mapping[str, Any]], Payload]] = {
    "block_actions": _click,
    "message_action": _message_shortcut,
    "shortcut": _shortcut,
    "view_submission": _submission,
    "view_closed": _submission,
    "block_suggestion": _options,
}
_RAW_WORD = re.compile(r"(?:<[^<>]*>|\S)+")


def _who(wire: _Interaction, body: Mapping[str, Any], channel_id: str | None) -> Who:
    """The person of an interaction (``user.id``), their workspace (``team.id``, else the user's)."""
    _one_person(body, wire.user.id)
    team = wire.team.id if wire.team else wire.user.team_id
    if not team:
        raise MalformedPayload("interaction", "no team")
    return Who(wire.user.id, team, channel_id)


def _one_person(body: Mapping[str, Any], person: str) -> None:
    """Refuse a body naming two different people (``user_id`` and ``user``): which one acts is unclear."""
    named = [body.get("user_id"), body.get("user")]
    for other in named:
        other_id = other.get("id") if isinstance(other, Mapping) else other
        if other is not None and other_id != person:
            raise MalformedPayload("request", "two different users in one request")


def _one_channel(channel: str | None, container: str | None) -> str | None:
    if channel and container and channel != container:
        raise MalformedPayload("block_actions", "two different channels in one request")
    return channel or container
