"""``Listeners``: how listeners are registered so that every request is acked on the thread it arrived on.

Bolt's default runs a whole listener in its worker pool and makes the request thread wait for the
listener's ``ack()``; under load, acks queue behind other people's searches and miss Slack's 3 s.
Here the app runs with ``process_before_response=True`` and each listener is split: a tiny ack
function answers Slack at once on the request thread, and the listener itself runs as a Bolt *lazy*
function in the worker pool (its own ``ack()`` call is then a no-op). Options loads stay whole,
since their answer is the ack; a view submission acks through ``view_submission`` with its own
validating ack function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

Listener = Callable[..., None]


def ack_now(ack: Ack) -> None:
    """Answer Slack at once; the work follows in the listener pool."""
    ack()


class Listeners:
    def __init__(self, app: App) -> None:
        self.app = app

    def command(self, command: str) -> Callable[[Listener], Listener]:
        return self._lazy(self.app.command(command))

    def action(self, constraints: Any) -> Callable[[Listener], Listener]:
        return self._lazy(self.app.action(constraints))

    def shortcut(self, constraints: Any) -> Callable[[Listener], Listener]:
        return self._lazy(self.app.shortcut(constraints))

    def event(self, event: Any) -> Callable[[Listener], Listener]:
        return self._lazy(self.app.event(event))

    def options(self, constraints: Any) -> Callable[[Listener], Listener]:
        """Options loads answer in their ack, so they run whole on the request thread (they are cheap)."""
        register = self.app.options(constraints)

        def decorator(function: Listener) -> Listener:
            register(function)
            return function

        return decorator

    def view_submission(self, callback_id: str, *, ack: Listener, work: Listener) -> None:
        """A view submission: ``ack`` validates (and may answer with errors), ``work`` does the rest."""
        self.app.view(callback_id)(ack=ack, lazy=[work])

    @staticmethod
    def _lazy(register: Callable[..., Any]) -> Callable[[Listener], Listener]:
        def decorator(function: Listener) -> Listener:
            register(ack=ack_now, lazy=[function])
            return function

        return decorator
