"""Opaque, signed page cursors.

A cursor is ``base64url(json) + "." + base64url(hmac)``: the JSON says which endpoint it belongs
to, the query it continues (filters, page size, sort order) and the sort key of the last event
served. The HMAC (SHA-256, keyed with the sandbox secret, over the org id and the JSON) makes
tampered cursors, cursors of another org and made-up strings fail with ``ADMIN-400-1``. Cursors
contain only ``A-Z a-z 0-9 - _ .`` and survive URL encoding unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Any

from auditbot.sandbox.responses import ApiProblem, problem

VERSION = 1
_MAC_BYTES = 16
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class CursorState:
    """What a cursor remembers."""

    endpoint: str
    """``events`` or ``events-stream``."""
    key: tuple[int, str]
    """Sort key (µs, event id) of the last event served."""
    limit: int
    order: str = "desc"
    filters: dict[str, Any] = field(default_factory=dict)


class CursorCodec:
    def __init__(self, secret: bytes, org_id: str) -> None:
        self._secret = secret
        self._org = org_id.encode()

    def encode(self, state: CursorState) -> str:
        payload = {
            "v": VERSION,
            "e": state.endpoint,
            "k": [state.key[0], state.key[1]],
            "l": state.limit,
            "o": state.order,
            "f": state.filters,
        }
        data = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(data)}.{_b64(self._mac(data))}"

    def decode(self, token: str, endpoint: str) -> CursorState:
        """The state in ``token``; ``ApiProblem`` ADMIN-400-1 when it is not a valid cursor of ``endpoint``."""
        body, _, mac = token.strip().partition(".")
        try:
            data, signature = _unb64(body), _unb64(mac)
        except ValueError as error:
            raise _invalid("it is not a cursor this API issued") from error
        if not hmac.compare_digest(signature, self._mac(data)):
            raise _invalid("it is not a cursor this API issued for this organization")
        try:
            payload = json.loads(data)
            state = CursorState(
                endpoint=str(payload["e"]),
                key=(_int(payload["k"][0]), str(payload["k"][1])),
                limit=_int(payload["l"]),
                order=str(payload["o"]),
                filters=dict(payload["f"]),
            )
        except (ValueError, TypeError, KeyError, IndexError) as error:
            raise _invalid("it could not be read") from error
        if payload.get("v") != VERSION or state.endpoint != endpoint:
            raise _invalid(f"it belongs to another endpoint ({state.endpoint})")
        return state

    def _mac(self, data: bytes) -> bytes:
        return hmac.new(self._secret, self._org + b"\n" + data, hashlib.sha256).digest()[:_MAC_BYTES]


def _invalid(reason: str) -> ApiProblem:
    return problem("ADMIN-400-1", f"The cursor is invalid: {reason}. Start again without a cursor.")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not _ALPHABET.fullmatch(text):
        raise ValueError("not base64url text")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (ValueError, TypeError) as error:
        raise ValueError("not base64url") from error


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected an integer")
    return value
