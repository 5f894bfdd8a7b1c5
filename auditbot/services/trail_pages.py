"""Page state for the bot's own log: which filter, which entries, which page, in a signed button value.

The first page pins the newest entry it showed (``newest_id``); later pages read the entries up to
it, so paging holds still while new entries arrive. The value is signed with an HMAC over a secret
and the scope ``bot-log``, so an edited value, or one made for search results, is refused with the
same words as a search's page button (``core.paging.PageStateError``).

Wire form: ``b1.<signature>|<page>|<newest id>|<filter text, verbatim>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from auditbot.core.signed import SignedFields

VERSION = "b1"
SCOPE = b"bot-log"


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
        self._signed = SignedFields(secret, scope=SCOPE, version=VERSION, rerun="/audit bot-log")

    def encode(self, state: TrailPageState) -> str | None:
        """The button value, or None when the filter is too long to fit in one (no paging then)."""
        return self._signed.seal(str(state.page), str(state.newest_id), state.text)

    def decode(self, value: str) -> TrailPageState:
        page, newest, text = self._signed.open(value, 3)
        try:
            state = TrailPageState(text, int(newest), int(page))
        except ValueError:
            raise self._signed.damaged() from None
        if state.page < 1:
            raise self._signed.damaged()
        return state
