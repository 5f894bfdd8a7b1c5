"""Architecture rules as tests: the core stays pure, services stay off the edges, only config reads the env."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "auditbot"

EDGES = ("auditbot.atlassian", "auditbot.store", "auditbot.slack", "auditbot.sandbox", "auditbot.playground")
FOREIGN_IO = ("httpx", "slack_bolt", "slack_sdk", "sqlalchemy", "psycopg", "sqlite3", "requests", "socket", "http")
FORBIDDEN = {
    "core": (*EDGES, "auditbot.services", "auditbot.config", "auditbot.cli", *FOREIGN_IO),
    "services": (*EDGES, "auditbot.config", "auditbot.cli", *FOREIGN_IO),
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_import_nothing_from_above_or_from_io_libraries(layer):
    offenders = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in modules(layer)
        for name in imports_of(path)
        for banned in FORBIDDEN[layer]
        if name == banned or name.startswith(banned + ".")
    }
    assert not offenders, sorted(offenders)


def test_only_config_reads_the_environment():
    readers = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "config.py" and path.parent == PACKAGE:
            continue
        text = path.read_text()
        if "os.environ" in text or "getenv(" in text:
            readers.append(str(path.relative_to(PACKAGE)))
    assert readers == []
