"""Architecture rules as tests.

- The core stays pure and services stay off the edges and I/O libraries.
- Only config reads the environment.
- Imports are absolute, so every rule below sees every import.
- The Slack edge reaches the store only through services (DESIGN §3), never by importing it.
- The fakes (sandbox, playground) borrow from auditbot only its clock and domain model, so a fake
  agrees with production because both follow the same rule, not because they share its code.

Every import counts: at module level, inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "auditbot"

EDGES = ("auditbot.atlassian", "auditbot.store", "auditbot.slack", "auditbot.sandbox", "auditbot.playground")
FOREIGN_IO = ("httpx", "slack_bolt", "slack_sdk", "sqlalchemy", "psycopg", "sqlite3", "requests", "socket", "http")
FORBIDDEN = {
    "core": (*EDGES, "auditbot.services", "auditbot.config", "auditbot.cli", *FOREIGN_IO),
    "services": (*EDGES, "auditbot.config", "auditbot.cli", *FOREIGN_IO),
}

FAKE_MAY_IMPORT = ("auditbot.core.clock", "auditbot.core.model", "auditbot.loopback")
"""What the sandbox and the playground may import from auditbot besides their own package.
``auditbot.loopback`` is the HTTP server plumbing the two fakes share (it has no production logic)."""


def is_module(name: str) -> bool:
    """Whether ``name`` (dotted, under ``auditbot``) is a module or package of ours."""
    parts = name.split(".")
    if parts[0] != "auditbot":
        return False
    path = PACKAGE.joinpath(*parts[1:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every absolute import in ``path``: ``from a import b`` names ``a.b`` when
    ``b`` is a module of ours (``from auditbot import store`` imports the store), ``a`` otherwise."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module = node.module
            named = (f"{module}.{alias.name}" for alias in node.names)
            yield from ((node.lineno, name) for name in dict.fromkeys(n if is_module(n) else module for n in named))


def imports_of(path: Path) -> set[str]:
    return {name for _, name in imported(path)}


def relative_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level > 0]


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(PACKAGE.parent)}:{line}"


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_import_nothing_from_above_or_from_io_libraries(layer: str) -> None:
    offenders = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in modules(layer)
        for name in imports_of(path)
        if within(name, FORBIDDEN[layer])
    }
    assert not offenders, sorted(offenders)


def test_only_config_reads_the_environment() -> None:
    readers = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "config.py" and path.parent == PACKAGE:
            continue
        text = path.read_text()
        if "os.environ" in text or "getenv(" in text:
            readers.append(str(path.relative_to(PACKAGE)))
    assert readers == []


def test_there_are_no_relative_imports() -> None:
    offenders = [where(path, line) for path in sorted(PACKAGE.rglob("*.py")) for line in relative_imports(path)]
    assert not offenders, "relative imports hide from the layering rules; write them absolute:\n" + "\n".join(offenders)


def test_the_slack_edge_does_not_import_the_store() -> None:
    offenders = [
        f"{where(path, line)} imports {name}"
        for path in modules("slack")
        for line, name in imported(path)
        if within(name, ("auditbot.store",))
    ]
    assert not offenders, (
        "the Slack package reaches the store only through services (DESIGN §3); these modules import it:\n"
        + "\n".join(offenders)
    )


@pytest.mark.parametrize("fake", ["sandbox", "playground"])
def test_the_fakes_import_only_the_clock_and_the_model_from_auditbot(fake: str) -> None:
    own = f"auditbot.{fake}"
    offenders = [
        f"{where(path, line)} imports {name}"
        for path in modules(fake)
        for line, name in imported(path)
        if within(name, ("auditbot",)) and not within(name, (own, *FAKE_MAY_IMPORT))
    ]
    assert not offenders, (
        f"the {fake} may use only {', '.join(FAKE_MAY_IMPORT)} from auditbot, so it cannot agree with "
        "production by sharing its code:\n" + "\n".join(offenders)
    )


def test_the_rules_see_every_kind_of_import(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "import auditbot.store.db\n"
        "from auditbot import store\n"
        "from auditbot.core.clock import Clock\n"
        "from . import sibling\n"
        "def later():\n"
        "    from auditbot.store.outbox import Outbox\n"
    )
    assert sorted(imported(source)) == [
        (1, "auditbot.store.db"),
        (2, "auditbot.store"),
        (3, "auditbot.core.clock"),
        (6, "auditbot.store.outbox"),
    ]
    assert relative_imports(source) == [4]
