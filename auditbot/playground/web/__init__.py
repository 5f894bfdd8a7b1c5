"""The playground page: a local web page that stands in for the Slack client and drives the real app.

``start_playground`` serves the page, the JSON endpoints it calls and the Slack stand-in's Web
API on one loopback server. The person at the page types commands, clicks buttons, runs
shortcuts and fills in modals; the playground sends the app the signed requests Slack would
send, and the app's answers (Web API calls and response URLs) come back into the workspace,
whose event log the page follows::

    workspace = Workspace()
    with start_playground(workspace, signing_secret=secret) as playground:
        app_client = WebClient(token="xoxb-test", base_url=playground.api_url)
        ...                                    # start the app with that client
        playground.connect("http://127.0.0.1:3001/slack/events")
        print(playground.url)                  # open it in a browser
"""

from auditbot.playground.web.delivery import AppError
from auditbot.playground.web.profile import AUDITBOT, AppProfile, Shortcut
from auditbot.playground.web.website import RunningPlayground, start_playground

__all__ = ["AUDITBOT", "AppError", "AppProfile", "RunningPlayground", "Shortcut", "start_playground"]
