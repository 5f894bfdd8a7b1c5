"""README.md says what the code does: its settings are the real ones, its ``/audit`` examples are read.

- Every ``AUDITBOT_*``, ``ATLASSIAN_*`` and ``SLACK_*`` name in README is a setting (by its environment
  name), and every setting's environment name is in README.
- Every ``/audit …`` example (in code blocks, and in code spans) is one the app reads: a subcommand the
  dispatcher knows (its verbs are read from the dispatcher's own ``match``, not copied here), with a
  query that parses where the subcommand takes one; anything else is a search, which must parse.
  Synopses (``[optional]``, ``<placeholder>``, ``a | b``, ``…``) are checked for their verbs only.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import AliasChoices

from auditbot.config import Settings
from auditbot.core.errors import AuditbotError
from auditbot.core.query import parse
from auditbot.core.schedule import parse_times, parse_zone, split_schedule
from auditbot.slack.listeners import commands, schedules

README = Path(__file__).parent.parent / "README.md"
SETTING_NAME = re.compile(r"\b(?:AUDITBOT|ATLASSIAN|SLACK)_[A-Z0-9_]+")
_FENCED = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
_SPAN = re.compile(r"`([^`\n]+(?:\n[^`\n]+)*)`")
_SYNOPSIS = re.compile(r"[\[\]<>|…]")


def env_names() -> set[str]:
    """The environment name of every setting: its upper-case alias, or the prefix and the field name."""
    prefix = Settings.model_config.get("env_prefix", "")
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str) and choice.isupper())
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def case_values(source: ModuleType | Callable[..., Any]) -> frozenset[str]:
    """The string literals the ``case`` clauses of every ``match`` in ``source`` compare with."""
    tree = ast.parse(inspect.getsource(source))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.match_case):
            for pattern in ast.walk(node.pattern):
                if isinstance(pattern, ast.MatchValue) and isinstance(pattern.value, ast.Constant):
                    found.add(pattern.value.value)
    return frozenset(value for value in found if isinstance(value, str) and value)


VERBS = case_values(commands)
DIGEST_VERBS = case_values(schedules.handle_digest_command)


def examples(text: str) -> list[str]:
    """Every ``/audit`` example: lines of fenced blocks (up to the two spaces before a comment) and code
    spans elsewhere (a span may wrap onto the next line)."""
    found = []
    for block in _FENCED.finditer(text):
        for line in block.group(1).splitlines():
            if line.startswith("/audit"):
                found.append(re.split(r"\s{2,}", line.strip())[0])
    for span in _SPAN.findall(_FENCED.sub("", text)):
        span = " ".join(span.split())
        if span == "/audit" or span.startswith("/audit "):
            found.append(span)
    return found


def alternatives(synopsis: str) -> list[str]:
    """``a | b <x> | c`` as its alternatives; bars inside ``[…]`` belong to an option, not here."""
    parts, depth, current = [], 0, ""
    for char in synopsis:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def without_channel(text: str) -> str:
    """What follows a leading ``#channel``, as README writes one."""
    first, _, rest = text.partition(" ")
    return rest.strip() if first.startswith("#") else text


def check(example: str) -> None:
    """Raises (an ``AuditbotError`` from the parsers, or ``AssertionError``) when the app would not read it."""
    text = example.removeprefix("/audit").strip()
    if _SYNOPSIS.search(text):
        for alternative in alternatives(text):
            verb, _, rest = alternative.partition(" ")
            if verb == "…":
                continue
            assert verb in VERBS, f"{verb!r} is not a subcommand the dispatcher knows ({sorted(VERBS)})"
            if verb == "digest":
                inner = rest.split()[0] if rest.split() else ""
                assert inner in DIGEST_VERBS, f"{inner!r} is not a digest subcommand ({sorted(DIGEST_VERBS)})"
        return
    verb, _, rest = text.partition(" ")
    if verb.casefold() not in VERBS:
        parse(text)
        return
    match verb.casefold():
        case "subscribe":
            parse(without_channel(rest))
        case "event":
            assert rest.strip(), "an event id"
        case "digest":
            inner, _, args = rest.partition(" ")
            assert inner in DIGEST_VERBS, f"{inner!r} is not a digest subcommand ({sorted(DIGEST_VERBS)})"
            if inner == "schedule":
                times, zone, filters = split_schedule(without_channel(args))
                parse_times(times)
                if zone is not None:
                    parse_zone(zone)
                parse(filters)


def test_every_setting_readme_names_exists_and_every_setting_is_in_readme() -> None:
    named = set(SETTING_NAME.findall(README.read_text()))
    real = env_names()
    assert sorted(named - real) == [], "README names settings auditbot does not have"
    assert sorted(real - named) == [], "settings README does not mention"


def test_the_verbs_are_read_from_the_dispatchers() -> None:
    assert {"help", "event", "subscribe", "digest", "handoff"} <= VERBS
    assert {"schedule", "schedules", "unschedule"} <= DIGEST_VERBS


def test_readme_has_audit_examples_of_each_kind() -> None:
    found = examples(README.read_text())
    verbs = {example.removeprefix("/audit").split()[0] for example in found if example != "/audit"}
    assert {"subscribe", "event", "digest", "handoff", "help"} <= verbs
    assert any(example.startswith("/audit action:") for example in found)


@pytest.mark.parametrize("example", sorted(set(examples(README.read_text()))))
def test_every_audit_example_in_readme_is_read_by_the_app(example: str) -> None:
    check(example)


@pytest.mark.parametrize(
    "example",
    [
        "/audit subscribe #x actor:",
        "/audit digest",
        "/audit digest schedule #x 25:00 Europe/Berlin",
        "/audit digest shedule #x 09:00",
        "/audit actor:a@x.com since:never",
        "/audit frobnicate [x] | help",
    ],
)
def test_a_wrong_example_is_caught(example: str) -> None:
    with pytest.raises((AssertionError, AuditbotError)):
        check(example)
