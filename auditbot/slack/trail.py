"""The bot's trail as the Slack app uses it: each entry recorded by ``BotTrailService`` and mirrored
to a security channel, when one is configured, through the client of the request it describes;
read back a page at a time, with the channels' names (``channel_names``)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.services.bot_trail import BotTrailService, NewTrailEntry, TrailEntry, TrailPage
from auditbot.slack.channel_names import ChannelNames
from auditbot.slack.errors import slack_error_code
from auditbot.slack.render.safe import md, mention

logger = logging.getLogger(__name__)


class BotTrail:
    """Recording never breaks the request it describes (the service logs a store failure; the mirror
    logs Slack's refusal)."""

    def __init__(self, service: BotTrailService, *, names: ChannelNames, security_channel: str | None = None) -> None:
        self._service = service
        self._channel = security_channel
        self.names = names
        """Channel labels for the entries shown (``#name``, or the id when Slack does not say)."""

    def record(
        self,
        client: WebClient | None,
        *,
        team_id: str,
        user_id: str,
        kind: str,
        outcome: str = "ok",
        query: str | None = None,
        channel_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        entry = NewTrailEntry(team_id, user_id, kind, outcome, query=query, channel_id=channel_id, detail=detail)
        mirror = SecurityChannel(client, self._channel) if self._channel and client is not None else None
        self._service.record(entry, mirror=mirror)

    def recent(self, *, text: str | None = None, limit: int = 30) -> list[TrailEntry]:
        return self._service.recent(text=text, limit=limit)

    def first_page(self, text: str = "") -> TrailPage:
        return self._service.first_page(text)

    def open_page(self, value: str) -> TrailPage:
        return self._service.open_page(value)


class SecurityChannel:
    """A ``TrailMirror``: one line per entry in a Slack channel."""

    def __init__(self, client: WebClient, channel_id: str) -> None:
        self._client = client
        self._channel = channel_id

    def mirror(self, entry: NewTrailEntry) -> None:
        who = mention(entry.user_id) or md(entry.user_id, 40)
        line = f"*{md(entry.kind, 40)}* {md(entry.outcome, 20)} by {who}"
        if entry.query:
            line += f": `{md(entry.query, 300)}`"
        try:
            self._client.chat_postMessage(channel=self._channel, text=line, unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            logger.warning("could not mirror the audit trail to the security channel: %s", slack_error_code(exc))
