"""What the composer sends: a message's or a slash command's text as Slack passes it on.

Slack's client escapes ``&``, ``<`` and ``>`` in what is typed. A ``#name`` that names a channel
the person can see becomes ``<#C…|name>`` and an ``@name`` that names a person ``<@U…|name>``, as
when they are picked from the lists Slack shows as you type ``#`` or ``@``: always in a message,
and in a command's text when the app's command asks for escaping (``should_escape`` in its
manifest: "Escape channels, users, and links sent to your app"). A name that matches nothing
stays as typed. Links are left as typed.
"""

from __future__ import annotations

import re

from auditbot.playground.model import Channel
from auditbot.playground.web.feed import can_see
from auditbot.playground.workspace import Workspace

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_REFERENCE = re.compile(r"(?<![\w#@/.;&-])([#@])([A-Za-z0-9][A-Za-z0-9._-]*)")
_TRAILING = "._-"
"""Punctuation after a name (``#sec-alerts.``) that is not part of it."""


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as Slack's client sends them."""
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def as_sent(ws: Workspace, user: str, typed: str, *, link_names: bool) -> str:
    """``typed`` as Slack passes it on: escaped, and with ``link_names`` channels and people linked."""
    text = escape(typed)
    if not link_names:
        return text
    channels = {c.name.lower(): c for c in ws.directory.channels() if _linkable(c, user)}
    people = {p.name.lower(): p for p in ws.directory.users()}

    def linked(match: re.Match[str]) -> str:
        sigil, name = match.group(1), match.group(2)
        for candidate in (name, name.rstrip(_TRAILING)):
            tail = name[len(candidate) :]
            key = candidate.lower()
            if sigil == "#" and key in channels:
                return f"<#{channels[key].id}|{channels[key].name}>{tail}"
            if sigil == "@" and key in people:
                return f"<@{people[key].id}|{people[key].name}>{tail}"
        return match.group(0)

    return _REFERENCE.sub(linked, text)


def _linkable(channel: Channel, user: str) -> bool:
    return not channel.is_im and can_see(channel, user)
