"""What Slack does with the app's answer to a modal submission.

An empty ack closes the submitted view (a view below it in the stack stays open). A JSON answer
may carry ``response_action``: ``errors`` keeps the modal open and shows each message under its
block; ``update`` replaces the view; ``push`` stacks a new one on top; ``clear`` closes them all.
"""

from __future__ import annotations

from typing import Any

from auditbot.playground.model import JsonDict, SlackError, View
from auditbot.playground.web.delivery import AppError
from auditbot.playground.workspace import Workspace

ACTIONS = ("errors", "update", "push", "clear")


def apply_submission_answer(ws: Workspace, view: View, answer: Any) -> JsonDict:
    """Apply the app's answer to the submitted ``view``; returns what the page needs to know."""
    action = answer.get("response_action") if isinstance(answer, dict) else None
    if action is None:
        ws.views.close(view.id)
        return {"response_action": None}
    if action not in ACTIONS:
        raise AppError(f"The app answered with an unknown response_action {str(action)[:40]!r}.")
    assert isinstance(answer, dict)
    if action == "errors":
        errors = answer.get("errors")
        if not isinstance(errors, dict) or not errors:
            raise AppError("The app answered response_action errors without any errors.")
        return {"response_action": "errors", "errors": {str(k): str(v) for k, v in errors.items()}}
    try:
        if action == "update":
            ws.views.update(answer.get("view"), view_id=view.id)
        elif action == "push":
            ws.views.push(ws.new_trigger_id(view.user), answer.get("view"))
        else:
            stack = ws.views.stack(view.user)
            ws.views.close((stack[0] if stack else view).id)
    except SlackError as exc:
        detail = "; ".join(exc.messages[:3])
        raise AppError(f"Slack refused the app's view ({exc.error}{': ' + detail if detail else ''}).") from None
    return {"response_action": action}
