"""Delivery tests run on a SQLite file and on PostgreSQL (skipped only where no server answers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.delivery.world import DeliveryWorld
from tests.store.conftest import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'delivery.db'}"
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[DeliveryWorld]:
    made = DeliveryWorld(tmp_path, url=db_url)
    try:
        yield made
    finally:
        made.close()
