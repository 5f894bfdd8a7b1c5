from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.delivery.world import DeliveryWorld


@pytest.fixture
def world(tmp_path: Path) -> Iterator[DeliveryWorld]:
    made = DeliveryWorld(tmp_path)
    try:
        yield made
    finally:
        made.close()
