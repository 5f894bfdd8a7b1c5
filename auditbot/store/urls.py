"""Database URLs: which ones the store accepts, how they are normalised, and how they are shown.

Accepted: ``sqlite:///<file path>`` (a file; in-memory databases cannot be shared between connections)
and PostgreSQL as ``postgresql+psycopg://``, ``postgresql://`` or ``postgres://`` (the last two are
rewritten to the psycopg 3 driver). Anything shown to a person goes through ``mask_url`` first.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from auditbot.store.errors import StoreError

_SQLITE = {"sqlite", "sqlite+pysqlite"}
_POSTGRES = {"postgresql", "postgres", "postgresql+psycopg"}
_CREDENTIALS = re.compile(r"(?P<head>://[^/@:]*:)[^@/]*@")
USAGE = "use sqlite:///path/to/auditbot.db or postgresql://user:password@host:5432/database"


def default_url(data_dir: Path) -> str:
    """The default store: a SQLite file ``auditbot.db`` in the data directory."""
    return f"sqlite:///{data_dir.expanduser() / 'auditbot.db'}"


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***``, parseable or not."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _CREDENTIALS.sub(r"\g<head>***@", url)


def normalise_url(raw: str) -> URL:
    """The SQLAlchemy URL the store connects with; ``StoreError`` for anything it cannot use."""
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError) as exc:
        raise StoreError(f"{mask_url(raw)!r} is not a database URL", hint=USAGE) from exc
    if url.drivername in _POSTGRES:
        if not url.database:
            raise StoreError(f"the database URL {mask_url(url)} names no database", hint=USAGE)
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in _SQLITE:
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            raise StoreError(f"the database URL {mask_url(url)} names no SQLite file", hint=USAGE)
        return url.set(drivername="sqlite+pysqlite", database=str(Path(url.database).expanduser()))
    raise StoreError(f"the database URL {mask_url(url)} is not SQLite or PostgreSQL", hint=USAGE)
