"""An in-memory Slack workspace: the state behind the fake Web API, response URLs and, later, the playground page.

``Workspace`` is the facade tests and the server use. It owns one re-entrant lock shared by
its parts (``directory`` of people and conversations, ``conversations`` of messages, ``views``,
``uploads``, ``response_urls``), the injected clock and random source, the ordered event log,
scripted faults, and the record of every Web API call and response-URL post for assertions.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Iterable

from auditbot.core.clock import Clock, SystemClock
from auditbot.playground import seed
from auditbot.playground.conversations import Conversations
from auditbot.playground.directory import Directory
from auditbot.playground.eventlog import EventLog
from auditbot.playground.faults import Fault, Faults
from auditbot.playground.files import Files
from auditbot.playground.hooks import ResponseUrls
from auditbot.playground.ids import Ids
from auditbot.playground.model import (
    ApiCall,
    Channel,
    EventBatch,
    JsonDict,
    ResponsePost,
    StoredFile,
    Team,
    User,
    View,
    WorkspaceMessage,
)
from auditbot.playground.views import Views

DEFAULT_TOKENS = ("xoxb-test",)
ALL_SCOPES = frozenset(
    {
        "commands",
        "chat:write",
        "chat:write.public",
        "files:write",
        "users:read",
        "users:read.email",
        "channels:read",
        "groups:read",
        "im:read",
        "im:write",
        "mpim:read",
        "channels:join",
        "channels:history",
        "groups:history",
        "im:history",
        "mpim:history",
    }
)
"""Every bot scope a method here can need; the default grant."""


class Workspace:
    def __init__(
        self,
        clock: Clock | None = None,
        *,
        tokens: Iterable[str] = DEFAULT_TOKENS,
        scopes: Iterable[str] = ALL_SCOPES,
        rng: random.Random | None = None,
        seeded: bool = True,
        team: Team = seed.TEAM,
        bot: User = seed.BOT,
        root_url: str = "http://playground.invalid",
        messages: Iterable[tuple[str, str, str]] = seed.MESSAGES,
    ) -> None:
        self.tokens = frozenset(tokens)
        if not self.tokens or any(not token.startswith("xoxb-") for token in self.tokens):
            raise ValueError("the workspace needs bot tokens, each starting with xoxb-")
        self.scopes = frozenset(scopes)
        self.clock: Clock = clock or SystemClock()
        self._lock = threading.RLock()
        self._root_url = root_url.rstrip("/")
        self.ids = Ids(self.clock, rng or random.Random(), self._lock)
        self.log = EventLog(self._lock)
        self.faults = Faults(self._lock)
        self.directory = Directory(team, bot, self._lock, self.ids)
        self.conversations = Conversations(
            self.directory, self.ids, self.log, self._lock, chat_write_public="chat:write.public" in self.scopes
        )
        self.views = Views(team, self.ids, self.log, self._lock, self.clock)
        self.uploads = Files(self.conversations, self.ids, self.log, self._lock, self.clock, lambda: self.root_url)
        self.response_urls = ResponseUrls(
            self.conversations, bot.id, self.ids, self._lock, self.clock, lambda: self.root_url
        )
        self._calls: list[ApiCall] = []
        self._response_posts: list[ResponsePost] = []
        if seeded:
            self._seed(messages)

    # where the workspace is served

    @property
    def root_url(self) -> str:
        """Scheme, host and port the server answers on; response and upload URLs start with it."""
        with self._lock:
            return self._root_url

    @root_url.setter
    def root_url(self, value: str) -> None:
        with self._lock:
            self._root_url = value.rstrip("/")

    # who and where

    @property
    def team(self) -> Team:
        return self.directory.team

    @property
    def bot(self) -> User:
        return self.directory.bot

    def user(self, user_id: str) -> User:
        return self.directory.user(user_id)

    def channel(self, ref: str) -> Channel:
        return self.directory.channel(ref)

    def is_valid_token(self, token: str) -> bool:
        return token in self.tokens

    # interactivity: what a Slack client hands the app with a command, shortcut or click

    def new_trigger_id(self, user: str) -> str:
        """A trigger id for ``views.open``/``views.push``: single use, valid 3 s on the workspace clock."""
        self.directory.user(user)
        return self.views.new_trigger_id(user)

    def new_response_url(self, channel: str, user: str, *, replaced_message_ts: str | None = None) -> str:
        """A response URL for ``user`` in ``channel``; ``replaced_message_ts`` is the message holding the click."""
        self.directory.user(user)
        return self.response_urls.issue(channel, user, replaced_message_ts=replaced_message_ts)

    def post_as_user(self, channel: str, user: str, text: str, *, thread_ts: str = "") -> WorkspaceMessage:
        """A person's message, as typed in a client (seeding, or the playground's composer)."""
        return self.conversations.post(channel, author=user, text=text, thread_ts=thread_ts)

    # assertions

    @property
    def calls(self) -> list[ApiCall]:
        """Every Web API call received, in order, with decoded parameters (the token left out)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[JsonDict]:
        """The parameters of every call to one method."""
        return [call.params for call in self.calls if call.method == method]

    @property
    def posts_to_response_urls(self) -> list[ResponsePost]:
        with self._lock:
            return list(self._response_posts)

    def messages(self, channel: str) -> list[WorkspaceMessage]:
        """Messages everyone sees in the channel, oldest first (thread replies included)."""
        return self.conversations.messages(channel)

    def ephemerals(self, channel: str, user: str) -> list[WorkspaceMessage]:
        return self.conversations.ephemerals(channel, user)

    def views_for(self, user: str) -> list[View]:
        """Every modal and Home tab the person has had, oldest first, each in its latest version."""
        return self.views.for_user(user)

    @property
    def files(self) -> list[StoredFile]:
        return self.uploads.all()

    # the event log, for a UI

    def events_since(self, cursor: int = 0) -> EventBatch:
        return self.log.since(cursor)

    def wait_for_events(self, cursor: int, timeout: float) -> bool:
        return self.log.wait(cursor, timeout)

    # faults and recording (used by the request handler)

    def fail_next(
        self, method: str, error: str = "ratelimited", status: int | None = None, retry_after: int = 0, times: int = 1
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        ``method`` is a Web API method, ``"*"`` for any, ``faults.RESPONSE_URL`` for response-URL
        posts or ``faults.FILE_UPLOAD`` for the upload step. ``ratelimited`` answers HTTP 429 with
        ``Retry-After: retry_after``; other errors answer ``ok: false`` with HTTP 200 unless
        ``status`` says otherwise. Nothing is carried out; see ``lose_next_response`` for a call
        that is.
        """
        self.faults.add(method, error, status, retry_after, times)

    def lose_next_response(self, method: str, status: int = 500, times: int = 1) -> None:
        """Carry out the next ``times`` calls of ``method``, then lose their answers.

        The call does its work (a ``chat.postMessage`` posts and is recorded, and shows up in
        ``conversations.history``), but the client gets HTTP ``status`` (500-599) with an HTML
        body instead of Slack's JSON, as when a proxy or the connection fails after Slack acted:
        slack_sdk raises ``SlackApiError`` with that status. ``method`` takes the same keys as
        ``fail_next`` (a Web API method, ``"*"``, ``faults.RESPONSE_URL``, ``faults.FILE_UPLOAD``);
        faults for one key, of either kind, are met in the order they were scripted.
        """
        self.faults.lose(method, status, times)

    def take_fault(self, key: str) -> Fault | None:
        return self.faults.take(key)

    def record_call(self, method: str, params: JsonDict) -> None:
        with self._lock:
            self._calls.append(ApiCall(method, copy.deepcopy(params)))

    def record_response_post(self, token: str, payload: JsonDict) -> None:
        with self._lock:
            self._response_posts.append(ResponsePost(token, copy.deepcopy(payload)))

    def _seed(self, messages: Iterable[tuple[str, str, str]]) -> None:
        self.directory.seed(seed.PEOPLE, seed.CHANNELS, created=int(self.clock.now().timestamp()))
        for channel, author, text in messages:
            self.post_as_user(channel, author, text)
