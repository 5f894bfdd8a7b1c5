"""``UtcDateTime``: a column type that takes and gives timezone-aware UTC datetimes on every dialect.

PostgreSQL stores ``timestamp with time zone``. SQLite has no time zones, so the value is stored as
naive UTC (SQLAlchemy's fixed-width text format, which sorts in time order) and comes back marked UTC.
Naive datetimes are refused on the way in: a time without a zone is a bug, not a guess to make.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given for a UTC timestamp column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
