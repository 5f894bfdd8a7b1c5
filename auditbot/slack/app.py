"""``build_app``: the Bolt app with every listener registered, a retrying Slack client and a bigger pool."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from auditbot.core.clock import Clock, SystemClock
from auditbot.slack.deps import SlackDeps
from auditbot.slack.listeners import (
    alert_list,
    alerts,
    botlog,
    commands,
    handoff,
    home,
    interactions,
    shortcuts,
    subscriptions,
    suggestions,
)
from auditbot.slack.listeners.registry import Listeners
from auditbot.slack.middleware.failures import failure_trail
from auditbot.slack.payloads import CONTEXT_KEY, PayloadReader
from auditbot.slack.refusals import READING_ERRORS, UNREADABLE, RefusalLog, raised_where
from auditbot.slack.retry import retry_handlers

logger = logging.getLogger(__name__)


def slack_client(token: str | None, *, base_url: str | None = None, clock: Clock | None = None) -> WebClient:
    """A Web API client that waits out 429s and retries 5xx and connection errors a few times."""
    client = WebClient(token=token, base_url=base_url or WebClient.BASE_URL)
    client.retry_handlers = retry_handlers(clock or SystemClock())
    return client


def build_app(
    deps: SlackDeps,
    *,
    client: WebClient,
    signing_secret: str | None,
    socket_mode: bool = False,
    listener_threads: int = 16,
    executor: Executor | None = None,
    verify_token: bool = True,
    middleware: Sequence[Callable[..., Any]] = (),
) -> App:
    """The app. Over HTTP every request must carry a valid signature, so a signing secret is required;
    Socket Mode requests arrive over an authenticated websocket and are not signed. ``middleware``
    (Bolt global middleware, in the order ``slack.middleware.chain`` gives: request integrity, access,
    the search limit) runs before every listener, in order, after ``PayloadReader``, which reads each
    request once into the typed value they all use; with a trail in ``deps``, the errors listeners
    show people are recorded in it (``middleware.failures.failure_trail``).
    An error that says the request had a shape the code did not expect (``READING_ERRORS``: a
    missing key, a list for an object…), raised by Bolt before ``PayloadReader`` has read the
    request, is answered 400 with one rate-limited warning line and no traceback. Once the request
    is read, every error is ours: it is logged with its traceback."""
    if not signing_secret and not socket_mode:
        raise ValueError("a signing secret is required over HTTP: requests cannot be verified without it")
    refusals = RefusalLog(deps.clock)
    app = App(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=not socket_mode,
        token_verification_enabled=verify_token,
        listener_executor=executor or ThreadPoolExecutor(max_workers=listener_threads, thread_name_prefix="listener"),
        ignoring_self_events_enabled=True,
        process_before_response=True,  # acks on the request thread; see listeners.registry
        before_authorize=PayloadReader(refusals),  # first after the signature check, before Bolt reads the body
    )

    @app.error
    def unexpected(error: Exception, request: BoltRequest) -> BoltResponse | None:
        unread = CONTEXT_KEY not in request.context
        if unread and isinstance(
            error, READING_ERRORS
        ):  # the request's shape, not a fault: 400, one line, no traceback
            refusals.refused(400, UNREADABLE, raised_where(error))
            return BoltResponse(status=400, body={"error": "malformed request"})
        logger.error("unhandled error while handling a Slack request: %s", type(error).__name__, exc_info=error)
        return None

    for guard in middleware:
        app.use(guard)
    if deps.trail is not None:
        app.use(failure_trail(deps.trail))
    listeners = Listeners(app)
    for module in (
        commands,
        interactions,
        shortcuts,
        home,
        subscriptions,
        alerts,
        handoff,
        botlog,
        alert_list,
        suggestions,
    ):
        module.register(listeners, deps)
    return app
