"""Logging set-up with a filter that keeps secrets out of every log line.

Whatever a library or our own code logs — a request dump, an exception message, a URL — passes
through ``RedactingFilter`` on the handler, which replaces Slack tokens (``xoxb-``, ``xoxp-``,
``xapp-``, ``xoxe-``…), ``Bearer`` values, Slack request signatures, Atlassian API tokens and
the values of ``token=``/``secret=``/``password=`` style parameters with ``[redacted]``.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

REDACTED = "[redacted]"
_PATTERNS = (
    re.compile(r"\bxox[abpeors]-[A-Za-z0-9-]+"),
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),
    re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\bv0=[0-9a-f]{64}\b"),
    re.compile(r"\bATATT[A-Za-z0-9_=-]+"),
    re.compile(r"(?i)(?<=[?&;\s\"'])(?:token|secret|password|signing_secret|api_key)=([^&\s\"']+)"),
    re.compile(r"(?i)(?<=://)([^:/@\s]+):[^@/\s]+(?=@)"),
)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(_replacement, text)
    return text


def _replacement(match: re.Match[str]) -> str:
    whole = match.group(0)
    if match.re.groups:
        start, end = match.span(1)
        offset = match.start(0)
        if match.re.pattern.startswith("(?i)(?<=://)"):
            return f"{match.group(1)}:{REDACTED}"
        return whole[: start - offset] + REDACTED + whole[end - offset :]
    return REDACTED


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


def configure_logging(*, verbose: bool = False, stream: Any = None) -> None:
    """Log to stderr (INFO with ``verbose``, else WARNING), every line redacted."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
