"""The Resolve modal of an alert: the reason (one of ``core.triage.Reason``) and an optional comment.

The modal's private metadata says which alert it resolves: the channel, the alert's root message and
the value its buttons carry (``<event id>|<subscription ids>``). Slack hands it back unchanged on
submission, and the submission is still checked against that message (``listeners.triage``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import InputBlock, Option, PlainTextInputElement, StaticSelectElement
from slack_sdk.models.views import View

from auditbot.core.errors import AuditbotError
from auditbot.core.triage import MAX_COMMENT, Reason
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.limits import JsonDict, check_view
from auditbot.slack.render.safe import units

PRIVATE_METADATA = 3000
"""Slack's limit on a view's private_metadata, in characters."""


@dataclass(frozen=True, slots=True)
class ResolveTarget:
    """The alert a Resolve modal resolves: where its root message is, and its buttons' value."""

    channel_id: str
    message_ts: str
    value: str
    """One event's buttons' value; for a burst, its batch key."""
    burst: bool = False

    def dump(self) -> str:
        fields = {"c": self.channel_id, "m": self.message_ts, "v": self.value, "b": self.burst}
        return json.dumps(fields, separators=(",", ":"))

    @classmethod
    def load(cls, text: str) -> ResolveTarget:
        try:
            data: Any = json.loads(text)
            found = cls(str(data["c"]), str(data["m"]), str(data["v"]), data.get("b") is True)
        except (ValueError, TypeError, KeyError):
            raise AuditbotError(
                "That Resolve form could not be read.", hint="Click Resolve on the alert again."
            ) from None
        if not (found.channel_id and found.message_ts and found.value):
            raise AuditbotError("That Resolve form could not be read.", hint="Click Resolve on the alert again.")
        return found


def _unreadable() -> AuditbotError:
    return AuditbotError("That Resolve form could not be read.", hint="Click Resolve on the alert again.")


def render_resolve_modal(target: ResolveTarget) -> JsonDict:
    """The RESOLVE_FORM modal for ``target``."""
    metadata = target.dump()
    if units(metadata) > PRIVATE_METADATA:
        raise AuditbotError("This alert names too much to be resolved from a form.", hint="Nothing was changed.")
    reasons = [Option(text=kit.plain_text(reason.label), value=reason.value) for reason in Reason]
    view = View(
        type="modal",
        callback_id=ids.RESOLVE_FORM,
        private_metadata=metadata,
        title=kit.plain_text("Resolve the alerts" if target.burst else "Resolve the alert"),
        submit=kit.plain_text("Resolve"),
        close=kit.plain_text("Cancel"),
        blocks=[
            InputBlock(
                block_id=ids.RESOLVE_REASON,
                label=kit.plain_text("Reason"),
                element=StaticSelectElement(
                    action_id=ids.RESOLVE_REASON, placeholder=kit.plain_text("Why it is resolved"), options=reasons
                ),
            ),
            InputBlock(
                block_id=ids.RESOLVE_COMMENT,
                label=kit.plain_text("Comment"),
                element=PlainTextInputElement(
                    action_id=ids.RESOLVE_COMMENT,
                    multiline=True,
                    max_length=MAX_COMMENT,
                    placeholder=kit.plain_text("What you found (shown on the alert)"),
                ),
                optional=True,
            ),
        ],
    ).to_dict()
    check_view(view)
    return view


def read_resolve_values(values: dict[str, dict[str, dict[str, Any]]]) -> tuple[Reason, str | None]:
    """(reason, comment) from a RESOLVE_FORM submission's state."""
    reason_state = values.get(ids.RESOLVE_REASON, {}).get(ids.RESOLVE_REASON, {})
    chosen = reason_state.get("selected_option") or {}
    raw = chosen.get("value") if isinstance(chosen, dict) else None
    try:
        reason = Reason(str(raw))
    except ValueError:
        raise AuditbotError("Choose a reason to resolve the alert.", hint="Nothing was changed.") from None
    comment = values.get(ids.RESOLVE_COMMENT, {}).get(ids.RESOLVE_COMMENT, {}).get("value")
    return reason, str(comment) if comment else None
