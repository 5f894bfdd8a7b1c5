"""What the playground knows about the app it drives: its slash command and shortcuts, as its manifest declares them.

A Slack client learns these from the installed app's manifest; the playground takes them as an
``AppProfile``. ``AUDITBOT`` mirrors auditbot's ``manifest.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ShortcutKind = Literal["message", "global"]


@dataclass(frozen=True)
class Shortcut:
    callback_id: str
    name: str
    kind: ShortcutKind
    description: str = ""


@dataclass(frozen=True)
class AppProfile:
    name: str
    command: str
    usage_hint: str = ""
    shortcuts: tuple[Shortcut, ...] = ()
    should_escape: bool = False
    """The command's "Escape channels, users, and links" setting: ``#name`` and ``@name`` arrive linked."""

    def shortcut(self, kind: ShortcutKind, callback_id: str | None = None) -> Shortcut | None:
        """The shortcut of ``kind`` with ``callback_id``, or the first of that kind when none is given."""
        return next(
            (s for s in self.shortcuts if s.kind == kind and (callback_id is None or s.callback_id == callback_id)),
            None,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "command": self.command,
            "usage_hint": self.usage_hint,
            "should_escape": self.should_escape,
            "shortcuts": [
                {"callback_id": s.callback_id, "name": s.name, "type": s.kind, "description": s.description}
                for s in self.shortcuts
            ],
        }


AUDITBOT = AppProfile(
    name="auditbot",
    command="/audit",
    usage_hint="actor:jane@example.com since:24h | event <id> | actions [text] | help",
    shortcuts=(
        Shortcut(
            "investigate_message",
            "Investigate in audit log",
            "message",
            "Search the audit log for the emails, IPs and ids in this message",
        ),
        Shortcut("search_audit_log", "Search audit log", "global", "Open the audit log search form"),
    ),
    should_escape=True,
)
