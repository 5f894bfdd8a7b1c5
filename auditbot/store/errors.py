"""The errors the store raises: ``StoreError`` for a database that cannot be used, ``StaleLeaseError`` for fencing.

Messages name the database by its URL with the password masked (``postgresql+psycopg://user:***@host/db``);
they never contain the password.
"""

from __future__ import annotations

from auditbot.core.errors import AuditbotError


class StoreError(AuditbotError):
    """The database URL is malformed or unsupported, or the database cannot be reached or opened."""


class StaleLeaseError(StoreError):
    """A write was fenced off: the lease it relied on has since been taken over (or released).

    Raised inside the write's transaction, so the transaction rolls back and nothing it wrote is kept.
    """

    def __init__(self, name: str, token: int, stored: int | None) -> None:
        now = "released" if stored is None else f"now at token {stored}"
        super().__init__(
            f"lease {name!r} with token {token} is stale ({now}); the write was rejected",
            hint="another worker holds this lease now; stop working on it and try to acquire it again later",
        )
        self.name = name
        self.token = token
        self.stored = stored
