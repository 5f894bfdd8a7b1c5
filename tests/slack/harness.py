"""The real Bolt app as ``build_runtime`` wires it, driven by signed requests, over the sandbox and Slack stand-ins.

Requests are signed with the app's signing secret and dispatched straight into ``App.dispatch``;
the app's Web API client and every response_url point at the loopback Slack stand-in. Listener
work runs inline, so a request's effects are all visible when ``dispatch`` returns.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import SecretStr
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from auditbot.config import load_settings
from auditbot.core.access import AccessPolicy
from auditbot.core.clock import SystemClock
from auditbot.core.model import AuditEvent
from auditbot.playground import Workspace, seed, start_slack_api
from auditbot.playground.model import WorkspaceMessage
from auditbot.runtime import OrgConnection, build_runtime
from auditbot.sandbox import GeneratedOrg
from auditbot.services.delivery import ALERT_EVENT_TYPE, AlertItem
from auditbot.services.subscriptions import Subscription, SubscriptionTitles
from auditbot.slack import ids
from auditbot.slack.app import build_app
from auditbot.slack.deps import SlackDeps
from auditbot.slack.render.alerts import render_alert, render_burst_part, render_burst_summary
from auditbot.slack.request_gate import RequestGate
from auditbot.store.db import Database, default_url
from auditbot.store.outbox import Channel
from tests.services.world import World

SIGNING_SECRET = "test-signing-secret-0123456789"
T = TypeVar("T")


class InlineExecutor(Executor):
    """Runs each submitted call at once, so dispatch returns after the listener has finished."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


Headers = dict[str, str | Sequence[str]]


def signed(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> Headers:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {
        "content-type": ["application/x-www-form-urlencoded"],
        "x-slack-request-timestamp": [stamp],
        "x-slack-signature": [signature],
    }


def signed_gate() -> RequestGate:
    """The gate in front of the app over HTTP, with the test signing secret; ``signed`` stamps
    requests with the real time, so the gate reads the real clock."""
    return RequestGate(SIGNING_SECRET, clock=SystemClock())


OPEN = AccessPolicy(open=True)


class SlackWorld:
    """The app as ``build_runtime`` builds it, over the world's sandbox client, a SQLite store and
    the Slack stand-in. ``access`` is the policy the listeners check against (default: open);
    ``with_deps`` rebuilds the app over other parts (``SlackDeps`` is frozen)."""

    def __init__(
        self,
        org: GeneratedOrg,
        *,
        per_minute: int | None = None,
        middleware: Sequence[Callable[..., Any]] = (),
        security_channel: str | None = None,
        scopes: Sequence[str] | None = None,
        access: AccessPolicy | None = OPEN,
    ) -> None:
        self.search_world = World(org, per_minute=per_minute, page_size=10)
        self.clock = self.search_world.clock
        self.workspace = Workspace(self.clock) if scopes is None else Workspace(self.clock, scopes=scopes)
        self.slack = start_slack_api(self.workspace)
        w = self.search_world
        self.data_dir = Path(tempfile.mkdtemp(prefix="auditbot-test-"))
        self.store = Database(default_url(self.data_dir))
        self.store.migrate()
        settings = load_settings({}).model_copy(
            update={
                "data_dir": self.data_dir,
                "security_channel": security_channel,
                "slack_bot_token": SecretStr("xoxb-test"),
                "slack_api_url": self.slack.api_url,
                "ingest": False,  # no ingest here: tests fill the mirror and the outbox themselves
            }
        )
        self.alerts_changed = 0
        """How many times the app said subscriptions or snoozes changed."""
        self.runtime = build_runtime(
            settings,
            self.clock,
            store=self.store,
            connection=OrgConnection(w.client, w.sandbox.org_id, sandbox_url="http://sandbox.test/admin"),
            alerts_changed=self._alerts_changed,
        )
        w.client.auth_observer = self.runtime.key_health.observe  # the world built its client itself
        self.client = self.runtime.slack
        self.key_health = self.runtime.key_health
        stored = self.runtime.repositories
        assert stored is not None
        self.subscriptions = stored.subscriptions
        self.snoozes = stored.snoozes
        self.outbox = stored.outbox
        self.schedules = stored.schedules
        self.deps = replace(self.runtime.deps, access=access)
        assert self.deps.trail is not None
        self.trail = self.deps.trail
        self._middleware = middleware
        self.app: App = self._build()

    def with_deps(self, **changes: Any) -> SlackDeps:
        """The app rebuilt over ``deps`` with these fields changed (the same middleware in front)."""
        self.deps = replace(self.deps, **changes)
        self.app = self._build()
        return self.deps

    def _build(self) -> App:
        return build_app(
            self.deps,
            client=self.client,
            signing_secret=SIGNING_SECRET,
            executor=InlineExecutor(),
            middleware=self._middleware,
        )

    def _alerts_changed(self) -> None:
        self.alerts_changed += 1

    def close(self) -> None:
        self.runtime.close()
        self.slack.close()
        self.store.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- requests -------------------------------------------------------------------------

    def dispatch(self, body: str, headers: Headers | None = None) -> BoltResponse:
        return self.app.dispatch(BoltRequest(body=body, headers=signed(body) if headers is None else headers))

    def command(self, text: str, *, user: str = seed.JANE, channel: str = seed.SEC_ALERTS) -> BoltResponse:
        body = urlencode(
            {
                "command": ids.COMMAND,
                "text": text,
                "user_id": user,
                "user_name": user.lower(),
                "channel_id": channel,
                "team_id": seed.TEAM.id,
                "response_url": self.workspace.new_response_url(channel, user),
                "trigger_id": self.workspace.new_trigger_id(user),
            }
        )
        return self.dispatch(body)

    def interaction(self, payload: dict[str, Any]) -> BoltResponse:
        return self.dispatch(urlencode({"payload": json.dumps(payload)}))

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = seed.JANE,
        channel: str = seed.SEC_ALERTS,
        message_ts: str | None = None,
        container: str = "message",
    ) -> BoltResponse:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": seed.TEAM.id},
            "user": {"id": user, "team_id": seed.TEAM.id},
            "api_app_id": seed.APP_ID,
            "trigger_id": self.workspace.new_trigger_id(user),
            "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value}],
        }
        if container == "message":
            payload["channel"] = {"id": channel}
            payload["container"] = {"type": "message", "channel_id": channel, "is_ephemeral": True}
            payload["response_url"] = self.workspace.new_response_url(channel, user, replaced_message_ts=message_ts)
        else:
            payload["container"] = {"type": "view", "view_id": "V0HOME"}
            payload["view"] = {"id": "V0HOME", "type": "home"}
        return self.interaction(payload)

    def message_shortcut(self, text: str, *, user: str = seed.JANE, channel: str = seed.SEC_ALERTS) -> BoltResponse:
        return self.interaction(
            {
                "type": "message_action",
                "callback_id": ids.INVESTIGATE_MESSAGE,
                "team": {"id": seed.TEAM.id},
                "user": {"id": user},
                "channel": {"id": channel},
                "message": {"type": "message", "text": text, "user": seed.RAVI, "ts": "1700000000.000100"},
                "response_url": self.workspace.new_response_url(channel, user),
                "trigger_id": self.workspace.new_trigger_id(user),
            }
        )

    def global_shortcut(self, *, user: str = seed.JANE) -> BoltResponse:
        return self.interaction(
            {
                "type": "shortcut",
                "callback_id": ids.SEARCH_SHORTCUT,
                "team": {"id": seed.TEAM.id},
                "user": {"id": user},
                "trigger_id": self.workspace.new_trigger_id(user),
            }
        )

    def submit_form(self, values: dict[str, Any], *, user: str = seed.JANE) -> BoltResponse:
        return self.interaction(
            {
                "type": "view_submission",
                "team": {"id": seed.TEAM.id},
                "user": {"id": user},
                "view": {"id": "V0FORM", "type": "modal", "callback_id": ids.SEARCH_FORM, "state": {"values": values}},
            }
        )

    def options(self, typed: str, *, user: str = seed.JANE) -> BoltResponse:
        return self.interaction(
            {
                "type": "block_suggestion",
                "action_id": ids.FORM_ACTIONS,
                "block_id": ids.FORM_ACTIONS,
                "value": typed,
                "team": {"id": seed.TEAM.id},
                "user": {"id": user},
                "view": {"id": "V0FORM", "type": "modal", "callback_id": ids.SEARCH_FORM},
            }
        )

    def home_opened(self, *, user: str = seed.JANE) -> BoltResponse:
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": seed.TEAM.id,
                "api_app_id": seed.APP_ID,
                "event": {"type": "app_home_opened", "user": user, "channel": seed.JANE_DM, "tab": "home"},
                "event_id": f"Ev{time.monotonic_ns()}",
                "event_time": 1,
            }
        )
        headers = signed(body)
        headers["content-type"] = ["application/json"]
        return self.dispatch(body, headers)

    def click_on(self, message: WorkspaceMessage, action_id: str, value: str, *, user: str = seed.JANE) -> BoltResponse:
        """A click on a button of a message everyone sees in a channel (an alert, a burst summary)."""
        action = {"action_id": action_id, "block_id": "b", "type": "button", "value": value}
        return self.interaction(self._on_message(message, user, action))

    def choose_on(
        self, message: WorkspaceMessage, action_id: str, value: str, *, user: str = seed.JANE
    ) -> BoltResponse:
        """A choice in a static select of a message everyone sees in a channel (Snooze, Open details…)."""
        option = {"text": {"type": "plain_text", "text": value[:75] or "x"}, "value": value}
        action = {"action_id": action_id, "block_id": "b", "type": "static_select", "selected_option": option}
        return self.interaction(self._on_message(message, user, action))

    def _on_message(self, message: WorkspaceMessage, user: str, action: dict[str, Any]) -> dict[str, Any]:
        channel = message.channel
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": channel,
            "is_ephemeral": False,
        }
        if message.thread_ts and message.thread_ts != message.ts:
            container["thread_ts"] = message.thread_ts
        return {
            "type": "block_actions",
            "team": {"id": seed.TEAM.id},
            "user": {"id": user, "team_id": seed.TEAM.id},
            "api_app_id": seed.APP_ID,
            "trigger_id": self.workspace.new_trigger_id(user),
            "channel": {"id": channel},
            "container": container,
            "message": {
                "type": "message",
                "ts": message.ts,
                "text": message.text,
                "blocks": list(message.blocks),
                "user": message.user,
                "bot_id": message.bot_id,
                **({"metadata": message.metadata} if message.metadata else {}),
            },
            "response_url": self.workspace.new_response_url(channel, user, replaced_message_ts=message.ts),
            "actions": [action],
        }

    # -- alerts, as delivery posts them ---------------------------------------------------------

    def subscribe(
        self, query: str, *, channel: str = seed.SEC_ALERTS, user: str = seed.JANE, name: str | None = None
    ) -> Subscription:
        """A subscription made directly in the store (as if someone had subscribed earlier)."""
        return self.subscriptions.create(
            team_id=seed.TEAM.id, channel_id=channel, query=query, created_by=user, name=name
        )

    def post_alert(self, event: AuditEvent, *subscriptions: Subscription) -> WorkspaceMessage:
        """One alert as delivery posts it: queued in the outbox, posted in the channel, marked sent."""
        item = AlertItem(event, self._name(event), tuple(s.id for s in subscriptions))
        rows = self._queue(subscriptions, [event], batch=f"b-{event.id}")
        metadata = {"event_type": ALERT_EVENT_TYPE, "event_payload": {"event_ids": [event.id]}}
        titles = SubscriptionTitles(self.subscriptions, self._name_of)(item.subscription_ids)
        answer = self.client.chat_postMessage(
            channel=subscriptions[0].channel_id, metadata=metadata, **render_alert(item, titles=titles).as_kwargs()
        )
        self.outbox.sent(rows, str(answer["ts"]))
        return self.workspace.conversations.get(subscriptions[0].channel_id, str(answer["ts"]))

    def post_burst(self, events: Sequence[AuditEvent], subscription: Subscription, *, batch: str) -> WorkspaceMessage:
        """A burst as delivery posts it: the summary, then one thread part; returns the summary."""
        items = [AlertItem(e, self._name(e), (subscription.id,)) for e in events]
        rows = self._queue([subscription], events, batch=batch)
        channel = subscription.channel_id
        summary = render_burst_summary(items, total=len(items), batch=batch)
        top = self.client.chat_postMessage(channel=channel, **summary.as_kwargs())
        part = self.client.chat_postMessage(
            channel=channel, thread_ts=top["ts"], **render_burst_part(items).as_kwargs()
        )
        self.outbox.sent(rows, str(part["ts"]), thread_ts=str(top["ts"]))
        return self.workspace.conversations.get(channel, str(top["ts"]))

    def _queue(self, subscriptions: Sequence[Subscription], events: Sequence[AuditEvent], *, batch: str) -> list[int]:
        with self.store.begin() as conn:
            self.outbox.add(conn, self.deps.org_id, [(s.id, e.id) for s in subscriptions for e in events])
        wanted = {e.id for e in events}
        channel = Channel(seed.TEAM.id, subscriptions[0].channel_id)
        rows = [p.id for p in self.outbox.pending(channel) if p.event_id in wanted]
        self.outbox.attempt(rows, batch)
        return rows

    def _name(self, event: AuditEvent) -> str:
        return self._name_of(event.action)

    def _name_of(self, action: str) -> str:
        return self.deps.catalog.snapshot().get(action).display_name

    # -- what happened ----------------------------------------------------------------------

    def replies(self) -> list[dict[str, Any]]:
        """Everything the app sent through response_urls, oldest first."""
        return [post.payload for post in self.workspace.posts_to_response_urls]

    def last_reply(self) -> dict[str, Any]:
        replies = self.replies()
        assert replies, "the app sent nothing through the response_url"
        return replies[-1]

    def calls(self, method: str) -> list[dict[str, Any]]:
        return self.workspace.calls_to(method)
