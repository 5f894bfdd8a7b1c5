"""Slack's answer to a failed Web API call, read in one place.

``slack_error_code`` is the error code Slack sent (``not_in_channel``, ``ratelimited``…), or
``unknown_error`` when the answer had none (a proxy's page, a connection closed early): callers
compare it with codes or show it in a message, and never dig into the response themselves.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

UNKNOWN_ERROR = "unknown_error"
"""The code given for an answer that carried none."""


def slack_error_code(exc: SlackApiError) -> str:
    """The error code of Slack's answer to a failed call (``UNKNOWN_ERROR`` when it has none)."""
    response = exc.response
    if response is None:
        return UNKNOWN_ERROR
    try:
        code = response.get("error")
    except (AttributeError, TypeError, ValueError):
        return UNKNOWN_ERROR
    return str(code) if isinstance(code, str) and code else UNKNOWN_ERROR


def slack_status(exc: SlackApiError) -> int:
    """The HTTP status of Slack's answer (200 when unknown: Slack reports most errors with 200)."""
    status = getattr(exc.response, "status_code", None)
    return status if isinstance(status, int) and status else 200
