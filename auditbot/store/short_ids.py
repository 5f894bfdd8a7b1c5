"""Short, typeable ids for things people name in commands: ``sub-k3x9q2``, ``dg-7mwp4a``."""

from __future__ import annotations

import secrets
from typing import Final

ALPHABET: Final = "23456789abcdefghjkmnpqrstuvwxyz"
"""No 0/o, 1/l/i: ids are read aloud and typed."""


def short_id(prefix: str, length: int = 6) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))
