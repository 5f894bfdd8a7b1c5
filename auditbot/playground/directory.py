"""Who and where: the team, its people and bot, its conversations and who is in each."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from auditbot.playground.ids import Ids
from auditbot.playground.model import Channel, SlackError, Team, User


class Directory:
    def __init__(self, team: Team, bot: User, lock: threading.RLock, ids: Ids) -> None:
        self.team = team
        self.bot = bot
        self._lock = lock
        self._ids = ids
        self._users: dict[str, User] = {bot.id: bot}
        self._channels: dict[str, Channel] = {}

    # people

    def add_user(self, user: User) -> User:
        ZoneInfo(user.tz)  # an unknown zone fails here, not in users.info
        with self._lock:
            self._users[user.id] = user
        return user

    def user(self, user_id: str) -> User:
        with self._lock:
            found = self._users.get(user_id)
        if found is None:
            raise SlackError("user_not_found")
        return found

    def users(self) -> list[User]:
        with self._lock:
            return list(self._users.values())

    # conversations

    def add_channel(self, channel: Channel) -> Channel:
        with self._lock:
            self._channels[channel.id] = channel
        return channel

    def channels(self) -> list[Channel]:
        with self._lock:
            return list(self._channels.values())

    def channel(self, ref: str) -> Channel:
        """A conversation by id, ``#name``/``name``, or a user id (their DM with the bot, opened if needed)."""
        with self._lock:
            if ref in self._channels:
                return self._channels[ref]
            if ref in self._users and ref != self.bot.id:
                return self.dm_with(ref)
            name = ref.removeprefix("#")
            for channel in self._channels.values():
                if not channel.is_im and channel.name == name:
                    return channel
        raise SlackError("channel_not_found")

    def visible_channel(self, ref: str, viewer: str) -> Channel:
        """The conversation as ``viewer`` may see it: a private one they are not in does not exist for them."""
        channel = self.channel(ref)
        if (channel.is_private or channel.is_im) and viewer not in channel.members:
            raise SlackError("channel_not_found")
        return channel

    def dm_with(self, user_id: str) -> Channel:
        with self._lock:
            self.user(user_id)
            for channel in self._channels.values():
                if channel.is_im and channel.im_user == user_id:
                    return channel
            members = frozenset({user_id, self.bot.id})
            return self.add_channel(Channel(self._ids.new("D"), user_id, members, is_im=True, im_user=user_id))

    def join(self, channel_id: str, user_id: str) -> tuple[Channel, bool]:
        """``conversations.join``: add ``user_id`` to a public channel; the channel and whether they were in it.

        As Slack answers: only public channels can be joined; a private channel or group DM the
        joiner is in, or a DM, answers ``method_not_supported_for_channel_type``, and a private
        one they are not in does not exist for them (``channel_not_found``).
        """
        with self._lock:
            channel = self.visible_channel(channel_id, user_id)
            if channel.is_im or channel.is_mpim or channel.is_private:
                raise SlackError("method_not_supported_for_channel_type")
            if user_id in channel.members:
                return channel, True
            return self.add_member(channel.id, user_id), False

    def add_member(self, channel_id: str, user_id: str) -> Channel:
        """Put ``user_id`` in any channel, as a member's ``/invite`` does (no checks: test and UI set-up)."""
        with self._lock:
            channel = self.channel(channel_id)
            self.user(user_id)
            joined = dataclasses.replace(channel, members=channel.members | {user_id})
            self._channels[channel.id] = joined
            return joined

    def remove_member(self, channel_id: str, user_id: str) -> Channel:
        """Take ``user_id`` out of a channel, as ``/remove`` does: the bot loses what membership gave it."""
        with self._lock:
            channel = self.channel(channel_id)
            left = dataclasses.replace(channel, members=channel.members - {user_id})
            self._channels[channel.id] = left
            return left

    def is_member(self, channel_id: str, user_id: str) -> bool:
        return user_id in self.channel(channel_id).members

    def seed(self, people: Iterable[User], channels: Iterable[Channel], created: int) -> None:
        for person in people:
            self.add_user(person)
        for channel in channels:
            self.add_channel(dataclasses.replace(channel, created=channel.created or created))
