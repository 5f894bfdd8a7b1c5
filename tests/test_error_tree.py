"""The error tree drawn in ``auditbot/core/errors.py`` is whole and true.

Every module of the package is imported and every exception class it defines is collected. Each
``AuditbotError`` must sit in the tree under its real parent, and every other exception (the internal
signals) in the list after it, each with the module it lives in when that is not ``core.errors``.
Names in the docstring that no class answers to fail too. The fakes (sandbox, playground) model other
systems' errors: their own exceptions need not be listed, but an ``AuditbotError`` there would.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

import pytest

import auditbot
from auditbot.core import errors
from auditbot.core.errors import AuditbotError

FAKES = ("auditbot.sandbox", "auditbot.playground")
HOME = "core.errors"

_ENTRY = re.compile(r"^    (?P<branches>(?:│   |    )*(?:├── |└── )?)(?P<name>[A-Z]\w*)(?:\s+(?P<text>.*))?$")
_MODULE = re.compile(r"\((?P<module>[a-z_]+(?:\.[a-z_]+)*)\)$")


@dataclass(frozen=True)
class Entry:
    name: str
    parent: str | None
    module: str


def package_modules() -> list[str]:
    names = [auditbot.__name__]
    for info in pkgutil.walk_packages(auditbot.__path__, prefix="auditbot."):
        if info.name.rsplit(".", 1)[-1] != "__main__":  # importing __main__ would run a command
            names.append(info.name)
    return names


def exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in the package, by its name (two with one name fail here)."""
    found: dict[str, type[BaseException]] = {}
    twins: list[str] = []
    for name in package_modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == name:
                if value.__name__ in found and found[value.__name__] is not value:
                    twins.append(f"{value.__name__}: {found[value.__name__].__module__} and {name}")
                found[value.__name__] = value
    assert not twins, f"exception classes share a name, which the tree cannot tell apart: {twins}"
    return found


def drawn_blocks(doc: str) -> list[list[Entry]]:
    """The docstring's indented blocks (the tree, then the signals), each line read as an entry."""
    blocks: list[list[Entry]] = []
    current: list[Entry] | None = None
    parents: list[str] = []
    for line in doc.splitlines():
        matched = _ENTRY.match(line)
        if matched is None:
            current = None
            continue
        if current is None:
            current, parents = [], []
            blocks.append(current)
        depth = len(matched["branches"]) // 4
        del parents[depth:]
        module = _MODULE.search(matched["text"] or "")
        current.append(Entry(matched["name"], parents[-1] if parents else None, module["module"] if module else HOME))
        parents.append(matched["name"])
    return blocks


def where(cls: type[BaseException]) -> str:
    return cls.__module__.removeprefix("auditbot.")


def listed(cls: type[BaseException]) -> bool:
    return issubclass(cls, AuditbotError) or not cls.__module__.startswith(FAKES)


@pytest.fixture(scope="module")
def classes() -> dict[str, type[BaseException]]:
    return exception_classes()


@pytest.fixture(scope="module")
def drawn() -> tuple[list[Entry], list[Entry]]:
    assert errors.__doc__ is not None
    blocks = drawn_blocks(errors.__doc__)
    assert len(blocks) == 2, "core/errors.py's docstring draws the tree, then lists the signals"
    tree, signals = blocks
    assert tree[0] == Entry("AuditbotError", None, HOME)
    return tree, signals


def test_every_auditbot_error_is_in_the_tree_under_its_parent(classes, drawn) -> None:
    tree = {entry.name: entry for entry in drawn[0]}
    problems = []
    for name, cls in sorted(classes.items()):
        if not issubclass(cls, AuditbotError):
            continue
        parent = cls.__base__.__name__ if cls is not AuditbotError and cls.__base__ is not None else None
        expected = Entry(name, parent, where(cls))
        if name not in tree:
            problems.append(f"missing: {name} (under {parent}, in {where(cls)})")
        elif tree[name] != expected:
            problems.append(f"drawn as {tree[name]}, but is {expected}")
    assert not problems, "complete the tree in auditbot/core/errors.py:\n" + "\n".join(problems)


def test_every_other_exception_is_listed_as_a_signal(classes, drawn) -> None:
    signals = {entry.name: entry for entry in drawn[1]}
    problems = []
    for name, cls in sorted(classes.items()):
        if issubclass(cls, AuditbotError) or not listed(cls):
            continue
        if name not in signals:
            problems.append(f"missing: {name} ({where(cls)}); list it, or make it an AuditbotError")
        elif signals[name].module != where(cls):
            problems.append(f"{name} is said to live in {signals[name].module}, but lives in {where(cls)}")
    assert not problems, "complete the signals in auditbot/core/errors.py:\n" + "\n".join(problems)


def test_every_drawn_name_is_a_class_of_that_kind(classes, drawn) -> None:
    tree, signals = drawn
    gone = [f"{e.name} (tree)" for e in tree if not issubclass(classes.get(e.name, object), AuditbotError)]
    gone += [
        f"{e.name} (signals)"
        for e in signals
        if e.name not in classes or issubclass(classes[e.name], AuditbotError) or not listed(classes[e.name])
    ]
    assert not gone, f"auditbot/core/errors.py names classes that are not there, or not of that kind: {gone}"


def test_the_reading_of_a_drawing() -> None:
    doc = "Intro.\n\n    Root      text\n    ├── A     a (x.y)\n    │   └── B  b\n    └── C\n\nMore.\n\n    D  d (z)\n"
    assert drawn_blocks(doc) == [
        [Entry("Root", None, HOME), Entry("A", "Root", "x.y"), Entry("B", "A", HOME), Entry("C", "Root", HOME)],
        [Entry("D", None, "z")],
    ]
