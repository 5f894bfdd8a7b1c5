"""``SlackHandoffPoster``: a scheduled handoff digest counted and posted in its schedule's channel."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.errors import AuditbotError
from auditbot.core.timespec import TimeWindow
from auditbot.services.handoff import HandoffService
from auditbot.services.schedules import HandoffSchedule
from auditbot.slack.errors import slack_error_code
from auditbot.slack.render.handoff import render_handoff


class SlackHandoffPoster:
    """Implements ``auditbot.services.scheduler.HandoffPoster``."""

    def __init__(self, handoff: HandoffService, client: WebClient) -> None:
        self._handoff = handoff
        self._client = client

    def post_handoff(self, schedule: HandoffSchedule, *, start: datetime, end: datetime) -> str:
        query = self._handoff.parse(schedule.query)
        digest = self._handoff.handoff_window(query, TimeWindow(start, end), team_id=schedule.team_id)
        message = render_handoff(digest, scheduled=schedule.id)
        try:
            answer = self._client.chat_postMessage(channel=schedule.channel_id, **message.as_kwargs())
        except SlackApiError as exc:
            error = slack_error_code(exc)
            raise AuditbotError(
                f"Slack did not take the scheduled digest ({error}).",
                hint="Invite auditbot to the channel, or remove the schedule with /audit digest unschedule.",
            ) from None
        return str(answer["ts"])
