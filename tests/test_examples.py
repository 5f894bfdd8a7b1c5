"""Every example a newcomer is shown gives a non-empty, relevant answer in the demo.

The examples are collected from where people read them, not listed here: README's "The demo" and
"In Slack" sections, ``/audit help``, App Home (its quick queries and its short help, as the app
publishes it), the banner ``auditbot demo`` prints, and the messages a demo workspace starts with
(each run through *Investigate in audit log*). They run through the real app against the demo's org:
the sandbox at the demo's seed, its mirror filled as ingest fills it, #sec-alerts subscribed as the
demo subscribes it.

Synopses (``[optional]``, ``<placeholder>``, ``a | b``, ``…``) are skipped by rule. A ``#channel`` is
sent as Slack's composer sends a picked channel, ``<#C…|name>``.
"""

from __future__ import annotations

import html
import inspect
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from auditbot.demo import DEMO_ALERTS, demo_quick_queries, start_demo
from auditbot.playground import seed
from auditbot.sandbox import EXAMPLE_EVENT_ID, GeneratedOrg, Incident
from auditbot.slack import ids
from auditbot.slack.render import render_help
from auditbot.terminal.demo_cli import banner
from tests.services.world import ANCHOR, fill_mirror
from tests.slack.harness import SlackWorld
from tests.test_readme import _SYNOPSIS, README, examples

DEMO_SEED: int = inspect.signature(start_demo).parameters["seed"].default
DEMO_DAYS = 30
README_SECTIONS = ("## The demo", "## In Slack")
_CODE_BLOCK = re.compile(r"```\n?(.*?)```", re.S)
_INLINE = re.compile(r"`(/audit[^`]*)`")
_CHANNEL = re.compile(r"(?<![<\w])#([a-z0-9][a-z0-9_-]*)")
NOTHING = ("No events matched", ":warning:", "How to fix", "Which channel is that?", "Nothing to investigate")


@pytest.fixture(scope="module")
def org() -> GeneratedOrg:
    return GeneratedOrg(DEMO_SEED, anchor=ANCHOR, days=DEMO_DAYS)


@pytest.fixture(scope="module")
def demo(org: GeneratedOrg) -> Iterator[SlackWorld]:
    """The app as the demo runs it: its org, a full mirror, #sec-alerts subscribed, its quick queries."""
    world = SlackWorld(org)
    try:
        fill_mirror(world.store, org, days=DEMO_DAYS)
        world.subscribe(DEMO_ALERTS)
        world.with_deps(quick_queries=demo_quick_queries(org))
        yield world
    finally:
        world.close()


# -- where the examples are -------------------------------------------------------------------------


def readme_examples() -> list[str]:
    text = README.read_text()
    found: list[str] = []
    for heading in README_SECTIONS:
        start = text.index(f"\n{heading}\n")
        end = text.find("\n## ", start + 1)
        found += examples(text[start : end if end > 0 else None])
    return found


def help_examples() -> list[str]:
    text = html.unescape("\n".join(_texts(render_help().blocks)))
    return [line.strip() for block in _CODE_BLOCK.findall(text) for line in block.splitlines() if line.strip()]


def banner_examples(org: GeneratedOrg) -> list[str]:
    lines = banner("http://demo.invalid", org.org_id, "http://sandbox.invalid", org.incidents)
    return [re.split(r"\s{2,}", line.strip())[0] for line in lines if line.strip().startswith("/audit")]


def home_view(world: SlackWorld) -> dict[str, Any]:
    world.home_opened()
    view: dict[str, Any] = world.calls("views.publish")[-1]["view"]
    return view


def home_examples(view: dict[str, Any]) -> list[str]:
    """The commands App Home's text shows (its buttons are clicked instead)."""
    return _INLINE.findall(html.unescape("\n".join(_texts(view["blocks"]))))


def home_buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if ids.HOME_QUICK_QUERY_PATTERN.match(element["action_id"])
    ]


def runnable(found: list[str]) -> list[str]:
    """Each example once (running one again may be answered "it already exists"), synopses left out:
    a synopsis shows a form, not a command to type."""
    return [example for example in dict.fromkeys(found) if not _SYNOPSIS.search(example.removeprefix("/audit"))]


# -- running them ---------------------------------------------------------------------------------


def as_slack_sends(example: str) -> str:
    """The command's text as Slack sends it: ``#name`` picked from the composer's list becomes ``<#C…|name>``."""
    by_name = {channel.name: channel.id for channel in seed.CHANNELS}

    def reference(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<#{by_name[name]}|{name}>" if name in by_name else match.group(0)

    return _CHANNEL.sub(reference, example.removeprefix("/audit").strip())


def run_command(world: SlackWorld, example: str) -> str:
    """Run ``example`` as Jane in #sec-alerts; the text of what she sees (a reply, or a window it opened)."""
    replies, windows = len(world.replies()), len(world.calls("views.open"))
    response = world.command(as_slack_sends(example))
    assert response.status == 200, example
    shown = [*world.replies()[replies:], *(call["view"] for call in world.calls("views.open")[windows:])]
    if response.body:
        shown.append(json.loads(response.body))
    assert shown, f"{example}: no answer at all"
    return "\n".join(_texts(shown))


def assert_answers(example: str, text: str) -> None:
    assert text.strip(), f"{example}: an empty answer"
    for nothing in NOTHING:
        assert nothing not in text, f"{example}: {nothing!r} in\n{text[:1500]}"


def check_example(world: SlackWorld, org: GeneratedOrg, example: str) -> None:
    text = run_command(world, example)
    assert_answers(example, text)
    for incident in org.incidents:
        if example.removeprefix("/audit").strip() == incident.query:
            assert incident.key_event_id in text, f"{example}: {incident.name} is not on the first page"
    if example.split()[1:2] == ["event"]:
        assert example.split()[2] in text, f"{example}: the event did not open"


def _texts(node: Any) -> Iterator[str]:
    """Every string in a Slack payload (texts, button values, alt texts) in document order."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)
    elif isinstance(node, str):
        yield node


# -- the tests -------------------------------------------------------------------------------------


def test_examples_are_found_in_every_place() -> None:
    readme, help_ = readme_examples(), help_examples()
    assert any("event" in e for e in readme) and any("subscribe" in e for e in readme)
    assert f"/audit event {EXAMPLE_EVENT_ID}" in readme
    assert f"/audit event {EXAMPLE_EVENT_ID}" in help_
    assert any("<#" in as_slack_sends(e) for e in runnable(readme)), "a README example names a channel"


def test_readme_examples_answer_in_the_demo(demo: SlackWorld, org: GeneratedOrg) -> None:
    for example in runnable(readme_examples()):
        check_example(demo, org, example)


def test_help_examples_answer_in_the_demo(demo: SlackWorld, org: GeneratedOrg) -> None:
    found = help_examples()
    assert len(found) >= 5
    for example in runnable(found):
        check_example(demo, org, example)


def test_the_demo_banner_examples_answer_and_land_on_each_incident(demo: SlackWorld, org: GeneratedOrg) -> None:
    found = banner_examples(org)
    assert {e.removeprefix("/audit ") for e in found} >= {incident.query for incident in org.incidents}
    for example in runnable(found):
        check_example(demo, org, example)


def test_each_app_home_quick_query_answers_in_the_dm_and_says_so(demo: SlackWorld, org: GeneratedOrg) -> None:
    view = home_view(demo)
    home_text = "\n".join(_texts(view["blocks"]))
    assert "Try these" in home_text and "your DM with auditbot" in home_text
    buttons = home_buttons(view)
    queries = [button["value"] for button in buttons]
    for incident in org.incidents:
        assert incident.query in queries, f"{incident.name} is not one click from App Home"
    for button in buttons:
        posted = len(demo.calls("chat.postMessage"))
        demo.click(button["action_id"], button["value"], container="view")
        answers = demo.calls("chat.postMessage")[posted:]
        assert [answer["channel"] for answer in answers] == [seed.JANE], button["value"]
        told = "\n".join(_texts(demo.calls("views.publish")[-1]["view"]["blocks"]))
        assert f"Sent the results of “{button['text']['text']}” to your DM with auditbot" in told, "App Home says so"
        text = "\n".join(_texts(answers))
        assert_answers(button["value"], text)
        for incident in org.incidents:
            if incident.query == button["value"]:
                assert incident.key_event_id in text, f"{incident.name}: not on the first page"
    for example in runnable(home_examples(view)):
        check_example(demo, org, example)


def messages_about(org: GeneratedOrg) -> list[tuple[str, str, str, Incident]]:
    """The demo's seeded messages, each with the incident whose actor it names."""
    said = seed.messages(org.incidents, org.org_id)
    found = []
    for channel, author, text in said:
        (incident,) = [incident for incident in org.incidents if incident.actor in text]
        found.append((channel, author, text, incident))
    assert {incident.name for *_, incident in found} == {incident.name for incident in org.incidents}
    return found


def test_investigate_on_each_seeded_message_finds_its_incident(demo: SlackWorld, org: GeneratedOrg) -> None:
    for channel, author, text, incident in messages_about(org):
        replies, windows = len(demo.replies()), len(demo.calls("views.open"))
        demo.message_shortcut(text, user=seed.JANE, channel=channel)
        results = "\n".join(_texts(demo.replies()[replies:]))
        opened = "\n".join(_texts([call["view"] for call in demo.calls("views.open")[windows:]]))
        assert_answers(text, results)
        assert incident.key_event_id in results + opened, f"{incident.name}: Investigate did not find it"
        if incident.key_event_id in text:
            assert incident.key_event_id in opened, f"{incident.name}: the event the message names was not opened"
        assert author in {person.id for person in seed.PEOPLE}


def test_the_seeded_admin_grant_message_names_readmes_example_event(org: GeneratedOrg) -> None:
    grant = next(text for _, _, text, incident in messages_about(org) if incident.name == "admin_granted_at_night")
    assert EXAMPLE_EVENT_ID in grant and org.org_id in grant
