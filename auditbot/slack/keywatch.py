"""Telling auditbot's admins, in a direct message, when the Atlassian API key stops (or starts) working."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.services.keyhealth import KeyStatus
from auditbot.slack.errors import slack_error_code

logger = logging.getLogger(__name__)
_PERSON = re.compile(r"^[UW][A-Z0-9]{2,}$")


def admin_notifier(client: WebClient, admins: Iterable[str]) -> Callable[[KeyStatus], None]:
    people = [a for a in admins if _PERSON.match(a)]

    def notify(status: KeyStatus) -> None:
        if status.ok and status.expiring_soon and status.expires:
            text = (
                f"auditbot's Atlassian API key expires on {status.expires:%Y-%m-%d}. An org admin can create "
                "a new one at admin.atlassian.com under Settings, API keys, and set it as ATLASSIAN_API_KEY "
                "(and AUDITBOT_API_KEY_EXPIRES)."
            )
        elif status.ok:
            text = "The Atlassian API key works again: auditbot can read the audit log."
        else:
            text = (
                "The Atlassian Admin API rejected auditbot's API key, so searches and alerts have stopped. "
                "An org admin can create a new key at admin.atlassian.com under Settings, API keys, "
                "and set it as ATLASSIAN_API_KEY."
            )
        for person in people:
            try:
                client.chat_postMessage(channel=person, text=text)
            except SlackApiError as exc:
                logger.warning("could not tell admin %s about the API key: %s", person, slack_error_code(exc))

    return notify
