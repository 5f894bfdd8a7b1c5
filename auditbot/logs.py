"""Logging set-up, and ``redact``: the one rule for what is a secret, in logs and in error messages.

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


def configure_logging(*, verbose: bool = False, stream: Any = None) -> None:
    """Log to stderr (INFO with ``verbose``, else WARNING), every line redacted."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
