"""App Home: published when a person opens it (``app_home.home_view`` says what it shows)."""

from __future__ import annotations

from slack_bolt import BoltContext
from slack_sdk import WebClient

from auditbot.slack.app_home import publish_home
from auditbot.slack.deps import SlackDeps
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.payloads import HomeOpened, payload_of


def register(app: Listeners, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    def home_opened(context: BoltContext, client: WebClient) -> None:
        opened = payload_of(context, HomeOpened)
        if opened.tab != "home":
            return
        publish_home(deps, client, opened.who.user_id, opened.who.team_id)
