"""``SignedFields``: a button value that carries a few fields, signed so that an edited one, or one
made for another use, is refused.

The value is ``<version>.<signature>|<field>|<field>|…``: the signature is an HMAC-SHA256 (12 bytes,
URL-safe base64) over the secret, the scope and the fields, so a value made for bot-log pages is not
taken for ``/audit alerts`` pages. The last field may itself hold ``|`` (a filter typed verbatim).
A refusal is a ``PageStateError`` in the words a search's page button uses, with a hint that says
what to run again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from auditbot.core.paging import MAX_VALUE_CHARS, PageStateError

_SIGNATURE_BYTES = 12
MIN_SECRET_BYTES = 16


class SignedFields:
    """Seals fields into a button value and opens them again, for one ``scope``."""

    def __init__(self, secret: bytes, *, scope: bytes, version: str, rerun: str) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the page-state secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self._scope = scope
        self._version = version
        self._rerun = rerun

    def seal(self, *fields: str) -> str | None:
        """The value holding ``fields``, or None when it is longer than a button value may be."""
        body = "|".join(fields)
        value = f"{self._version}.{self._sign(body)}|{body}"
        return value if len(value) <= MAX_VALUE_CHARS else None

    def open(self, value: str, count: int) -> list[str]:
        """The ``count`` fields of a value ``seal`` made; raises ``PageStateError`` for anything else."""
        try:
            value.encode()
            version, rest = value.split(".", 1)
            signature, body = rest.split("|", 1)
        except ValueError:
            raise self.refused("it is not a page reference") from None
        if version != self._version or not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            raise self.refused("it was changed, or made by another auditbot")
        fields = body.split("|", count - 1)
        if len(fields) != count:
            raise self.damaged()
        return fields

    def damaged(self) -> PageStateError:
        """The refusal for a signed value whose fields do not read."""
        return self.refused("its contents are damaged")

    def refused(self, reason: str) -> PageStateError:
        return PageStateError(
            f"That button cannot be used: {reason}.", hint=f"Run {self._rerun} again for fresh buttons."
        )

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._secret, self._scope + b"\0" + body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:_SIGNATURE_BYTES]).decode().rstrip("=")
