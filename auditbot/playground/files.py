"""The files upload v2 flow: an upload URL per file, the bytes posted there, then completion and sharing.

``files.getUploadURLExternal`` reserves a file id and an upload URL on the workspace's server;
posting the bytes there stores them (their length must match the announced one);
``files.completeUploadExternal`` titles the uploaded files and, with a channel, shares them in
one message carrying ``initial_comment`` (in ``thread_ts``'s thread if given).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

from auditbot.core.clock import Clock
from auditbot.playground.conversations import Conversations
from auditbot.playground.eventlog import EventLog
from auditbot.playground.ids import Ids
from auditbot.playground.model import JsonDict, SlackError, StoredFile
from auditbot.playground.shapes import file_json

MAX_FILE_BYTES = 1024 * 1024 * 1024


class Files:
    def __init__(
        self,
        conversations: Conversations,
        ids: Ids,
        log: EventLog,
        lock: threading.RLock,
        clock: Clock,
        root_url: Callable[[], str],
    ) -> None:
        self._conversations = conversations
        self._ids = ids
        self._log = log
        self._lock = lock
        self._clock = clock
        self._root_url = root_url
        self._files: dict[str, StoredFile] = {}
        self._upload_tokens: dict[str, str] = {}

    def start_upload(self, filename: Any, length: Any, *, user: str) -> tuple[StoredFile, str]:
        """Reserve a file; returns it and the absolute URL its bytes go to."""
        if not isinstance(filename, str) or not filename:
            raise SlackError("invalid_arguments", "[ERROR] missing required field: filename")
        try:
            size = int(length)
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments", "[ERROR] missing required field: length") from None
        if not 0 < size <= MAX_FILE_BYTES:
            raise SlackError("invalid_arguments", "[ERROR] length must be between 1 and 1073741824")
        with self._lock:
            stored = StoredFile(
                id=self._ids.new("F"),
                name=filename,
                title=filename,
                length=size,
                created=int(self._clock.now().timestamp()),
                user=user,
            )
            token = self._ids.token(32)
            self._files[stored.id] = stored
            self._upload_tokens[token] = stored.id
        return stored, f"{self._root_url()}/upload/v1/{token}"

    def receive(self, token: str, content: bytes) -> tuple[int, str]:
        """The upload URL's answer to the posted bytes: ``(status, text)`` like Slack's upload host."""
        with self._lock:
            file_id = self._upload_tokens.pop(token, None)
            if file_id is None:
                return 404, "invalid upload url"
            stored = self._files[file_id]
            if len(content) != stored.length:
                self._upload_tokens[token] = file_id
                return 400, f"length mismatch: announced {stored.length}, received {len(content)}"
            self._files[file_id] = dataclasses.replace(stored, content=content)
        return 200, f"OK - {len(content)}"

    def complete(
        self, files: Any, *, channel: str = "", initial_comment: str = "", thread_ts: str = "", user: str
    ) -> list[JsonDict]:
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments", "[ERROR] files must be a non-empty array")
        with self._lock:
            channel_id = self._conversations.channel_id(channel) if channel else ""
            done = [
                dataclasses.replace(
                    stored,
                    title=str(item.get("title") or stored.title),
                    completed=True,
                    channels=(channel_id,) if channel_id else (),
                    initial_comment=initial_comment,
                    thread_ts=thread_ts,
                )
                for stored, item in zip([self._uploaded(item) for item in files], files, strict=True)
            ]
            shaped = [self._json(stored) for stored in done]
            if channel_id:
                self._conversations.post(
                    channel_id, author=user, text=initial_comment, thread_ts=thread_ts, files=tuple(shaped)
                )
            for stored, body in zip(done, shaped, strict=True):
                self._files[stored.id] = stored
                self._log.add("file_shared", body, channel=channel_id)
            return shaped

    def all(self) -> list[StoredFile]:
        with self._lock:
            return list(self._files.values())

    def get(self, file_id: str) -> StoredFile:
        with self._lock:
            found = self._files.get(file_id)
        if found is None:
            raise SlackError("file_not_found")
        return found

    def _uploaded(self, item: Any) -> StoredFile:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise SlackError("invalid_arguments", "[ERROR] each file needs an id")
        stored = self._files.get(item["id"])
        if stored is None or stored.content is None or stored.completed:
            raise SlackError("file_not_found")
        return stored

    def _json(self, stored: StoredFile) -> JsonDict:
        return file_json(stored, self._root_url())
