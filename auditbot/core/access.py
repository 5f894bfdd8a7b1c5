"""Who may do what, where: the access policy, and masking of results shared into a channel.

Pure: the Slack edge works out the person, their user groups and the place (channel id and kind)
and asks ``AccessPolicy.decide``. Outside the demo everything is denied unless the policy allows
it. Identities are Slack ids (users U…/W…, user groups S…, channels C…/G…/D…), never names.

A ``Decision`` carries two texts: ``reason`` for the bot's audit trail (which rule said no) and
``message`` for the person, which is the same polite sentence whatever the rule, so a denial
discloses nothing about the data or the policy.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

EVERYONE = "*"

DENIED_MESSAGE = "You don't have access to auditbot here. Ask an auditbot admin if you need it."
UNAVAILABLE_MESSAGE = "auditbot couldn't check your access just now. Please try again in a moment."


class Permission(enum.Enum):
    SEARCH = "search"
    """Run searches, open events, page through results."""
    SHARE = "share"
    """Post a page of results into a channel."""
    EXPORT = "export"
    """Download a whole result set as CSV."""
    ADMIN = "admin"
    """Read the bot's own log, manage subscriptions and schedules."""


class PlaceKind(enum.Enum):
    PUBLIC = "public"
    PRIVATE = "private"
    DM = "dm"
    """A direct message, with the app or between people (including group DMs)."""
    SHARED = "shared"
    """A Slack Connect channel shared with another organization."""
    NONE = "none"
    """No conversation: a global shortcut, App Home or a modal; answers go to the person's DM."""
    UNKNOWN = "unknown"
    """A conversation whose kind could not be found out; never allowed (fail closed)."""


@dataclass(frozen=True, slots=True)
class Place:
    channel_id: str | None
    kind: PlaceKind

    @classmethod
    def nowhere(cls) -> Place:
        return cls(None, PlaceKind.NONE)

    def __str__(self) -> str:
        return f"{self.kind.value} {self.channel_id}" if self.channel_id else self.kind.value


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    """Why, for the audit trail (names the rule, the user and the channel)."""
    message: str
    """What the person is told when denied; empty when allowed. Discloses nothing."""

    @classmethod
    def allow(cls, reason: str) -> Decision:
        return cls(True, reason, "")

    @classmethod
    def deny(cls, reason: str) -> Decision:
        return cls(False, reason, DENIED_MESSAGE)

    @classmethod
    def unavailable(cls, reason: str) -> Decision:
        """A lookup needed for the decision failed: deny (fail closed), and say to try again."""
        return cls(False, reason, UNAVAILABLE_MESSAGE)


@dataclass(frozen=True)
class AccessPolicy:
    """``viewers`` may search and share; ``admins`` may everything (they are viewers too). Both hold user
    ids, user group ids or ``*``. ``channels`` (ids or ``*``) are where auditbot answers; DMs count when
    ``allow_dms``; Slack Connect channels only when ``allow_shared_channels`` *and* listed. ``open`` (the
    demo) allows everything."""

    viewers: Collection[str] = ()
    admins: Collection[str] = ()
    channels: Collection[str] = ()
    allow_dms: bool = True
    allow_shared_channels: bool = False
    open: bool = False

    def __post_init__(self) -> None:
        for name in ("viewers", "admins", "channels"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))

    @property
    def group_ids(self) -> frozenset[str]:
        """The user groups the policy mentions: the only memberships worth looking up."""
        return frozenset(item for item in (*self.viewers, *self.admins) if item.startswith("S"))

    def is_admin(self, user_id: str, user_groups: Iterable[str] = ()) -> bool:
        return _member(self.admins, user_id, user_groups)

    def is_viewer(self, user_id: str, user_groups: Iterable[str] = ()) -> bool:
        groups = frozenset(user_groups)
        return _member(self.viewers, user_id, groups) or _member(self.admins, user_id, groups)

    def decide(
        self,
        user_id: str,
        user_groups: Iterable[str],
        place: Place,
        permission: Permission,
        *,
        target: Place | None = None,
    ) -> Decision:
        """May ``user_id`` (member of ``user_groups``) use ``permission`` at ``place``? For SHARE, ``target``
        is where the results would be posted (default: ``place``)."""
        if self.open:
            return Decision.allow("open policy (demo)")
        groups = frozenset(user_groups)
        if permission in (Permission.EXPORT, Permission.ADMIN):
            if not self.is_admin(user_id, groups):
                return Decision.deny(f"user {user_id} is not an admin ({permission.value} needs one)")
        elif not self.is_viewer(user_id, groups):
            return Decision.deny(f"user {user_id} is not a viewer")
        refused = self._place_refusal(place)
        if refused:
            return Decision.deny(refused)
        if permission is Permission.SHARE:
            target = target or place
            if target.kind is PlaceKind.NONE or not target.channel_id:
                return Decision.deny("sharing needs a channel to post into")
            refused = self._place_refusal(target)
            if refused:
                return Decision.deny(f"cannot share there: {refused}")
        return Decision.allow(f"user {user_id} may {permission.value} in {place}")

    def _place_refusal(self, place: Place) -> str | None:
        """Why auditbot does not answer at ``place``, or None when it does."""
        channel = place.channel_id
        match place.kind:
            case PlaceKind.NONE:
                return None
            case PlaceKind.UNKNOWN:
                return f"the kind of conversation {channel} is not known"
            case PlaceKind.DM:
                return None if self.allow_dms else f"direct messages are not allowed ({channel})"
            case PlaceKind.SHARED:
                listed = self._listed(channel)
                if not self.allow_shared_channels:
                    also = " (even though it is listed)" if listed else ""
                    return f"channel {channel} is shared with another organization; shared channels are off{also}"
                return None if listed else f"channel {channel} is not allowed"
            case _:
                return None if self._listed(channel) else f"channel {channel} is not allowed"

    def _listed(self, channel_id: str | None) -> bool:
        return channel_id is not None and (EVERYONE in self.channels or channel_id in self.channels)


def _member(allowed: Collection[str], user_id: str, user_groups: Iterable[str]) -> bool:
    return EVERYONE in allowed or user_id in allowed or any(group in allowed for group in user_groups)


# -- redaction of shared messages ------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+-])([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)
_IPV6 = re.compile(r"(?<![\w:.])(?=[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{2,45}(?:%[\w.]+)?(?![\w:])")
_IPV4 = re.compile(r"(?<![\w.])((?:\d{1,3}\.){3})\d{1,3}(?![\w]|\.\d)")


def redact_for_sharing(text: str) -> str:
    """``text`` with emails (``j***@example.com``), IPv4 (``203.0.113.x``) and IPv6 addresses
    (``2001:db8:85a3::x``, the /48 kept) masked. Anything that only looks like an address is left."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = _IPV6.sub(_mask_ipv6, text)
    return _IPV4.sub(_mask_ipv4, text)


def _mask_ipv4(match: re.Match[str]) -> str:
    try:
        ipaddress.IPv4Address(match.group(0))
    except ValueError:
        return match.group(0)
    return f"{match.group(1)}x"


def _mask_ipv6(match: re.Match[str]) -> str:
    found = match.group(0)
    try:
        address = ipaddress.IPv6Address(found.split("%", 1)[0])
    except ValueError:
        return found
    prefix = ipaddress.IPv6Network(f"{address}/48", strict=False).network_address.compressed
    return f"{prefix.removesuffix('::')}::x" if prefix != "::" else "::x"
