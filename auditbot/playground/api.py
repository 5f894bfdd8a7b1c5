"""The Web API methods: decoded parameters in, Slack's ``ok: true`` answer out, ``SlackError`` otherwise.

Each method declares the bot scopes it needs (any one of them); a workspace granted none of them
answers ``missing_scope`` with ``needed`` and ``provided``, so a test can run the app with exactly
its manifest's scopes. Methods act as the workspace's bot, the only token holder.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from auditbot.playground.model import Channel, JsonDict, SlackError
from auditbot.playground.shapes import channel_json, message_json, user_json, view_json
from auditbot.playground.workspace import Workspace

Method = Callable[[Workspace, JsonDict], JsonDict]


@dataclass(frozen=True)
class Spec:
    run: Method
    scopes: tuple[str, ...] = ()


def _text(params: JsonDict, name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value)


def _required(params: JsonDict, name: str, error: str = "invalid_arguments") -> str:
    value = _text(params, name)
    if not value:
        raise SlackError(error, f"[ERROR] missing required field: {name}")
    return value


def _need_scope(ws: Workspace, *needed: str) -> None:
    if needed and not ws.scopes.intersection(needed):
        provided = ",".join(sorted(ws.scopes))
        raise SlackError("missing_scope", extra={"needed": ",".join(needed), "provided": provided})


def auth_test(ws: Workspace, params: JsonDict) -> JsonDict:
    return {
        "url": f"https://{ws.team.domain}.slack.com/",
        "team": ws.team.name,
        "user": ws.bot.name,
        "team_id": ws.team.id,
        "user_id": ws.bot.id,
        "bot_id": ws.bot.bot_id,
        "is_enterprise_install": False,
    }


def _metadata(params: JsonDict) -> JsonDict | None:
    metadata = params.get("metadata")
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("event_type"), str):
        raise SlackError("invalid_metadata_format")
    return metadata


def chat_post_message(ws: Workspace, params: JsonDict) -> JsonDict:
    channel = _required(params, "channel", "channel_not_found")
    message = ws.conversations.post(
        channel,
        author=ws.bot.id,
        text=params.get("text"),
        blocks=params.get("blocks"),
        metadata=_metadata(params),
        thread_ts=_text(params, "thread_ts"),
    )
    return {"channel": message.channel, "ts": message.ts, "message": message_json(message, ws.team)}


def chat_post_ephemeral(ws: Workspace, params: JsonDict) -> JsonDict:
    channel = _required(params, "channel", "channel_not_found")
    user = _required(params, "user", "user_not_found")
    message = ws.conversations.post_ephemeral(
        channel,
        user,
        author=ws.bot.id,
        text=params.get("text"),
        blocks=params.get("blocks"),
        thread_ts=_text(params, "thread_ts"),
    )
    return {"message_ts": message.ts}


def chat_update(ws: Workspace, params: JsonDict) -> JsonDict:
    channel = _required(params, "channel", "channel_not_found")
    ts = _required(params, "ts", "message_not_found")
    message = ws.conversations.update(
        channel,
        ts,
        by=ws.bot.id,
        text=params.get("text"),
        blocks=params.get("blocks"),
        metadata=_metadata(params),
    )
    shaped = message_json(message, ws.team)
    return {"channel": message.channel, "ts": message.ts, "text": message.text, "message": shaped}


def chat_delete(ws: Workspace, params: JsonDict) -> JsonDict:
    channel = _required(params, "channel", "channel_not_found")
    message = ws.conversations.delete(channel, _required(params, "ts", "message_not_found"), by=ws.bot.id)
    return {"channel": message.channel, "ts": message.ts}


def chat_get_permalink(ws: Workspace, params: JsonDict) -> JsonDict:
    channel = _required(params, "channel", "channel_not_found")
    message = ws.conversations.get(channel, _required(params, "message_ts", "message_not_found"))
    link = f"{ws.root_url}/archives/{message.channel}/p{message.ts.replace('.', '')}"
    return {"channel": message.channel, "permalink": link}


def _kind_scope(channel: Channel, action: str) -> str:
    """The scope for ``action`` (``read``, ``history``) on this kind of conversation: ``groups:history``..."""
    if channel.is_im:
        return f"im:{action}"
    if channel.is_mpim:
        return f"mpim:{action}"
    return f"groups:{action}" if channel.is_private else f"channels:{action}"


def conversations_info(ws: Workspace, params: JsonDict) -> JsonDict:
    channel = ws.directory.visible_channel(_required(params, "channel", "channel_not_found"), ws.bot.id)
    _need_scope(ws, _kind_scope(channel, "read"))
    return {"channel": channel_json(channel, ws.team, ws.bot.id)}


CURSOR_PREFIX = "next_ts:"
"""A paging cursor is Slack-style base64 of ``next_ts:<ts>``, the ``ts`` the next page starts at."""


@dataclass(frozen=True)
class _Window:
    """A history read's ``oldest``/``latest``/``inclusive``/``limit``/``cursor``/``include_all_metadata``, decoded.

    A ``limit`` below 1 means the method's default; one above its maximum is clamped.
    """

    oldest: Decimal | None
    latest: Decimal | None
    inclusive: bool
    limit: int
    cursor: Decimal | None
    with_metadata: bool

    def holds(self, ts: str) -> bool:
        at = Decimal(ts)
        if self.inclusive:
            return (self.oldest is None or at >= self.oldest) and (self.latest is None or at <= self.latest)
        return (self.oldest is None or at > self.oldest) and (self.latest is None or at < self.latest)


def _flag(params: JsonDict, name: str) -> bool:
    return str(params.get(name, "")).strip().lower() in ("1", "true")


def _timestamp(value: str, error: str) -> Decimal | None:
    if not value:
        return None
    try:
        at = Decimal(value)
    except InvalidOperation:
        raise SlackError(error) from None
    if not at.is_finite() or at < 0:
        raise SlackError(error)
    return at


def _encode_cursor(ts: str) -> str:
    return base64.b64encode(f"{CURSOR_PREFIX}{ts}".encode()).decode()


def _decode_cursor(cursor: str) -> Decimal | None:
    if not cursor:
        return None
    try:
        decoded = base64.b64decode(cursor, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise SlackError("invalid_cursor") from None
    if not decoded.startswith(CURSOR_PREFIX):
        raise SlackError("invalid_cursor")
    return _timestamp(decoded.removeprefix(CURSOR_PREFIX), "invalid_cursor")


def _window(params: JsonDict, default_limit: int, max_limit: int) -> _Window:
    raw_limit = _text(params, "limit").strip()
    try:
        limit = int(raw_limit) if raw_limit else default_limit
    except ValueError:
        raise SlackError("invalid_arguments", "[ERROR] must be an integer [json-pointer:/limit]") from None
    return _Window(
        oldest=_timestamp(_text(params, "oldest"), "invalid_ts_oldest"),
        latest=_timestamp(_text(params, "latest"), "invalid_ts_latest"),
        inclusive=_flag(params, "inclusive"),
        limit=min(limit, max_limit) if limit > 0 else default_limit,
        cursor=_decode_cursor(_text(params, "cursor")),
        with_metadata=_flag(params, "include_all_metadata"),
    )


def _readable_channel(ws: Workspace, params: JsonDict) -> Channel:
    """The conversation named by id that the bot may read, as ``conversations.history`` and ``.replies`` check.

    Unlike posting, reading takes no ``#name`` and no user id; a private conversation the bot is
    not in does not exist for it, a public one answers ``not_in_channel``.
    """
    ref = _required(params, "channel", "channel_not_found")
    if all(known.id != ref for known in ws.directory.channels()):
        raise SlackError("channel_not_found")
    channel = ws.directory.visible_channel(ref, ws.bot.id)
    _need_scope(ws, _kind_scope(channel, "history"))
    if ws.bot.id not in channel.members:
        raise SlackError("not_in_channel")
    return channel


def _page(messages: list[JsonDict], next_ts: str | None) -> JsonDict:
    """One page of messages; ``next_ts`` is where the next page starts, ``None`` after the last."""
    return {
        "messages": messages,
        "has_more": next_ts is not None,
        "response_metadata": {"next_cursor": _encode_cursor(next_ts) if next_ts is not None else ""},
    }


def conversations_history(ws: Workspace, params: JsonDict) -> JsonDict:
    """Top-level messages (thread parents included, replies not), newest first, ``limit`` a page.

    Without ``latest`` there is no upper bound (Slack says "now"; messages here can be stamped a
    little past the clock). ``metadata`` is shown only with ``include_all_metadata``.
    """
    window = _window(params, default_limit=100, max_limit=999)
    channel = _readable_channel(ws, params)
    threads = [t for t in reversed(ws.conversations.threads(channel.id)) if window.holds(t.parent.ts)]
    if window.cursor is not None:
        threads = [t for t in threads if Decimal(t.parent.ts) <= window.cursor]
    shown = [
        message_json(t.parent, ws.team, with_metadata=window.with_metadata, replies=t.replies)
        for t in threads[: window.limit]
    ]
    next_ts = threads[window.limit].parent.ts if len(threads) > window.limit else None
    return _page(shown, next_ts)


def conversations_replies(ws: Workspace, params: JsonDict) -> JsonDict:
    """A thread oldest first: its parent heads the first page, whatever the bounds, then the replies.

    ``oldest``/``latest`` bound the replies; a ``cursor`` page holds replies only. The parent counts
    toward ``limit``.
    """
    window = _window(params, default_limit=1000, max_limit=1000)
    channel = _readable_channel(ws, params)
    thread = ws.conversations.thread(channel.id, _required(params, "ts", "thread_not_found"))
    replies = [r for r in thread.replies if window.holds(r.ts)]
    shown = [] if window.cursor is not None else [thread.parent]
    if window.cursor is not None:
        replies = [r for r in replies if Decimal(r.ts) >= window.cursor]
    room = window.limit - len(shown)
    shown.extend(replies[:room])
    next_ts = replies[room].ts if len(replies) > room else None
    parent_user = thread.parent.user
    messages = [
        message_json(
            message,
            ws.team,
            with_metadata=window.with_metadata,
            replies=thread.replies if message is thread.parent else (),
            parent_user=parent_user if message is not thread.parent else "",
        )
        for message in shown
    ]
    return _page(messages, next_ts)


def conversations_join(ws: Workspace, params: JsonDict) -> JsonDict:
    channel, already = ws.directory.join(_required(params, "channel", "channel_not_found"), ws.bot.id)
    answer: JsonDict = {"channel": channel_json(channel, ws.team, ws.bot.id)}
    if already:
        answer.update(warning="already_in_channel", response_metadata={"warnings": ["already_in_channel"]})
    return answer


def conversations_open(ws: Workspace, params: JsonDict) -> JsonDict:
    users = [user for user in _required(params, "users", "users_list_not_supplied").split(",") if user]
    if len(users) != 1:
        raise SlackError("not_supported", "[ERROR] the playground opens DMs with one person")
    return {"channel": {"id": ws.directory.dm_with(users[0]).id}}


def users_info(ws: Workspace, params: JsonDict) -> JsonDict:
    user = ws.directory.user(_required(params, "user", "user_not_found"))
    return {"user": user_json(user, ws.team, ws.clock.now())}


def _view(params: JsonDict) -> Any:
    if "view" not in params:
        raise SlackError("invalid_arguments", "[ERROR] missing required field: view")
    return params["view"]


def views_open(ws: Workspace, params: JsonDict) -> JsonDict:
    trigger_id = _text(params, "trigger_id") or _text(params, "interactivity_pointer")
    if not trigger_id:
        raise SlackError("invalid_arguments", "[ERROR] missing required field: trigger_id")
    return {"view": view_json(ws.views.open(trigger_id, _view(params)), ws.team)}


def views_push(ws: Workspace, params: JsonDict) -> JsonDict:
    trigger_id = _text(params, "trigger_id") or _text(params, "interactivity_pointer")
    if not trigger_id:
        raise SlackError("invalid_arguments", "[ERROR] missing required field: trigger_id")
    return {"view": view_json(ws.views.push(trigger_id, _view(params)), ws.team)}


def views_update(ws: Workspace, params: JsonDict) -> JsonDict:
    updated = ws.views.update(
        _view(params),
        view_id=_text(params, "view_id"),
        external_id=_text(params, "external_id"),
        hash=_text(params, "hash"),
    )
    return {"view": view_json(updated, ws.team)}


def views_publish(ws: Workspace, params: JsonDict) -> JsonDict:
    user = ws.directory.user(_required(params, "user_id", "user_not_found"))
    published = ws.views.publish(user.id, _view(params), hash=_text(params, "hash"))
    return {"view": view_json(published, ws.team)}


def files_get_upload_url_external(ws: Workspace, params: JsonDict) -> JsonDict:
    stored, url = ws.uploads.start_upload(params.get("filename"), params.get("length"), user=ws.bot.id)
    return {"upload_url": url, "file_id": stored.id}


def files_complete_upload_external(ws: Workspace, params: JsonDict) -> JsonDict:
    channel = _text(params, "channel_id") or _text(params, "channels").split(",")[0]
    files = ws.uploads.complete(
        params.get("files"),
        channel=channel,
        initial_comment=_text(params, "initial_comment"),
        thread_ts=_text(params, "thread_ts"),
        user=ws.bot.id,
    )
    return {"files": files}


METHODS: dict[str, Spec] = {
    "auth.test": Spec(auth_test),
    "chat.postMessage": Spec(chat_post_message, ("chat:write",)),
    "chat.postEphemeral": Spec(chat_post_ephemeral, ("chat:write",)),
    "chat.update": Spec(chat_update, ("chat:write",)),
    "chat.delete": Spec(chat_delete, ("chat:write",)),
    "chat.getPermalink": Spec(chat_get_permalink),
    "conversations.info": Spec(conversations_info),
    "conversations.history": Spec(conversations_history),
    "conversations.replies": Spec(conversations_replies),
    "conversations.join": Spec(conversations_join, ("channels:join",)),
    "conversations.open": Spec(conversations_open, ("im:write",)),
    "users.info": Spec(users_info, ("users:read",)),
    "views.open": Spec(views_open),
    "views.push": Spec(views_push),
    "views.update": Spec(views_update),
    "views.publish": Spec(views_publish),
    "files.getUploadURLExternal": Spec(files_get_upload_url_external, ("files:write",)),
    "files.completeUploadExternal": Spec(files_complete_upload_external, ("files:write",)),
}


def call(ws: Workspace, method: str, params: JsonDict) -> JsonDict:
    """Run one method; ``{"ok": true, ...}`` or Slack's error answer. Unknown methods answer ``unknown_method``."""
    spec = METHODS.get(method)
    if spec is None:
        return {"ok": False, "error": "unknown_method", "req_method": method}
    try:
        _need_scope(ws, *spec.scopes)
        return {"ok": True, **spec.run(ws, params)}
    except SlackError as error:
        return error.as_response()
