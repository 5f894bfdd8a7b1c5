"""What the person at the page does, turned into what Slack would send the app, and the app's answer applied.

``Session`` holds who is at the page (Jane by default, switchable); its ``Actor`` for a person
has one method per gesture: typing a command or a message, clicking an element, running a
shortcut, opening the app's Home tab, loading options, submitting or closing a modal. Each
checks that the person can see what they act on, builds the payload (``payloads``), sends it
signed (``delivery``) and returns JSON for the page. Problems raise ``UiError`` (the person's
mistake or a stale page) or ``AppError`` (the app's side).
"""

from __future__ import annotations

import threading
from typing import Any

from auditbot.playground import seed
from auditbot.playground.model import Channel, JsonDict, SlackError, View, WorkspaceMessage
from auditbot.playground.web import payloads
from auditbot.playground.web.blockids import find_element
from auditbot.playground.web.choices import ChoiceError, action_json, state_values
from auditbot.playground.web.commandanswers import apply_command_answer
from auditbot.playground.web.composer import as_sent
from auditbot.playground.web.delivery import AppAnswer, AppError, AppLink
from auditbot.playground.web.profile import AppProfile
from auditbot.playground.web.viewanswers import apply_submission_answer
from auditbot.playground.workspace import Workspace

MAX_TEXT = 40_000


class UiError(Exception):
    """A request the page should not have made: ``status`` 400, 403 or 404 and a message to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def answered(answer: AppAnswer, **extra: Any) -> JsonDict:
    result: JsonDict = {"ok": True, **extra}
    if answer.late:
        result["warning"] = f"The app took {answer.seconds:.1f} s to answer; Slack gives up after 3 s."
    return result


class Session:
    """Who is at the page by default (Jane unless switched); ``actor`` acts as one person."""

    def __init__(self, workspace: Workspace, link: AppLink, profile: AppProfile, *, user: str = seed.JANE) -> None:
        self.workspace = workspace
        self.link = link
        self.profile = profile
        self._lock = threading.Lock()
        self._user = self._person(user)

    @property
    def user(self) -> str:
        with self._lock:
            return self._user

    def switch_user(self, user: str) -> JsonDict:
        person = self._person(user)
        with self._lock:
            self._user = person
        return {"ok": True, "user": person}

    def actor(self, user: str | None = None) -> Actor:
        """Gestures as ``user`` (a tab acting as someone else), else as the person at the page by default."""
        return Actor(self.workspace, self.link, self.profile, self._person(user) if user else self.user)

    def _person(self, user: str) -> str:
        try:
            person = self.workspace.user(user)
        except SlackError:
            raise UiError(404, f"There is no person {user!r} in this workspace.") from None
        if person.is_bot:
            raise UiError(400, "The page acts as a person, not as a bot.")
        return person.id


class Actor:
    """One person's gestures at the page."""

    def __init__(self, workspace: Workspace, link: AppLink, profile: AppProfile, user: str) -> None:
        self.workspace = workspace
        self.link = link
        self.profile = profile
        self.user = user

    def dm(self) -> Channel:
        """The person's direct messages with the app (opened the first time it is needed)."""
        return self.workspace.directory.dm_with(self.user)

    # typing

    def command(self, channel_ref: str, text: str) -> JsonDict:
        channel = self._channel(channel_ref)
        line = text.strip()
        name, _, rest = line.partition(" ") if line.startswith("/") else (self.profile.command, "", line)
        if name != self.profile.command:
            raise UiError(400, f"{name} is not a valid command. Try {self.profile.command}.")
        typed = rest.strip()[:MAX_TEXT]
        sent = as_sent(self.workspace, self.user, typed, link_names=self.profile.should_escape)
        request = payloads.slash_command(self.workspace, user=self.user, channel=channel, command=name, text=sent)
        answer = self.link.send(request)
        shown = apply_command_answer(self.workspace, channel, self.user, f"{name} {sent}".strip(), answer)
        return answered(answer, **shown)

    def message(self, channel_ref: str, text: str) -> JsonDict:
        """A normal message, escaped and with channels and people linked, as Slack's client sends it."""
        channel = self._channel(channel_ref)
        if not text.strip():
            raise UiError(400, "The message is empty.")
        escaped = as_sent(self.workspace, self.user, text[:MAX_TEXT], link_names=True)
        try:
            posted = self.workspace.post_as_user(channel.id, self.user, escaped)
        except SlackError as exc:
            raise UiError(403, f"You cannot post in #{channel.name}: {exc.error}.") from None
        return {"ok": True, "ts": posted.ts}

    # clicking

    def action(self, body: JsonDict) -> JsonDict:
        block_id, action_id = _text(body, "block_id"), _text(body, "action_id")
        view_id = _text(body, "view_id", required=False)
        if view_id:
            view = self._view(view_id, open_modal=False)
            if isinstance(body.get("values"), dict):
                view = self._set_state(view, body["values"])
            element = self._element(view.view.get("blocks"), block_id, action_id)
            action = self._action(element, block_id, body)
            request = payloads.block_actions_in_view(self.workspace, user=self.user, view=view, action=action)
            return answered(self.link.send(request))
        channel, message = self._message(_text(body, "channel"), _text(body, "message_ts"))
        element = self._element(list(message.blocks), block_id, action_id)
        action = self._action(element, block_id, body)
        request = payloads.block_actions_in_message(
            self.workspace, user=self.user, channel=channel, message=message, action=action
        )
        return answered(self.link.send(request))

    def message_shortcut(self, channel_ref: str, message_ts: str, callback_id: str | None = None) -> JsonDict:
        shortcut = self.profile.shortcut("message", callback_id)
        if shortcut is None:
            raise UiError(404, "The app has no such message shortcut.")
        channel, message = self._message(channel_ref, message_ts)
        if message.is_ephemeral:
            raise UiError(400, "Shortcuts are not available on messages only you can see.")
        request = payloads.message_action(
            self.workspace, user=self.user, channel=channel, message=message, callback_id=shortcut.callback_id
        )
        return answered(self.link.send(request))

    def global_shortcut(self, callback_id: str | None = None) -> JsonDict:
        shortcut = self.profile.shortcut("global", callback_id)
        if shortcut is None:
            raise UiError(404, "The app has no such shortcut.")
        request = payloads.global_shortcut(self.workspace, user=self.user, callback_id=shortcut.callback_id)
        return answered(self.link.send(request))

    def home_opened(self, tab: str) -> JsonDict:
        if tab not in ("home", "messages"):
            raise UiError(400, "The app's tabs are home and messages.")
        request = payloads.app_home_opened(
            self.workspace, user=self.user, channel=self.dm().id, tab=tab, event_id=self.workspace.ids.new("Ev")
        )
        return answered(self.link.send(request))

    # modals

    def options(self, body: JsonDict) -> JsonDict:
        block_id, action_id = _text(body, "block_id"), _text(body, "action_id")
        typed = str(body.get("value") or "")[:MAX_TEXT]
        view_id = _text(body, "view_id", required=False)
        if view_id:
            view = self._view(view_id, open_modal=False)
            self._element(view.view.get("blocks"), block_id, action_id)
            request = payloads.block_suggestion(
                self.workspace, user=self.user, action_id=action_id, block_id=block_id, value=typed, view=view
            )
        else:
            channel, message = self._message(_text(body, "channel"), _text(body, "message_ts"))
            self._element(list(message.blocks), block_id, action_id)
            request = payloads.block_suggestion(
                self.workspace,
                user=self.user,
                action_id=action_id,
                block_id=block_id,
                value=typed,
                channel=channel,
                message=message,
            )
        answer = self.link.send(request)
        found = answer.json()
        options = found if isinstance(found, dict) else {}
        shown = {key: options[key] for key in ("options", "option_groups") if isinstance(options.get(key), list)}
        return answered(answer, **(shown or {"options": []}))

    def view_submit(self, view_id: str, values: Any) -> JsonDict:
        view = self._set_state(self._view(view_id, open_modal=True), values)
        answer = self.link.send(payloads.view_submission(self.workspace, user=self.user, view=view))
        return answered(answer, **apply_submission_answer(self.workspace, view, answer.json()))

    def view_close(self, view_id: str, *, everything: bool = False) -> JsonDict:
        view = self._view(view_id, open_modal=True)
        stack = self.workspace.views.stack(self.user)
        closing = stack[0] if everything and stack else view
        notify = [v for v in stack[stack.index(closing) :] if v.view.get("notify_on_close")] if closing in stack else []
        self.workspace.views.close(closing.id)
        for closed in notify:
            request = payloads.view_closed(self.workspace, user=self.user, view=closed, cleared=everything)
            self.link.send(request)
        return {"ok": True}

    # lookups, as the person may see things

    def _channel(self, ref: str) -> Channel:
        try:
            return self.workspace.directory.visible_channel(ref, self.user)
        except SlackError:
            raise UiError(404, f"There is no channel {ref!r} you can see.") from None

    def _message(self, channel_ref: str, ts: str) -> tuple[Channel, WorkspaceMessage]:
        channel = self._channel(channel_ref)
        try:
            message = self.workspace.conversations.get(channel.id, ts)
        except SlackError:
            raise UiError(404, "That message is gone.") from None
        if message.is_ephemeral and message.ephemeral_for != self.user:
            raise UiError(404, "That message is gone.")
        return channel, message

    def _view(self, view_id: str, *, open_modal: bool) -> View:
        try:
            view = self.workspace.views.get(view_id)
        except SlackError:
            raise UiError(404, "That view is gone.") from None
        if view.user != self.user or view.closed or (open_modal and view.type != "modal"):
            raise UiError(404, "That view is gone.")
        return view

    def _set_state(self, view: View, values: Any) -> View:
        try:
            state = state_values(view.view.get("blocks"), values)
        except ChoiceError as exc:
            raise UiError(400, str(exc)) from None
        return self.workspace.views.set_state(view.id, state)

    @staticmethod
    def _element(blocks: Any, block_id: str, action_id: str) -> JsonDict:
        element = find_element(blocks, block_id, action_id)
        if element is None:
            raise UiError(404, "That button or menu is no longer there.")
        return element

    def _action(self, element: JsonDict, block_id: str, body: JsonDict) -> JsonDict:
        now = f"{self.workspace.clock.now().timestamp():.6f}"
        try:
            return action_json(element, block_id, body, now)
        except ChoiceError as exc:
            raise UiError(400, str(exc)) from None


def _text(body: JsonDict, key: str, *, required: bool = True) -> str:
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise UiError(400, f"{key} is required.")
        return ""
    if not isinstance(value, str):
        raise UiError(400, f"{key} must be text.")
    return value


__all__ = ["Actor", "AppError", "Session", "UiError"]
