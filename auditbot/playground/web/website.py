"""The playground site: the page, its JSON endpoints and the Slack Web API, on one loopback server.

``start_playground(workspace, signing_secret=...)`` serves, on one ``ThreadingHTTPServer``:

- ``GET /`` and ``GET /static/<file>``: the page (``assets``);
- ``/ui/...``: the endpoints the page calls (``ui``);
- everything else: the Slack stand-in's Web API, response URLs, uploads and file downloads
  (``SlackApiHandler``), so the app's ``WebClient(base_url=playground.api_url)`` and every
  response URL lead back here.

The app's events URL may be given at start or later with ``connect`` (the demo starts the
playground first, then the app, which needs the playground's ``api_url``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from urllib.parse import unquote

from auditbot.playground import seed
from auditbot.playground.handler import HttpAnswer, SlackApiHandler
from auditbot.playground.server import RunningSlackApi, start_slack_api
from auditbot.playground.web import assets
from auditbot.playground.web.delivery import AppLink
from auditbot.playground.web.profile import AUDITBOT, AppProfile
from auditbot.playground.web.session import Session
from auditbot.playground.web.ui import SkipAhead, UiApi
from auditbot.playground.workspace import Workspace


class PlaygroundHandler(SlackApiHandler):
    """``SlackApiHandler`` with the page and its endpoints in front of it."""

    def __init__(self, workspace: Workspace, ui: UiApi) -> None:
        super().__init__(workspace)
        self.ui = ui

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> HttpAnswer:
        route, _, query = path.partition("?")
        verb = method.upper()
        if route.startswith("/ui/"):
            return self.ui.handle(verb, route.removeprefix("/ui/"), query, headers, body)
        if verb in ("GET", "HEAD") and route in ("/", "/index.html"):
            return assets.page()
        if verb in ("GET", "HEAD") and route.startswith("/static/"):
            return assets.asset(unquote(route.removeprefix("/static/")))
        if verb in ("GET", "HEAD") and route == "/favicon.ico":
            return assets.asset("favicon.svg")
        return super().handle(method, path, headers, body)


class RunningPlayground:
    """The playground, served; ``root_url`` is the page, ``api_url`` the Web API base for the app's client."""

    def __init__(self, server: RunningSlackApi, link: AppLink, session: Session, ui: UiApi) -> None:
        self._server = server
        self._link = link
        self._ui = ui
        self.session = session
        self.workspace = server.workspace
        self.host, self.port = server.host, server.port
        self.root_url = server.root_url
        self.api_url = server.api_url

    @property
    def url(self) -> str:
        """The page's address."""
        return f"{self.root_url}/"

    @property
    def app_url(self) -> str | None:
        return self._link.url

    def connect(self, app_url: str) -> None:
        """Send the app's requests to ``app_url``, its events URL (``http://host:port/slack/events``)."""
        self._link.connect(app_url)

    def close(self) -> None:
        self._ui.closing.set()
        self._server.close()
        self._link.close()

    def __enter__(self) -> RunningPlayground:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def start_playground(
    workspace: Workspace,
    *,
    signing_secret: str,
    app_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    profile: AppProfile = AUDITBOT,
    user: str = seed.JANE,
    skip: SkipAhead | None = None,
) -> RunningPlayground:
    """Serve the page for ``workspace`` on ``host:port`` (0 picks a free port), acting as ``user``.

    ``signing_secret`` is the app's: requests to it are signed with it. ``profile`` says which
    command and shortcuts the app declares. With ``skip`` the page offers to skip time ahead
    (``POST /ui/skip-ahead``), which calls it.
    """
    link = AppLink(signing_secret, app_url)
    if app_url is not None:
        link.connect(app_url)
    session = Session(workspace, link, profile, user=user)
    ui = UiApi(session, skip=skip)
    try:
        server = start_slack_api(workspace, host, port, handler=PlaygroundHandler(workspace, ui))
    except BaseException:
        link.close()
        raise
    return RunningPlayground(server, link, session, ui)
