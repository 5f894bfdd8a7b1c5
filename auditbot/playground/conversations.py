"""Messages in every conversation: posting, ephemeral messages, edits and deletes, in ``ts`` order,
and reading them back as threads (a top-level message and its replies) for the history methods.

The bot may post where it is a member; in a public channel it is not in, only with
``chat:write.public``. Ephemeral messages live beside the others, visible to one person, and
can only be changed through a response URL. Each change lands in the event log.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from typing import Any, NamedTuple

from auditbot.playground.blocks import check_message
from auditbot.playground.directory import Directory
from auditbot.playground.eventlog import EventLog
from auditbot.playground.ids import Ids
from auditbot.playground.model import JsonDict, SlackError, WorkspaceMessage
from auditbot.playground.shapes import message_json


class Thread(NamedTuple):
    """A message and the replies in its thread, oldest first (none for a message nobody answered)."""

    parent: WorkspaceMessage
    replies: tuple[WorkspaceMessage, ...]


def _is_reply(message: WorkspaceMessage) -> bool:
    return bool(message.thread_ts) and message.thread_ts != message.ts


class Conversations:
    def __init__(
        self, directory: Directory, ids: Ids, log: EventLog, lock: threading.RLock, *, chat_write_public: bool
    ) -> None:
        self._directory = directory
        self._ids = ids
        self._log = log
        self._lock = lock
        self._chat_write_public = chat_write_public
        self._messages: dict[str, list[WorkspaceMessage]] = {}

    def post(
        self,
        channel_ref: str,
        *,
        author: str,
        text: Any = None,
        blocks: Any = None,
        metadata: JsonDict | None = None,
        thread_ts: str = "",
        files: tuple[JsonDict, ...] = (),
        check_membership: bool = True,
    ) -> WorkspaceMessage:
        """A new message in the channel; a response URL posts with ``check_membership=False``."""
        with self._lock:
            channel = self._directory.channel(channel_ref)
            if check_membership and not self._may_post(channel.id, author):
                raise SlackError("not_in_channel")
            clean_text, clean_blocks = check_message(text, blocks, has_files=bool(files))
            message = WorkspaceMessage(
                channel=channel.id,
                ts=self._ids.ts(),
                text=clean_text,
                blocks=copy.deepcopy(clean_blocks),
                metadata=copy.deepcopy(metadata),
                thread_ts=thread_ts,
                files=files,
                user=author,
                bot_id=self._bot_id(author),
            )
            self._messages.setdefault(channel.id, []).append(message)
            self._log.add("message", self.as_json(message), channel=channel.id)
            return message

    def post_ephemeral(
        self, channel_ref: str, user: str, *, author: str, text: Any = None, blocks: Any = None, thread_ts: str = ""
    ) -> WorkspaceMessage:
        with self._lock:
            channel = self._directory.channel(channel_ref)
            self._directory.user(user)
            if not self._may_post(channel.id, author):
                raise SlackError("not_in_channel")
            if user not in channel.members:
                raise SlackError("user_not_in_channel")
            return self.add_ephemeral(channel.id, user, author=author, text=text, blocks=blocks, thread_ts=thread_ts)

    def add_ephemeral(
        self, channel_id: str, user: str, *, author: str, text: Any, blocks: Any, thread_ts: str = ""
    ) -> WorkspaceMessage:
        """An ephemeral message without the membership checks (how a response URL answers)."""
        with self._lock:
            clean_text, clean_blocks = check_message(text, blocks)
            message = WorkspaceMessage(
                channel=channel_id,
                ts=self._ids.ts(),
                text=clean_text,
                blocks=copy.deepcopy(clean_blocks),
                thread_ts=thread_ts,
                ephemeral_for=user,
                user=author,
                bot_id=self._bot_id(author),
            )
            self._messages.setdefault(channel_id, []).append(message)
            self._log.add("ephemeral", self.as_json(message), channel=channel_id, user=user)
            return message

    def update(
        self,
        channel_ref: str,
        ts: str,
        *,
        by: str,
        text: Any = None,
        blocks: Any = None,
        metadata: JsonDict | None = None,
        via_response_url: bool = False,
    ) -> WorkspaceMessage:
        """Edit a message in place; ``blocks=None`` keeps the old blocks and ``[]`` removes them."""
        with self._lock:
            old = self.get(channel_ref, ts)
            if not via_response_url and old.is_ephemeral:
                raise SlackError("message_not_found")  # Slack keeps no ephemeral message to edit
            if not via_response_url and not self._is_author(old, by):
                raise SlackError("cant_update_message")
            clean_text, clean_blocks = check_message(
                old.text if text is None else text,
                list(old.blocks) if blocks is None else blocks,
                has_files=bool(old.files),
            )
            new = dataclasses.replace(
                old,
                text=clean_text,
                blocks=copy.deepcopy(clean_blocks),
                metadata=copy.deepcopy(metadata) if metadata is not None else old.metadata,
                edited_ts="" if via_response_url else self._ids.ts(),
            )
            self._replace(old, new)
            self._log.add("message_changed", self.as_json(new), channel=new.channel, user=new.ephemeral_for)
            return new

    def delete(self, channel_ref: str, ts: str, *, by: str, via_response_url: bool = False) -> WorkspaceMessage:
        with self._lock:
            old = self.get(channel_ref, ts)
            if not via_response_url and old.is_ephemeral:
                raise SlackError("message_not_found")  # Slack keeps no ephemeral message to edit
            if not via_response_url and not self._is_author(old, by):
                raise SlackError("cant_delete_message")
            gone = dataclasses.replace(old, deleted=True)
            self._replace(old, gone)
            data = {"channel": gone.channel, "ts": gone.ts}
            self._log.add("message_deleted", data, channel=gone.channel, user=gone.ephemeral_for)
            return gone

    def get(self, channel_ref: str, ts: str) -> WorkspaceMessage:
        with self._lock:
            channel = self._directory.channel(channel_ref)
            for message in self._messages.get(channel.id, []):
                if message.ts == ts and not message.deleted:
                    return message
        raise SlackError("message_not_found")

    def messages(self, channel_ref: str) -> list[WorkspaceMessage]:
        """Every message everyone sees in the channel, thread replies included, oldest first."""
        with self._lock:
            channel = self._directory.channel(channel_ref)
            return [m for m in self._messages.get(channel.id, []) if not m.deleted and not m.is_ephemeral]

    def threads(self, channel_ref: str) -> list[Thread]:
        """The top-level messages everyone sees, oldest first, each with its replies (what history lists).

        Thread replies are not top-level; a reply whose parent was deleted is not listed either.
        """
        with self._lock:
            visible = self.messages(channel_ref)
            replies: dict[str, list[WorkspaceMessage]] = {}
            for message in visible:
                if _is_reply(message):
                    replies.setdefault(message.thread_ts, []).append(message)
            return [Thread(m, tuple(replies.get(m.ts, ()))) for m in visible if not _is_reply(m)]

    def thread(self, channel_ref: str, ts: str) -> Thread:
        """The message at ``ts`` everyone sees, with its replies oldest first; ``thread_not_found`` if none.

        For a reply's ``ts`` that is the reply alone, as Slack answers.
        """
        with self._lock:
            visible = self.messages(channel_ref)
            parent = next((m for m in visible if m.ts == ts), None)
            if parent is None:
                raise SlackError("thread_not_found")
            replies = tuple(m for m in visible if _is_reply(m) and m.thread_ts == parent.ts)
            return Thread(parent, replies)

    def ephemerals(self, channel_ref: str, user: str) -> list[WorkspaceMessage]:
        with self._lock:
            channel = self._directory.channel(channel_ref)
            return [m for m in self._messages.get(channel.id, []) if not m.deleted and m.ephemeral_for == user]

    def channel_id(self, channel_ref: str) -> str:
        return self._directory.channel(channel_ref).id

    def as_json(self, message: WorkspaceMessage) -> JsonDict:
        return {"channel": message.channel, **message_json(message, self._directory.team)}

    def _may_post(self, channel_id: str, author: str) -> bool:
        channel = self._directory.channel(channel_id)
        if author in channel.members:
            return True
        return author == self._directory.bot.id and self._chat_write_public and not channel.is_private

    def _bot_id(self, author: str) -> str:
        """The bot's id for the bot's messages; a person must exist to author one."""
        bot = self._directory.bot
        return bot.bot_id if author == bot.id else self._directory.user(author).bot_id

    @staticmethod
    def _is_author(message: WorkspaceMessage, user: str) -> bool:
        return message.user == user

    def _replace(self, old: WorkspaceMessage, new: WorkspaceMessage) -> None:
        history = self._messages[old.channel]
        history[history.index(old)] = new
