"""``Executor``: what repository methods that join the caller's transaction accept, and dialect helpers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

Executor = Connection | Session
"""A ``Connection`` from ``Database.begin()`` or a ``Session`` from ``Database.session()``."""


def dialect_name(executor: Executor) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    if isinstance(executor, Session):
        return executor.get_bind().dialect.name
    return executor.dialect.name


def insert_or_ignore(
    executor: Executor, table: Table, keys: Sequence[Column[str]]
) -> postgresql.Insert | sqlite.Insert:
    """``INSERT … ON CONFLICT (keys) DO NOTHING`` in the executor's dialect."""
    if dialect_name(executor) == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(keys))
