"""The Slack message metadata every delivered message carries: which batch and events it holds, read
back by reconciliation to know what Slack already has."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditbot.services.delivery.ports import AlertItem, PostedMessage

ALERT_EVENT_TYPE = "auditbot_alert"
"""The Slack message-metadata ``event_type`` of every alert message delivery posts."""
NOTICE_EVENT_TYPE = "auditbot_notice"
"""The metadata ``event_type`` of delivery's other messages (a snooze's end)."""


def alert_metadata(batch: str, items: Sequence[AlertItem], *, summary: bool = False) -> dict[str, Any]:
    """Slack message metadata naming the post's batch and events (flat values, as Slack requires)."""
    return {
        "event_type": ALERT_EVENT_TYPE,
        "event_payload": {
            "batch": batch,
            "event_ids": ",".join(item.event.id for item in items),
            "summary": summary,
        },
    }


def read_metadata(ts: str, metadata: Any, *, thread_ts: str | None = None) -> PostedMessage | None:
    """Our ``PostedMessage`` from a message's metadata, or ``None`` when it is not one of our alerts."""
    if not isinstance(metadata, dict) or metadata.get("event_type") != ALERT_EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("batch"), str):
        return None
    ids = payload.get("event_ids")
    event_ids = tuple(i for i in ids.split(",") if i) if isinstance(ids, str) else ()
    return PostedMessage(ts, payload["batch"], event_ids, payload.get("summary") is True, thread_ts)
