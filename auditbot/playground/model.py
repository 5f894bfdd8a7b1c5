"""The workspace's records: people, conversations, messages, views, files, and what was sent to it.

Every record is a frozen snapshot; the workspace replaces a record to change it, so a snapshot
handed to a test or a UI thread never changes under it. JSON-like fields (blocks, views,
metadata) are deep copies owned by the record: read them, do not mutate them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

JsonDict = dict[str, Any]


class SlackError(Exception):
    """A Web API error: ``error`` is Slack's code (``channel_not_found``), ``messages`` any detail lines."""

    def __init__(self, error: str, *messages: str, extra: JsonDict | None = None) -> None:
        super().__init__(f"{error}: {'; '.join(messages)}" if messages else error)
        self.error = error
        self.messages = list(messages)
        self.extra = dict(extra or {})

    def as_response(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error": self.error, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    domain: str


@dataclass(frozen=True)
class User:
    id: str
    name: str
    """The handle (``jane``)."""
    real_name: str
    tz: str
    """An IANA zone, e.g. ``Europe/Berlin``; ``tz_offset`` is derived from it at the workspace's clock."""
    email: str = ""
    is_bot: bool = False
    bot_id: str = ""
    is_admin: bool = False

    def tz_offset(self, at: datetime) -> int:
        """Seconds east of UTC in the person's zone at ``at`` (daylight saving included), as ``users.info`` says."""
        offset = at.astimezone(ZoneInfo(self.tz)).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    members: frozenset[str]
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    """A group DM (also ``is_private``); its history needs ``mpim:history``."""
    is_shared: bool = False
    """Shared with another organization through Slack Connect (then also ``is_ext_shared``)."""
    is_ext_shared: bool = False
    im_user: str = ""
    """For a DM: the person the bot talks to."""
    created: int = 0
    topic: str = ""


@dataclass(frozen=True)
class WorkspaceMessage:
    channel: str
    ts: str
    text: str
    blocks: tuple[JsonDict, ...] = ()
    user: str = ""
    bot_id: str = ""
    metadata: JsonDict | None = None
    thread_ts: str = ""
    ephemeral_for: str = ""
    """Set for an ephemeral message: the only user who sees it."""
    files: tuple[JsonDict, ...] = ()
    """Files shared with the message, as ``files.*`` shows them."""
    edited_ts: str = ""
    deleted: bool = False

    @property
    def is_ephemeral(self) -> bool:
        return bool(self.ephemeral_for)


@dataclass(frozen=True)
class View:
    id: str
    type: str
    """``modal`` or ``home``."""
    user: str
    view: JsonDict
    """The view as the app last sent it (blocks, title, callback_id, private_metadata, ...)."""
    hash: str
    root_view_id: str = ""
    previous_view_id: str = ""
    external_id: str = ""
    state: JsonDict = field(default_factory=dict)
    """What the person has entered so far, in Slack's ``state.values`` shape."""
    closed: bool = False


@dataclass(frozen=True)
class StoredFile:
    id: str
    name: str
    title: str
    length: int
    """The length the app announced in ``files.getUploadURLExternal``."""
    created: int
    user: str
    content: bytes | None = None
    """The uploaded bytes; ``None`` until the upload URL received them."""
    channels: tuple[str, ...] = ()
    initial_comment: str = ""
    thread_ts: str = ""
    completed: bool = False


class ApiCall(NamedTuple):
    method: str
    params: JsonDict
    """Decoded parameters: JSON-valued ones (blocks, view, metadata, files) as Python values."""


class ResponsePost(NamedTuple):
    token: str
    payload: JsonDict


class Event(NamedTuple):
    """One entry of the workspace's event log, for a UI to replay."""

    seq: int
    kind: str
    """``message``, ``message_changed``, ``message_deleted``, ``ephemeral``, ``view_opened``,
    ``view_pushed``, ``view_updated``, ``view_closed``, ``home_published``, ``file_shared``."""
    channel: str
    user: str
    """Who may see it: the recipient of an ephemeral or the owner of a view; empty for everyone."""
    data: JsonDict


class EventBatch(NamedTuple):
    events: list[Event]
    cursor: int
    """Pass this to the next ``events_since`` call."""
