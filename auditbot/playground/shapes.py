"""Records as Slack's Web API shows them: the JSON objects inside ``users.info``, ``conversations.*``,
``chat.*``, ``views.*`` and ``files.*`` answers, with the fields slack_sdk and Bolt read.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from auditbot.playground.model import Channel, JsonDict, StoredFile, Team, User, View, WorkspaceMessage
from auditbot.playground.seed import APP_ID, BOT_ID


def user_json(user: User, team: Team, now: datetime) -> JsonDict:
    local = now.astimezone(ZoneInfo(user.tz))
    profile: JsonDict = {
        "real_name": user.real_name,
        "display_name": user.name,
        "real_name_normalized": user.real_name,
        "display_name_normalized": user.name,
        "team": team.id,
    }
    if user.email:
        profile["email"] = user.email
    if user.is_bot:
        profile.update(bot_id=user.bot_id, api_app_id=APP_ID, always_active=True)
    return {
        "id": user.id,
        "team_id": team.id,
        "name": user.name,
        "deleted": False,
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_label": local.tzname() or user.tz,
        "tz_offset": user.tz_offset(now),
        "is_admin": user.is_admin,
        "is_owner": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": int(now.timestamp()),
        "profile": profile,
    }


def channel_json(channel: Channel, team: Team, viewer: str) -> JsonDict:
    if channel.is_im:
        return {
            "id": channel.id,
            "created": channel.created,
            "is_im": True,
            "is_org_shared": False,
            "user": channel.im_user,
            "is_user_deleted": False,
            "priority": 0,
        }
    return {
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "created": channel.created,
        "creator": "",
        "is_channel": not channel.is_mpim,
        "is_group": False,
        "is_im": False,
        "is_mpim": channel.is_mpim,
        "is_private": channel.is_private,
        "is_archived": False,
        "is_general": False,
        "is_shared": channel.is_shared,
        "is_ext_shared": channel.is_ext_shared,
        "is_org_shared": False,
        "is_pending_ext_shared": False,
        "context_team_id": team.id,
        "shared_team_ids": [team.id, "T0ACMECORP"] if channel.is_ext_shared else [team.id],
        "is_member": viewer in channel.members,
        "topic": {"value": channel.topic, "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
        "num_members": len(channel.members),
    }


def message_json(
    message: WorkspaceMessage,
    team: Team,
    *,
    with_metadata: bool = True,
    replies: Sequence[WorkspaceMessage] = (),
    parent_user: str = "",
) -> JsonDict:
    """A message as Slack shows it.

    ``with_metadata=False`` leaves ``metadata`` out, as ``conversations.history`` and
    ``conversations.replies`` do without ``include_all_metadata``. ``replies`` (the thread under
    the message, oldest first) adds a thread parent's ``reply_count``, ``latest_reply`` and
    ``thread_ts``; ``parent_user`` is a thread reply's ``parent_user_id``.
    """
    body: JsonDict = {"type": "message", "ts": message.ts, "text": message.text, "team": team.id}
    if message.user:
        body["user"] = message.user
    if message.bot_id:
        body.update(bot_id=message.bot_id, app_id=APP_ID)
        body["bot_profile"] = {"id": message.bot_id, "app_id": APP_ID, "name": "auditbot", "team_id": team.id}
    if message.blocks:
        body["blocks"] = list(message.blocks)
    if message.metadata is not None and with_metadata:
        body["metadata"] = message.metadata
    if message.thread_ts:
        body["thread_ts"] = message.thread_ts
    if parent_user:
        body["parent_user_id"] = parent_user
    if replies:
        body.update(_thread_json(message, replies))
    if message.edited_ts:
        body["edited"] = {"user": message.user, "ts": message.edited_ts}
    if message.files:
        body.update(files=list(message.files), upload=True)
    return body


def _thread_json(parent: WorkspaceMessage, replies: Sequence[WorkspaceMessage]) -> JsonDict:
    """The fields a thread parent carries: who replied, how often, and the latest reply's ``ts``."""
    users = list(dict.fromkeys(reply.user for reply in replies if reply.user))
    return {
        "thread_ts": parent.ts,
        "reply_count": len(replies),
        "reply_users_count": len(users),
        "reply_users": users,
        "latest_reply": replies[-1].ts,
        "is_locked": False,
        "subscribed": False,
    }


def view_json(view: View, team: Team) -> JsonDict:
    body: JsonDict = {
        "private_metadata": "",
        "callback_id": "",
        "clear_on_close": False,
        "notify_on_close": False,
        "external_id": "",
        **view.view,
    }
    body.update(
        id=view.id,
        team_id=team.id,
        type=view.type,
        hash=view.hash,
        state={"values": view.state},
        root_view_id=view.root_view_id or view.id,
        previous_view_id=view.previous_view_id or None,
        app_id=APP_ID,
        app_installed_team_id=team.id,
        bot_id=BOT_ID,
    )
    if view.external_id:
        body["external_id"] = view.external_id
    return body


def file_json(stored: StoredFile, root_url: str) -> JsonDict:
    mimetype = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    extension = stored.name.rsplit(".", 1)[-1].lower() if "." in stored.name else "binary"
    url = f"{root_url}/files/{stored.id}/{quote(stored.name)}"
    return {
        "id": stored.id,
        "created": stored.created,
        "timestamp": stored.created,
        "name": stored.name,
        "title": stored.title,
        "mimetype": mimetype,
        "filetype": extension,
        "pretty_type": extension.upper(),
        "user": stored.user,
        "mode": "hosted",
        "is_external": False,
        "is_public": False,
        "size": len(stored.content) if stored.content is not None else stored.length,
        "url_private": url,
        "url_private_download": f"{url}?download=1",
        "permalink": f"{root_url}/files/{stored.id}",
        "channels": list(stored.channels),
        "groups": [],
        "ims": [],
        "comments_count": 0,
    }
