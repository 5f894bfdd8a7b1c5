"""The playground: a Slack stand-in for tests and, later, for the local browser page of ``auditbot demo``.

``Workspace`` holds an in-memory Slack workspace; ``start_slack_api`` serves its Web API,
response URLs and file uploads on loopback for the real ``slack_sdk`` clients::

    workspace = Workspace(ManualClock())
    with start_slack_api(workspace) as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        url = workspace.new_response_url(seed.SEC_ALERTS, seed.JANE)   # what a slash command carries
        trigger = workspace.new_trigger_id(seed.JANE)                  # good for 3 s on the clock
        ...                                                            # drive the app
        workspace.ephemerals(seed.SEC_ALERTS, seed.JANE), workspace.calls, workspace.events_since(0)
"""

from auditbot.playground.faults import ANY, FILE_UPLOAD, RESPONSE_URL
from auditbot.playground.handler import HttpAnswer, SlackApiHandler
from auditbot.playground.model import (
    ApiCall,
    Channel,
    Event,
    EventBatch,
    ResponsePost,
    SlackError,
    StoredFile,
    Team,
    User,
    View,
    WorkspaceMessage,
)
from auditbot.playground.server import RunningSlackApi, start_slack_api
from auditbot.playground.workspace import Workspace

__all__ = [
    "ANY",
    "FILE_UPLOAD",
    "RESPONSE_URL",
    "ApiCall",
    "Channel",
    "Event",
    "EventBatch",
    "HttpAnswer",
    "ResponsePost",
    "RunningSlackApi",
    "SlackApiHandler",
    "SlackError",
    "StoredFile",
    "Team",
    "User",
    "View",
    "Workspace",
    "WorkspaceMessage",
    "start_slack_api",
]
