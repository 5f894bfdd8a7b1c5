"""Page state for the bot's own log: which filter, which entries, which page, in a signed button value.

The first page pins the newest entry it showed (``newest_id``); later pages read the entries up to
it, so paging holds still while new entries arrive. The value is signed with an HMAC over a secret
and the scope ``bot-log``, so an edited value, or one made for search results, is refused with the
same words as a search's page button (``core.paging.PageStateError``).

Wire form: ``b1.<signature>|<page>|<newest id>|<filter text, verbatim>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from auditbot.core.paging import MAX_VALUE_CHARS, PageStateError

VERSION = "b1"
SCOPE = b"bot-log"
_SIGNATURE_BYTES = 12


@dataclass(frozen=True, slots=True)
class TrailPageState:
    text: str
    """The filter; empty for the whole log."""
    newest_id: int
    """The newest entry the first page showed: later entries are left for a fresh ``/audit bot-log``."""
    page: int = 1


class TrailPageCodec:
    """Signs and checks bot-log page states with a server secret (default: a random one, for one process)."""

    def __init__(self, secret: bytes | None = None) -> None:
        secret = secret if secret is not None else os.urandom(32)
        if len(secret) < 16:
            raise ValueError("the page-state secret must be at least 16 bytes")
        self._secret = secret

    def encode(self, state: TrailPageState) -> str | None:
        """The button value, or None when the filter is too long to fit in one (no paging then)."""
        body = f"{state.page}|{state.newest_id}|{state.text}"
        value = f"{VERSION}.{self._sign(body)}|{body}"
        return value if len(value) <= MAX_VALUE_CHARS else None

    def decode(self, value: str) -> TrailPageState:
        try:
            value.encode()
            version, rest = value.split(".", 1)
            signature, body = rest.split("|", 1)
        except ValueError:
            raise _bad("it is not a page reference") from None
        if version != VERSION or not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            raise _bad("it was changed, or made by another auditbot")
        try:
            page, newest, text = body.split("|", 2)
            state = TrailPageState(text, int(newest), int(page))
        except ValueError:
            raise _bad("its contents are damaged") from None
        if state.page < 1:
            raise _bad("its contents are damaged")
        return state

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._secret, SCOPE + b"\0" + body.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _bad(reason: str) -> PageStateError:
    return PageStateError(f"That button cannot be used: {reason}.", hint="Run /audit bot-log again for fresh buttons.")
