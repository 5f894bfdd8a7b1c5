"""Data cannot style a Slack message, and a notification's text cannot link or mention from data.

The analysis here is formatter-free and deliberately stricter than Slack: every ``*``, ``~`` and
backtick counts as a possible delimiter wherever it stands, an ``_`` does unless it sits between
two letters or digits, and so does a ``>`` (``&gt;``) that starts a line; code spans and auditbot's
own ``<…>`` sequences (checked elsewhere by ``assert_safe``) are set aside first. A message rendered
from hostile data must show exactly the delimiters it shows when every styling character in the
data is replaced by a character that does not style: then all of them are auditbot's own.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditbot.core.handoff import Aggregates, Tally
from auditbot.core.model import AuditEvent
from auditbot.core.timespec import TimeWindow
from auditbot.services.delivery import AlertItem
from auditbot.services.handoff import Handoff, OpenAlert, RunningSnooze
from auditbot.slack.render import kit, render_event_detail, render_results
from auditbot.slack.render.alerts import (
    render_alert,
    render_burst_part,
    render_burst_summary,
    render_snooze_ended,
    render_snoozed,
)
from auditbot.slack.render.handoff import render_handoff
from auditbot.slack.render.safe import md
from auditbot.slack.render.views import Message
from tests.slack.render.support import NOW, assert_safe, make_page, mrkdwn_texts, poisoned_event

STYLING = "*_~`>"
HOSTILE = (
    "*bold* _it_ ~s~ `code` ```block``` > quote",
    "> *quoted bold*\n>> _nested_",
    "a*b*c x_y_z _lead trail_ ~~two~~ ``pair``",
    "jane_doe@example.com <https://evil.example|*x*> https://evil.example/_a_",
    "*",
    "_",
    "`",
    "line\n> quote\n```\nbreak out``` *",
)


def benign(text: str) -> str:
    """``text`` with every styling character replaced by one that does not style and takes the same
    room once escaped (``>`` by ``<``, both four characters as entities; the others by a letter)."""
    return re.sub(f"[{re.escape(STYLING)}]", lambda m: "<" if m.group() == ">" else "x", text)


_CODE_BLOCK_RE = re.compile(r"```[\s\S]*?```")
_INLINE_CODE_RE = re.compile(r"`[^`\n]*`")
_SEQUENCE_RE = re.compile(r"<[^<>\n]*>")


def delimiters(text: str) -> list[str]:
    """Every character of a mrkdwn text that Slack might take as styling, in order (see the module doc)."""
    found: list[str] = []
    for part in re.split(f"({_CODE_BLOCK_RE.pattern})", text):
        if part.startswith("```"):
            found.append("```")
            continue
        for piece in re.split(f"({_INLINE_CODE_RE.pattern})", _SEQUENCE_RE.sub("", part)):
            if piece.startswith("`") and len(piece) > 1:
                found.append("`code`")
                continue
            for line in piece.split("\n"):
                if re.match(r"\s*(&gt;|>)", line):
                    found.append(">")
                for i, ch in enumerate(line):
                    if ch in "*~`":
                        found.append(ch)
                    elif ch == "_" and not (
                        0 < i < len(line) - 1 and _ascii_word(line[i - 1]) and _ascii_word(line[i + 1])
                    ):
                        found.append("_")
    return found


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def skeleton(payload: Message | dict[str, Any] | list[dict[str, Any]]) -> list[list[str]]:
    blocks = payload.blocks if isinstance(payload, Message) else payload
    return [delimiters(text) for text in mrkdwn_texts(blocks)]


def assert_data_adds_no_styling(render: Any, s: str) -> None:
    hostile, plain = render(s), render(benign(s))
    assert skeleton(hostile) == skeleton(plain), f"data styled the message: {s!r}"
    if isinstance(hostile, Message):
        assert_unlinked(hostile.text)


def assert_unlinked(text: str) -> None:
    """A top-level ``text`` with nothing Slack could auto-link: no ``@``, no ``://``, no dotted word."""
    assert "@" not in text and "://" not in text, text
    assert not re.search(r"\w\.\w", text), text
    assert delimiters(text) == delimiters(benign(text)) or not set(text) & set("*~`"), text


# -- the escaper itself ----------------------------------------------------------------------------------


@given(st.text(), st.booleans())
def test_no_data_string_produces_styling_a_link_or_a_mention(text, multiline):
    out = md(text, 3000, multiline=multiline)
    assert delimiters(out) == [], out
    assert "<" not in out and ">" not in out
    for template in ("*{}*", "_{}_", "~{}~", "by {} · x", "{}: 3"):
        wrapped = template.format(out)
        assert delimiters(wrapped) == delimiters(template.format("x")), wrapped


@given(st.text())
def test_no_data_string_links_or_mentions_in_a_notification(text):
    out = kit.fallback(f"Audit alert: {text}")
    assert_unlinked(out)
    assert "<" not in out and delimiters(out) == []


def test_names_and_emails_keep_their_inner_underscores():
    assert md("jane_doe@example.com", 100) == "jane_doe@example.com"
    assert md("svc_deploy_bot", 100) == "svc_deploy_bot"
    assert md("zoë_x", 100) == "zoë\u02cdx", "next to a non-ASCII letter it could open italics in some readings"
    assert md("_x_ *y* ~z~ `w`", 100) == "\u02cdx\u02cd \u2217y\u2217 \u223cz\u223c \u02cbw\u02cb"
    assert md("> quoted\n  > again", 100, multiline=True) == "\u203a quoted\n  \u203a again"
    assert md("a > b", 100) == "a &gt; b"


def test_a_notification_names_the_actor_without_linking_it():
    assert kit.fallback("by jane@example.com from https://evil.example/x") == (
        "by jane\uff20example\u2024com from https\u2236//evil\u2024example/x"
    )


# -- every renderer that shows event data --------------------------------------------------------------------


def styled_event(s: str) -> AuditEvent:
    return poisoned_event(s)


def _item(s: str) -> AlertItem:
    return AlertItem(styled_event(s), s, ("sub-abc", "sub-def"))


def _handoff(s: str) -> Handoff:
    event = styled_event(s)
    tally = Tally(s, s, 3)
    aggregates = Aggregates(
        total=12,
        by_action=(Tally("user_login", s, 5), tally),
        top_actors=(tally,),
        new_actors=(tally,),
        new_ips=(tally,),
        new_countries=(tally,),
        notable=(event,),
        notable_total=1,
        failed_login_bursts=(tally,),
    )
    return Handoff(
        window=TimeWindow(NOW - timedelta(hours=12), NOW),
        query=s,
        aggregates=aggregates,
        previous_total=10,
        action_names={"user_login": s, s: s},
        groups=(tally,),
        source="mirror",
        open_alerts=(OpenAlert("C0ALERTS", "e-1", "sub-abc", None),),
        snoozes=(RunningSnooze("sub-abc", s, s, NOW + timedelta(hours=1)),),
        mirror_state=s,
        budget_note=s,
        notes=(s,),
        risky={s: s},
    )


RENDERERS = {
    "results": lambda s: render_results(
        make_page([styled_event(s)] * 3, query=s, notes=(s,), source=s, action_name=s), intro=s
    ),
    "shared results": lambda s: render_results(make_page([styled_event(s)], action_name=s), shared_by="U0ABC"),
    "detail": lambda s: render_event_detail(styled_event(s), s)["blocks"],
    "alert": lambda s: render_alert(_item(s)),
    "acknowledged alert": lambda s: render_alert(_item(s), acknowledged=("U0ABC", NOW)),
    "burst summary": lambda s: render_burst_summary([_item(s), _item(s + "2")], total=40, batch="b-1"),
    "burst part": lambda s: render_burst_part([_item(s), _item(s + "2")]),
    "snoozed": lambda s: render_snoozed("U0ABC", s, s, NOW),
    "snooze ended": lambda s: render_snooze_ended(s, s, "sub-abc"),
    "handoff": lambda s: render_handoff(_handoff(s), state="st"),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
@pytest.mark.parametrize("s", HOSTILE, ids=[f"{i}" for i in range(len(HOSTILE))])
def test_event_data_adds_no_styling_in_any_message(name, s):
    render = RENDERERS[name]
    assert_data_adds_no_styling(render, s)
    rendered = render(s)
    if name == "handoff":  # it names the alert channels with <#C…>, its own sequences
        rendered = [
            {**b, "text": {**b["text"], "text": b["text"]["text"].replace("<#C0ALERTS>", "#alerts")}}
            if "text" in b and isinstance(b["text"], dict)
            else b
            for b in rendered.blocks
        ]
    assert_safe(rendered, sharer="U0ABC")


def test_the_analysis_would_see_styling_that_data_brought_in():
    """The check above can fail: the same analysis flags raw data in a template."""
    raw = [{"type": "section", "text": {"type": "mrkdwn", "text": f"by {HOSTILE[0]}", "verbatim": True}}]
    clean_ = [{"type": "section", "text": {"type": "mrkdwn", "text": f"by {benign(HOSTILE[0])}", "verbatim": True}}]
    assert skeleton(raw) != skeleton(clean_)


def test_the_alert_notification_text_links_nothing_from_data():
    event = AuditEvent.model_validate(
        {
            "id": "e-9",
            "type": "events",
            "attributes": {
                "time": datetime(2026, 11, 20, 13, 45, tzinfo=UTC).isoformat(),
                "action": "user_login",
                "actor": {"id": "a-1", "name": "https://evil.example/login", "email": "<!here> ops@evil.example"},
            },
        }
    )
    text = render_alert(AlertItem(event, "User logged in via https://evil.example", ("sub-abc",))).text
    assert_unlinked(text)
    assert "evil\u2024example" in text
