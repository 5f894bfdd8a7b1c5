"""The requests Slack sends an app, built exactly as Slack encodes them.

- a slash command: form fields (``command``, ``text``, ``response_url``, ``trigger_id``, ...);
- interactivity (``block_actions``, ``message_action``, ``shortcut``, ``view_submission``,
  ``view_closed``, ``block_suggestion``): one form field ``payload`` holding JSON;
- events (``app_home_opened``): a JSON ``event_callback`` envelope.

Response URLs and trigger ids come from the workspace, so the app's answers land back in it.
``delivery.py`` signs and sends what is built here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from auditbot.playground.model import Channel, JsonDict, View, WorkspaceMessage
from auditbot.playground.seed import APP_ID
from auditbot.playground.shapes import message_json, view_json
from auditbot.playground.web.blockids import view_with_ids, with_ids
from auditbot.playground.workspace import Workspace

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
VERIFICATION_TOKEN = "playgroundverificationtoken"
"""Slack's deprecated verification token; sent as Slack does, checked by nobody."""


@dataclass(frozen=True)
class SlackRequest:
    kind: str
    """``command``, ``event_callback`` or the interactive payload's ``type``."""
    payload: JsonDict
    """What the app will decode: the command's fields, the interactive payload or the event envelope."""
    body: str
    content_type: str


def _interactive(payload: JsonDict) -> SlackRequest:
    return SlackRequest(str(payload["type"]), payload, urlencode({"payload": json.dumps(payload)}), FORM)


def _now(ws: Workspace) -> str:
    return f"{ws.clock.now().timestamp():.6f}"


def _team(ws: Workspace) -> JsonDict:
    return {"id": ws.team.id, "domain": ws.team.domain}


def _user(ws: Workspace, user_id: str) -> JsonDict:
    person = ws.user(user_id)
    return {"id": person.id, "username": person.name, "name": person.name, "team_id": ws.team.id}


def _channel(channel: Channel) -> JsonDict:
    return {"id": channel.id, "name": "directmessage" if channel.is_im else channel.name}


def _common(ws: Workspace, kind: str, user: str) -> JsonDict:
    return {
        "type": kind,
        "user": _user(ws, user),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "team": _team(ws),
        "enterprise": None,
        "is_enterprise_install": False,
    }


def message_with_ids(ws: Workspace, message: WorkspaceMessage) -> JsonDict:
    """The message as Slack shows it in payloads, its blocks carrying the ids the client gave them."""
    shaped = message_json(message, ws.team)
    if message.blocks:
        shaped["blocks"] = with_ids(list(message.blocks))
    return shaped


def view_payload_json(ws: Workspace, view: View) -> JsonDict:
    return view_with_ids(view_json(view, ws.team))


def slash_command(ws: Workspace, *, user: str, channel: Channel, command: str, text: str) -> SlackRequest:
    person = ws.user(user)
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": ws.team.id,
        "team_domain": ws.team.domain,
        "channel_id": channel.id,
        "channel_name": _channel(channel)["name"],
        "user_id": person.id,
        "user_name": person.name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": ws.new_response_url(channel.id, user),
        "trigger_id": ws.new_trigger_id(user),
    }
    return SlackRequest("command", fields, urlencode(fields), FORM)


def block_actions_in_message(
    ws: Workspace, *, user: str, channel: Channel, message: WorkspaceMessage, action: JsonDict
) -> SlackRequest:
    """A click in a message; its response URL can replace or delete that message, ephemeral or not."""
    payload = _common(ws, "block_actions", user)
    payload["container"] = {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": channel.id,
        "is_ephemeral": message.is_ephemeral,
    }
    payload.update(trigger_id=ws.new_trigger_id(user), channel=_channel(channel))
    if not message.is_ephemeral:
        payload["message"] = message_with_ids(ws, message)
    payload["state"] = {"values": {}}
    payload["response_url"] = ws.new_response_url(channel.id, user, replaced_message_ts=message.ts)
    payload["actions"] = [action]
    return _interactive(payload)


def block_actions_in_view(ws: Workspace, *, user: str, view: View, action: JsonDict) -> SlackRequest:
    """A click in a modal or the Home tab: no response URL, the view with its state instead."""
    payload = _common(ws, "block_actions", user)
    payload["container"] = {"type": "view", "view_id": view.id}
    payload.update(trigger_id=ws.new_trigger_id(user), view=view_payload_json(ws, view), actions=[action])
    return _interactive(payload)


def message_action(
    ws: Workspace, *, user: str, channel: Channel, message: WorkspaceMessage, callback_id: str
) -> SlackRequest:
    """A message shortcut; its response URL answers the person in the channel (it cannot edit their message)."""
    payload = _common(ws, "message_action", user)
    payload.update(
        callback_id=callback_id,
        action_ts=_now(ws),
        trigger_id=ws.new_trigger_id(user),
        message_ts=message.ts,
        channel=_channel(channel),
        message=message_with_ids(ws, message),
        response_url=ws.new_response_url(channel.id, user),
    )
    return _interactive(payload)


def global_shortcut(ws: Workspace, *, user: str, callback_id: str) -> SlackRequest:
    payload = _common(ws, "shortcut", user)
    payload.update(callback_id=callback_id, action_ts=_now(ws), trigger_id=ws.new_trigger_id(user))
    return _interactive(payload)


def view_submission(ws: Workspace, *, user: str, view: View) -> SlackRequest:
    payload = _common(ws, "view_submission", user)
    payload.update(trigger_id=ws.new_trigger_id(user), view=view_payload_json(ws, view), response_urls=[])
    return _interactive(payload)


def view_closed(ws: Workspace, *, user: str, view: View, cleared: bool) -> SlackRequest:
    payload = _common(ws, "view_closed", user)
    payload.update(view=view_payload_json(ws, view), is_cleared=cleared)
    return _interactive(payload)


def block_suggestion(
    ws: Workspace,
    *,
    user: str,
    action_id: str,
    block_id: str,
    value: str,
    view: View | None = None,
    channel: Channel | None = None,
    message: WorkspaceMessage | None = None,
) -> SlackRequest:
    """An options load for an external select, typed ``value`` so far, in a view or in a message."""
    payload = _common(ws, "block_suggestion", user)
    payload.update(action_id=action_id, block_id=block_id, value=value, action_ts=_now(ws))
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.id}
        payload["view"] = view_payload_json(ws, view)
    elif channel is not None and message is not None:
        payload["container"] = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": channel.id,
            "is_ephemeral": message.is_ephemeral,
        }
        payload["channel"] = _channel(channel)
    return _interactive(payload)


def app_home_opened(ws: Workspace, *, user: str, channel: str, tab: str, event_id: str) -> SlackRequest:
    """The ``app_home_opened`` event: the person opened the app's Home or Messages tab."""
    event: JsonDict = {"type": "app_home_opened", "user": user, "channel": channel, "tab": tab, "event_ts": _now(ws)}
    home = ws.views.home(user)
    if home is not None:
        event["view"] = view_payload_json(ws, home)
    envelope: JsonDict = {
        "token": VERIFICATION_TOKEN,
        "team_id": ws.team.id,
        "context_team_id": ws.team.id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(ws.clock.now().timestamp()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": ws.team.id,
                "user_id": ws.bot.id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return SlackRequest("event_callback", envelope, json.dumps(envelope), JSON)
