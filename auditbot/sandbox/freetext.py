"""The text the fake API looks for ``q``'s words in, read from the raw JSON it serves.

The API reference calls ``q`` a "single query term for searching events" and leaves open which
fields it reads (open question 1 of the reference notes). The sandbox takes the most useful
plausible reading: every word must occur, case-insensitively, somewhere in

- the action id, and the actor's account id, name and e-mail;
- the message's content;
- the address and place (``ip``, ``city``, ``regionName``, ``countryName``);
- each context and container item's id and every scalar value of its attributes.

This is written apart from auditbot's own free-text reading (``auditbot.core.match``) on purpose,
so a search that reads the mirror and one that asks the fake API agree because both follow this
reading, not because they share code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

_PLACE_KEYS = ("ip", "city", "regionName", "countryName")


def search_text(raw: Mapping[str, Any]) -> str:
    """The case-folded text of an API-shaped event that ``q`` is matched against."""
    return "\n".join(_parts(raw)).casefold()


def _parts(raw: Mapping[str, Any]) -> Iterator[str]:
    attributes = _mapping(raw.get("attributes"))
    actor = _mapping(attributes.get("actor"))
    yield from _texts(attributes.get("action"), actor.get("id"), actor.get("name"), actor.get("email"))
    yield from _texts(_mapping(raw.get("message")).get("content"))
    location = _mapping(attributes.get("location"))
    yield from _texts(*(location.get(key) for key in _PLACE_KEYS))
    for key in ("context", "container"):
        items = attributes.get(key)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, Mapping):
                yield from (_scalar(value) for value in _mapping(item.get("attributes")).values() if _is_scalar(value))
                yield from _texts(item.get("id"))


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _texts(*values: object) -> Iterator[str]:
    """The non-empty strings among ``values``."""
    return (value for value in values if isinstance(value, str) and value)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float)


def _scalar(value: str | int | float) -> str:
    """A JSON scalar as text (``true``/``false`` for booleans, as JSON spells them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
