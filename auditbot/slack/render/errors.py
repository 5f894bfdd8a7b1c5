"""Errors as Slack messages: what went wrong, where, and how to fix it; never a traceback or a secret.

Layout::

    section  :warning: *<what went wrong>*  +  the error's message
    section  the query with a ^^^ marker under the bad part (QueryError), in a code block
    section  *How to fix:* <hint>
    section  Did you mean `<the whole corrected query>`?  [Search]     (QueryError, one per suggestion)
    context  Admin API answered 401 ADMIN-401 — <detail>      (ApiError)

Each thing is said once: the caret is the only pointer (no column number), and a suggestion is a
button that runs the corrected query rather than words repeated in the message and the hint. A
corrected query too long for a button value is shown as text only.

An exception that is not an ``AuditbotError`` says only that something went wrong: its text may
hold anything, so none of it is shown.
"""

from __future__ import annotations

import re

from auditbot.core.errors import (
    ApiBadRequest,
    ApiError,
    ApiForbidden,
    ApiMalformedResponse,
    ApiNotFound,
    ApiRateLimited,
    ApiServerError,
    ApiUnauthorized,
    ApiUnavailable,
    AuditbotError,
    ConfigError,
)
from auditbot.core.paging import PageStateError
from auditbot.core.querysyntax import QueryError
from auditbot.logs import redact
from auditbot.services.search import SearchBusy
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.limits import MESSAGE_BLOCKS, MESSAGE_TEXT_BUDGET, JsonDict, check_blocks
from auditbot.slack.render.safe import clean, code_block, inline_code, md
from auditbot.slack.render.views import Message

CARET_WINDOW = 80
"""Characters of a long query shown around the bad part."""
MAX_SUGGESTIONS = 3
SUGGESTION_TEXT = 1000
"""Units of a corrected query shown in a suggestion's text (its button carries the whole query)."""
_KEY_HINT = (
    "An organization admin should create a new API key in Atlassian Administration "
    "(Settings → API keys) and update auditbot's settings with it."
)
_KINDS: tuple[tuple[type[BaseException], str, str | None], ...] = (
    (QueryError, "That query could not be read", None),
    (SearchBusy, "auditbot is busy", None),
    (PageStateError, "That button can no longer be used", "Run the search again."),
    (ApiUnauthorized, "The Admin API rejected auditbot's API key", _KEY_HINT),
    (
        ApiForbidden,
        "auditbot's API key may not read this organization's audit log",
        "Check that the key was made for this organization, and that the organization has the audit log.",
    ),
    (ApiNotFound, "The Admin API found no such thing", "Check the event id, or the org id in auditbot's settings."),
    (ApiRateLimited, "The Admin API's rate limit was reached", None),
    (ApiBadRequest, "The Admin API refused the request", "Check the query's values, or narrow the window."),
    (ApiServerError, "The Admin API had a problem", "Try again in a minute."),
    (ApiUnavailable, "The Admin API could not be reached", "Try again in a minute."),
    (ApiMalformedResponse, "The Admin API sent an answer auditbot could not read", "Try again in a minute."),
    (ApiError, "The Admin API could not answer", "Try again in a minute."),
    (ConfigError, "auditbot is not configured correctly", None),
    (AuditbotError, "That did not work", None),
)
_GENERIC = "Something went wrong inside auditbot"
_GENERIC_HINT = "Try again; if it keeps happening, tell whoever runs auditbot."


def render_error(error: BaseException) -> Message:
    """The message a person sees for ``error``."""
    title, default_hint = _kind(error)
    if not isinstance(error, AuditbotError):
        blocks = [kit.section(f":warning: *{title}*"), kit.section(f"*How to fix:* {md(_GENERIC_HINT, 300)}")]
        return Message(text=kit.fallback(title), blocks=blocks)
    message = redact(error.message)
    blocks = [kit.section(f":warning: *{title}*\n{md(message, 1500, multiline=True)}")]
    if isinstance(error, QueryError):
        blocks.extend(_where(error))
    hint = redact(error.hint or default_hint or "")
    if clean(hint):
        blocks.append(kit.section(f"*How to fix:* {md(hint, 1500, multiline=True)}"))
    if isinstance(error, QueryError):
        blocks.extend(_suggestions(error.suggestions))
    if isinstance(error, ApiError):
        blocks.extend(_api_details(error))
    check_blocks(blocks, max_blocks=MESSAGE_BLOCKS, text_budget=MESSAGE_TEXT_BUDGET)
    return Message(text=kit.fallback(f"{title}: {message}", 500), blocks=blocks)


def caret_lines(source: str, column: int, length: int, window: int = CARET_WINDOW) -> str:
    """The part of ``source`` around ``column`` and a ``^^^`` line under the bad span."""
    line = re.sub(r"\s", " ", source).replace("`", "\u02cb")
    line = clean(line, multiline=True, keep_width=True)
    column = min(max(0, column), len(line))
    start = 0 if len(line) <= window else max(0, min(column - window // 3, len(line) - window))
    shown = line[start : start + window]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + window < len(line) else ""
    width = max(1, min(length, len(shown) - (column - start))) if column - start < len(shown) else 1
    marker = " " * (len(prefix) + column - start) + "^" * width
    return f"{prefix}{shown}{suffix}\n{marker}"


def _kind(error: BaseException) -> tuple[str, str | None]:
    for cls, title, hint in _KINDS:
        if isinstance(error, cls):
            return title, hint
    return _GENERIC, _GENERIC_HINT


def _where(error: QueryError) -> list[JsonDict]:
    if not error.source or not clean(error.source):
        return []
    text = caret_lines(error.source, error.column, error.length)
    return [kit.section(code_block(text, 1000))]


def _suggestions(queries: list[str]) -> list[JsonDict]:
    """One section per corrected query, with a [Search] button that runs it (when it fits a button)."""
    blocks: list[JsonDict] = []
    for query in (q for q in queries if clean(q)):
        lead = "Did you mean" if not blocks else "Or"
        button = kit.button("Search", f"{ids.SEARCH_SUGGESTION}:{len(blocks)}", query)
        blocks.append(kit.section(f"{lead} {inline_code(query, SUGGESTION_TEXT)}?", accessory=button))
        if len(blocks) == MAX_SUGGESTIONS:
            break
    return blocks


def _api_details(error: ApiError) -> list[JsonDict]:
    parts = [str(error.status)] if error.status is not None else []
    if error.code and clean(error.code):
        parts.append(md(redact(error.code), 60))
    line = "Admin API answered " + " ".join(parts) if parts else "Admin API"
    if error.detail and clean(error.detail) and clean(error.detail).rstrip(".") not in clean(error.message):
        line += f" — {md(redact(error.detail), 400)}"  # unless the message already says it
    if isinstance(error, ApiRateLimited):
        line += f" · ready in {max(1, round(error.retry_after))} s"
    return [kit.context(kit.mrkdwn(line))] if parts or error.detail else []
