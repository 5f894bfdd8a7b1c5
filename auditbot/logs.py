"""Logging set-up, and ``redact``: the one rule for what is a secret, in logs and in error messages.

Whatever a library or our own code logs — a request dump, an exception message, a URL — passes
through ``RedactingFilter`` on the handler, which replaces Slack tokens (``xoxb-``, ``xoxp-``,
``xapp-``, ``xoxe-``…), ``Bearer`` values, Slack request signatures, Atlassian API tokens and
the values of ``token=``/``secret=``/``password=`` style parameters with ``[redacted]``.

``configure_logging`` is the one place logging is set up: ``text`` lines for a terminal or ``json``
lines for a log pipeline. Each record carries the id of the Slack request being handled (``REQUEST_ID``,
set by the HTTP layer), and the JSON lines carry every ``extra`` field, redacted like the message.

No record can pass for two: in text lines the message (with its arguments) and the
request id show CR, LF and every other control, bidi or invisible character as an escape (``\\n``,
``\\x1b``, ``\\u202e``), so a user id with a newline in it cannot forge a second record; a
traceback keeps its own line breaks but nothing else, each of its lines indented. JSON lines
escape the same characters.
"""

from __future__ import annotations

import logging
import math
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

from auditbot.terminal.printable import json_text, printable

REDACTED = "[redacted]"
_SECRETS = (
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}"), r"\1 [redacted]"),
    (
        re.compile(r"(?i)\b(api[_-]?key|token|secret|signing_secret|password|authorization)(\s*[:=]\s*)[^\s,;&\"']+"),
        r"\1\2[redacted]",
    ),
    (re.compile(r"\b(?:AT[A-Z]TT|xox[a-z]-|xapp-)[A-Za-z0-9_\-=.]+"), REDACTED),
    (re.compile(r"\bv0=[0-9a-f]{64}\b"), REDACTED),
    (re.compile(r"(://[^:/@\s]+):[^@/\s]+@"), r"\1:[redacted]@"),
)
"""What counts as a secret, in logs and in anything shown to a person: Slack and Atlassian tokens,
Bearer/Basic values, ``token=``-style parameters, request signatures and URL passwords."""


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (with its arguments applied) and exception text, redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


_STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {"message", "asctime"}


REQUEST_ID: ContextVar[str | None] = ContextVar("auditbot_request_id", default=None)
"""The id of the Slack request being handled in this context (``None`` outside a request)."""

LogFormat = Literal["text", "json"]

_SECRET_FIELD = re.compile(r"(?i)(token|secret|password|passwd|authorization|api[_-]?key|signature|cookie)")
"""An ``extra`` field whose name says it holds a secret: its text value is dropped, whatever it looks like."""


class RequestIdFilter(logging.Filter):
    """Stamps each record with ``request_id``: the id of the request being handled, or ``None``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


class _OneLine(logging.Formatter):
    """A formatter under which nothing a record holds can start a line of its own (see TextFormatter)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        saved = record.msg, record.args, record.exc_text, record.stack_info, vars(record).get("request_id")
        record.msg, record.args = printable(record.getMessage()), None
        record.exc_text = _indented(record.exc_text)
        record.stack_info = _indented(record.stack_info)
        if saved[4] is not None:
            record.request_id = printable(saved[4])
        try:
            return super().format(record)
        finally:
            record.msg, record.args, record.exc_text, record.stack_info = saved[:4]
            if saved[4] is not None:
                record.request_id = saved[4]


def _indented(text: str | None) -> str | None:
    """A traceback with only its own line breaks, every line indented: no line of it can pass for a record."""
    if not text:
        return text
    return "\n".join(f"  {line}" for line in printable(text, keep="\n").split("\n"))


class TextFormatter(_OneLine):
    """``time LEVEL logger: message``, with ``[request id]`` after the logger inside a request.

    One line per record: the message (with its arguments) and the request id show line breaks and
    every other control, bidi or invisible character escaped; a traceback keeps only its line breaks,
    and each of its lines is indented, so every line that starts a record is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._in_request = _OneLine("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None):
            return self._in_request.format(record)
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
    ``request_id``, any ``extra`` fields and ``exception``; every string in it redacted."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key == "request_id":
                continue
            entry[f"extra_{key}" if key in entry else key] = _field(key, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json_text(entry)


def _field(key: str, value: Any) -> Any:
    """An ``extra`` value made safe for a JSON line: strings redacted (dropped under a secret's name),
    containers cleaned item by item, anything else turned into redacted text."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return REDACTED if _SECRET_FIELD.search(key) else redact(value)
    if isinstance(value, dict):
        return {str(k): _field(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_field(key, item) for item in value]
    return _field(key, str(value))


def configure_logging(*, verbose: bool = False, stream: Any = None, log_format: LogFormat = "text") -> None:
    """Log to stderr (INFO with ``verbose``, else WARNING) as ``text`` or ``json`` lines, every one
    redacted and stamped with the current request's id."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RedactingFilter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
