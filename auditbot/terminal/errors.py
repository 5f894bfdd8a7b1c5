"""The one form every ``auditbot`` subcommand prints an error in, on stderr.

::

    auditbot: Unknown term "acter"
      since:2d acter:bob
               ^^^^^
      Terms are actor:, action:, …
      Did you mean: since:2d actor:bob

The message, then (for a query error) the query with a ``^^^`` marker under the offending span,
then the hint, then the corrected queries a query error suggests. Everything is shown through
``printable``, so input echoed in an error cannot drive the terminal; the marker is placed by the
width the escaped text takes (wide characters count 2).
"""

from __future__ import annotations

import re
import unicodedata

from auditbot.core.errors import AuditbotError
from auditbot.core.querysyntax import QueryError
from auditbot.terminal.printable import pieces, printable

_SPACE_RE = re.compile(r"\s")


def error_lines(error: AuditbotError) -> list[str]:
    """The lines to print for ``error``."""
    lines = [f"auditbot: {printable(error.message, keep=chr(10))}"]
    if isinstance(error, QueryError) and error.source:
        lines += [f"  {line}" for line in caret_lines(error.source, error.column, error.length)]
    if error.hint:
        lines.append(f"  {printable(error.hint, keep=chr(10))}")
    if isinstance(error, QueryError):
        lines += [f"  Did you mean: {printable(query)}" for query in error.suggestions[:3]]
    return lines


def caret_lines(source: str, column: int, length: int) -> tuple[str, str]:
    """``source`` on one line (escaped) and a marker under ``length`` characters from ``column``."""
    shown = [_width_piece(p) for p in pieces(_SPACE_RE.sub(" ", source))]
    column = min(max(0, column), len(shown))
    before = sum(width for _, width in shown[:column])
    under = sum(width for _, width in shown[column : column + max(1, length)]) or 1
    return "".join(text for text, _ in shown), " " * before + "^" * under


def _width_piece(piece: str) -> tuple[str, int]:
    if len(piece) > 1:
        return piece, len(piece)
    if unicodedata.combining(piece):
        return piece, 0
    return piece, 2 if unicodedata.east_asian_width(piece) in ("W", "F") else 1
