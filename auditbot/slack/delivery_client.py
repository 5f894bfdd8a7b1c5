"""``SlackAlertChannel``: delivery's side of Slack — post, edit, read our alerts back, tell a person.

Posting uses a Web API client with no automatic retries: ``chat.postMessage`` has no idempotency
key, so a retried post after a lost answer could post twice. Failures are sorted instead, for
delivery to act on: 429 → ``RateLimited`` (Slack took nothing), 5xx, timeouts and broken
connections → ``InDoubt`` (Slack may have it: read the channel before trying again), a channel or
token Slack refuses → ``ChannelRefused``, anything else → ``PostRejected``. ``join`` (to read a
public channel the bot posts in without being a member) fails with ``JoinRefused`` whatever Slack's
reason, naming the channel as people know it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.services.delivery import (
    AlertItem,
    ChannelRefused,
    DeliveryProblem,
    InDoubt,
    JoinRefused,
    OutgoingMessage,
    PostedMessage,
    PostRejected,
    RateLimited,
    read_metadata,
)
from auditbot.services.subscriptions import Titles
from auditbot.slack.errors import slack_error_code, slack_status
from auditbot.slack.render.alerts import (
    render_alert,
    render_burst_part,
    render_burst_summary,
    render_delivery_paused,
    render_snooze_ended,
)
from auditbot.slack.render.views import Message

REFUSALS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "token_revoked",
        "invalid_auth",
        "account_inactive",
        "not_authed",
        "team_access_not_granted",
        "restricted_action",
        "restricted_action_read_only_channel",
        "ekm_access_denied",
    }
)
"""Errors that no retry will cure: a person must re-invite the bot, unarchive or re-install."""
HISTORY_PAGE = 200


class SlackAlertChannel:
    """Implements ``auditbot.services.delivery.SlackDelivery`` over the Web API."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def post(
        self, channel_id: str, message: OutgoingMessage, *, metadata: dict[str, Any], thread_ts: str | None = None
    ) -> str:
        extra = {"thread_ts": thread_ts} if thread_ts else {}
        answer = self._call(
            self._client.chat_postMessage,
            channel=channel_id,
            text=message.text,
            blocks=message.blocks,
            metadata=metadata,
            unfurl_links=False,
            unfurl_media=False,
            **extra,
        )
        return str(answer["ts"])

    def update(self, channel_id: str, ts: str, message: OutgoingMessage) -> None:
        self._call(self._client.chat_update, channel=channel_id, ts=ts, text=message.text, blocks=message.blocks)

    def history(self, channel_id: str, oldest: datetime) -> list[PostedMessage]:
        found = []
        for raw in self._pages("conversations_history", channel=channel_id, oldest=f"{oldest.timestamp():.6f}"):
            posted = read_metadata(str(raw.get("ts", "")), raw.get("metadata"))
            if posted is not None:
                found.append(posted)
        return found

    def replies(self, channel_id: str, thread_ts: str) -> list[PostedMessage]:
        found = []
        for raw in self._pages("conversations_replies", channel=channel_id, ts=thread_ts):
            ts = str(raw.get("ts", ""))
            if ts == thread_ts:
                continue
            posted = read_metadata(ts, raw.get("metadata"), thread_ts=thread_ts)
            if posted is not None:
                found.append(posted)
        return found

    def join(self, channel_id: str) -> None:
        try:
            self._call(self._client.conversations_join, channel=channel_id)
        except (ChannelRefused, PostRejected) as refused:
            raise JoinRefused(refused.error, self._where(channel_id)) from None

    def _where(self, channel_id: str) -> str:
        """``#name`` for the channel, or its id when Slack will not say (a person can find either)."""
        try:
            name = (self._client.conversations_info(channel=channel_id).get("channel") or {}).get("name")
        except (SlackApiError, OSError):
            name = None
        return f"#{name}" if isinstance(name, str) and name else f"channel {channel_id}"

    def tell(self, user_id: str, message: OutgoingMessage) -> None:
        opened = self._call(self._client.conversations_open, users=user_id)
        channel = str((opened.get("channel") or {}).get("id", ""))
        self._call(self._client.chat_postMessage, channel=channel, text=message.text, blocks=message.blocks)

    def _pages(self, method: str, **params: Any) -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            answer = self._call(
                getattr(self._client, method), include_all_metadata=True, limit=HISTORY_PAGE, cursor=cursor, **params
            )
            yield from answer.get("messages") or ()
            cursor = ((answer.get("response_metadata") or {}).get("next_cursor")) or None
            if not cursor:
                return

    @staticmethod
    def _call(method: Any, **params: Any) -> Any:
        try:
            return method(**params)
        except SlackApiError as exc:
            raise _problem(exc) from None
        except OSError as exc:  # timeouts, resets, refused connections: the post may have landed
            raise InDoubt(f"no answer from Slack ({type(exc).__name__})") from None


def _problem(exc: SlackApiError) -> DeliveryProblem:
    status = slack_status(exc)
    error = slack_error_code(exc)
    if status == 429 or error == "ratelimited":
        return RateLimited(_retry_after(exc.response.headers if exc.response is not None else {}))
    if status >= 500:
        return InDoubt(f"Slack answered HTTP {status}")
    if error in REFUSALS:
        return ChannelRefused(error)
    return PostRejected(error)


def _retry_after(headers: Any) -> float:
    for key, value in dict(headers or {}).items():
        if str(key).lower() == "retry-after":
            first = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(0.0, float(first))
            except (TypeError, ValueError):
                break
    return 1.0


class BlockKitAlerts:
    """Implements ``auditbot.services.delivery.AlertRenderer`` with the Block Kit renderers.

    ``titles`` names subscriptions as people know them (``services.subscriptions.SubscriptionTitles``);
    without it they are shown by id."""

    def __init__(self, titles: Titles | None = None) -> None:
        self._titles = titles

    def _named(self, subscription_ids: Sequence[str]) -> Mapping[str, str] | None:
        return self._titles(subscription_ids) if self._titles is not None and subscription_ids else None

    def alert(self, item: AlertItem) -> Message:
        return render_alert(item, titles=self._named(item.subscription_ids))

    def burst_summary(self, items: Sequence[AlertItem], *, total: int, batch: str) -> Message:
        subs = list(dict.fromkeys(s for item in items for s in item.subscription_ids))
        return render_burst_summary(items, total=total, batch=batch, titles=self._named(subs))

    def burst_part(self, items: Sequence[AlertItem]) -> Message:
        return render_burst_part(items)

    def snooze_ended(self, action_name: str, actor_label: str, subscription_id: str) -> Message:
        title = (self._named([subscription_id]) or {}).get(subscription_id)
        return render_snooze_ended(action_name, actor_label, subscription_id, title=title)

    def delivery_paused(
        self, subscription_id: str, channel_id: str, query: str, error: str, *, join_error: str | None = None
    ) -> Message:
        title = (self._named([subscription_id]) or {}).get(subscription_id)
        return render_delivery_paused(subscription_id, channel_id, query, error, join_error=join_error, title=title)


def delivery_client(token: str, *, base_url: str | None = None, timeout: int = 15) -> WebClient:
    """A Web API client for delivery: no automatic retries (delivery decides), a shorter timeout."""
    client = WebClient(token=token, base_url=base_url or WebClient.BASE_URL, timeout=timeout)
    client.retry_handlers = []
    return client
