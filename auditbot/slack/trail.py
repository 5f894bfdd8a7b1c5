"""Recording what people do with auditbot in its own audit trail, and mirroring it to a security channel."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.slack.errors import slack_error_code
from auditbot.slack.render.safe import md, mention
from auditbot.store.audit_trail import AuditEntry, AuditTrail

logger = logging.getLogger(__name__)


class BotTrail:
    """The audit trail as the Slack app uses it; recording never breaks the request it describes."""

    def __init__(self, trail: AuditTrail, *, security_channel: str | None = None) -> None:
        self._trail = trail
        self._channel = security_channel

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
        entry: dict[str, Any] = {
            "team_id": team_id,
            "user_id": user_id,
            "kind": kind,
            "outcome": outcome,
            "query": query,
            "channel_id": channel_id,
            "detail": detail,
        }
        try:
            self._trail.record(**entry)
        except Exception:
            logger.exception("could not record %s in the audit trail", kind)
        if self._channel and client is not None:
            self._mirror(client, entry)

    def recent(self, *, text: str | None = None, limit: int = 30) -> list[AuditEntry]:
        return self._trail.recent(limit=limit, text=text or None)

    def _mirror(self, client: WebClient, entry: dict[str, Any]) -> None:
        who = mention(entry["user_id"]) or md(entry["user_id"], 40)
        line = f"*{md(entry['kind'], 40)}* {md(entry['outcome'], 20)} by {who}"
        if entry["query"]:
            line += f": `{md(entry['query'], 300)}`"
        try:
            client.chat_postMessage(channel=str(self._channel), text=line, unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            logger.warning("could not mirror the audit trail to the security channel: %s", slack_error_code(exc))
