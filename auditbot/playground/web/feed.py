"""What the page shows, as JSON: the workspace as one person sees it, and the events since a cursor.

``state_json`` gives the team, the people (with their time zones), the conversations the person
can see, the bot and the app's command and shortcuts. ``events_json`` turns the workspace's event
log into what that person's client would receive: messages everyone sees in channels they can
see, ephemeral messages for them only, and their own modals and Home tab, with block ids filled
in as Slack's client has them.
"""

from __future__ import annotations

from auditbot.playground.model import Channel, Event, JsonDict, User
from auditbot.playground.web.blockids import view_with_ids, with_ids
from auditbot.playground.web.profile import AppProfile
from auditbot.playground.workspace import Workspace

MESSAGE_KINDS = frozenset({"message", "ephemeral", "message_changed", "message_deleted"})
VIEW_KINDS = frozenset({"view_opened", "view_pushed", "view_updated", "view_closed", "home_published"})


def _person(ws: Workspace, user: User) -> JsonDict:
    return {
        "id": user.id,
        "name": user.name,
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_offset": user.tz_offset(ws.clock.now()),
        "is_bot": user.is_bot,
    }


def can_see(channel: Channel, user: str) -> bool:
    """Members see a conversation; anyone may read a public channel."""
    return user in channel.members or not (channel.is_private or channel.is_im)


def _conversation(ws: Workspace, channel: Channel, user: str) -> JsonDict:
    other = next((member for member in channel.members if member != user), user) if channel.is_im else ""
    return {
        "id": channel.id,
        "name": ws.user(other).name if channel.is_im else channel.name,
        "is_private": channel.is_private,
        "is_im": channel.is_im,
        "is_shared": channel.is_ext_shared,
        "is_member": user in channel.members,
        "with_user": other,
        "topic": channel.topic,
    }


def state_json(ws: Workspace, user: str, profile: AppProfile, dm: Channel) -> JsonDict:
    channels = [c for c in ws.directory.channels() if can_see(c, user)]
    return {
        "team": {"id": ws.team.id, "name": ws.team.name, "domain": ws.team.domain},
        "users": [_person(ws, person) for person in ws.directory.users()],
        "user": user,
        "bot": _person(ws, ws.bot),
        "channels": [_conversation(ws, c, user) for c in channels if not c.is_im],
        "dms": [_conversation(ws, c, user) for c in channels if c.is_im],
        "app": {**profile.as_json(), "bot_user": ws.bot.id, "dm": dm.id},
    }


def event_json(ws: Workspace, event: Event, user: str) -> JsonDict | None:
    """The event as ``user``'s client receives it, or ``None`` when it is not theirs to see."""
    if event.user and event.user != user:
        return None
    data = dict(event.data)
    if event.kind in MESSAGE_KINDS:
        if not can_see(ws.channel(event.channel), user):
            return None
        data["ephemeral"] = bool(event.user)
        if "blocks" in data:
            data["blocks"] = with_ids(data["blocks"])
    elif event.kind in VIEW_KINDS:
        if "blocks" in data:
            data = view_with_ids(data)
    else:
        return None
    return {"seq": event.seq, "kind": event.kind, "channel": event.channel, "data": data}


def events_json(ws: Workspace, cursor: int, user: str) -> JsonDict:
    """Events after ``cursor`` for ``user``; ``reset`` when the cursor is from another run of the workspace."""
    batch = ws.events_since(cursor)
    if cursor > batch.cursor:
        return {"events": [], "cursor": batch.cursor, "reset": True}
    shown = [e for e in (event_json(ws, event, user) for event in batch.events) if e is not None]
    return {"events": shown, "cursor": batch.cursor, "reset": False}
