"""The Web API methods: decoded parameters in, Slack's ``ok: true`` answer out, ``SlackError`` otherwise.

Each method declares the bot scopes it needs (any one of them); a workspace granted none of them
answers ``missing_scope`` with ``needed`` and ``provided``, so a test can run the app with exactly
its manifest's scopes. Methods act as the workspace's bot, the only token holder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditbot.playground.model import JsonDict, SlackError
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


def conversations_info(ws: Workspace, params: JsonDict) -> JsonDict:
    channel = ws.directory.visible_channel(_required(params, "channel", "channel_not_found"), ws.bot.id)
    if channel.is_im:
        _need_scope(ws, "im:read")
    else:
        _need_scope(ws, "groups:read" if channel.is_private else "channels:read")
    return {"channel": channel_json(channel, ws.team, ws.bot.id)}


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
