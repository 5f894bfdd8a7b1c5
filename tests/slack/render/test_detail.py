"""The event detail modal: fields, actor, location, items, links, message and raw JSON."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from auditbot.slack import ids
from auditbot.slack.render import render_event_detail
from auditbot.slack.render.detail import detail_value, pivot_query, read_detail_value
from tests.slack.render.support import (
    SAMPLES,
    assert_safe,
    assert_view_within_limits,
    make_event,
    mrkdwn_texts,
    poisoned_event,
    sample_events,
)


def texts(view: dict[str, Any]) -> list[str]:
    return [t for b in view["blocks"] for t in _block_texts(b)]


def _block_texts(block: dict[str, Any]) -> list[str]:
    found = [block["text"]["text"]] if "text" in block else []
    found += [f["text"] for f in block.get("fields", [])]
    found += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return found


def test_the_modal_shape():
    view = render_event_detail(make_event(), "User added to group")
    assert view["type"] == "modal"
    assert view["callback_id"] == ids.EVENT_DETAIL
    assert view["title"]["text"] == "Audit event"
    assert view["close"]["text"] == "Close"
    assert "submit" not in view
    assert view["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "User added to group", "emoji": False},
    }
    assert_view_within_limits(view)
    assert_safe(view)


def test_the_fields_show_time_actor_place_and_items():
    event = make_event(
        processedAt="2026-11-20T13:45:14Z",
        actor={
            "id": "557058:aaaa",
            "name": "Jane Doe",
            "email": "jane@example.com",
            "auth": {"authType": "api-token", "tokenId": "t-1", "tokenLabel": "ci token"},
            "onBehalfOf": {"id": "557058:bbbb", "name": "Bob"},
            "app": {"id": "app-1", "type": "oauth", "attributes": {"name": "Sync"}},
        },
        location={"ip": "203.0.113.7", "city": "Sydney", "countryName": "Australia", "regionName": "NSW", "geo": "AP"},
    )
    all_text = "\n".join(texts(render_event_detail(event, "User added to group")))
    for expected in [
        "*When:* <!date^",
        "|2026-11-20 13:45 UTC> · processed <!date^",
        "Time (UTC)\n2026-11-20 13:45:12 UTC",
        "Processed at (UTC)\n2026-11-20 13:45:14 UTC",
        "Action id\nuser_added_to_group",
        "Event id\ne-1",
        "Name\nJane Doe",
        "Email\njane@example.com",
        "Account id\n557058:aaaa",
        "Auth type\napi-token",
        "Token\nci token · t-1",
        "On behalf of\nBob · 557058:bbbb",
        "App\noauth · app-1",
        "App name\nSync",
        "IP address\n203.0.113.7",
        "Place\nSydney, Australia",
        "Region\nNSW",
        "*Context 1 · groups*\nid: g1\ngroupName: site-admins",
        "*Container 1 · orgs*\nid: org1\nname: Example org",
        "Message: Jane was added",
    ]:
        assert expected in all_text


def test_atlassian_links_are_linked_and_others_are_not():
    event = make_event(
        actor={"id": "a", "links": {"alt": "https://admin.atlassian.com/o/1/users/a"}},
        context=[
            {"id": "1", "links": {"self": "https://api.atlassian.com/users/1/manage/profile"}},
            {"id": "2", "links": {"alt": "https://org.atlassian.net/x", "self": "https://evil.example/y"}},
        ],
    )
    all_text = "\n".join(mrkdwn_texts(render_event_detail(event, "x")["blocks"]))
    assert "*Actor* · <https://admin.atlassian.com/o/1/users/a|Open in Atlassian Administration>" in all_text
    assert "<https://api.atlassian.com/users/1/manage/profile|Open in the Admin API>" in all_text
    assert "atlassian.net" not in all_text.split("Raw JSON")[0] and "evil" not in all_text.split("Raw JSON")[0]


def test_the_raw_json_is_the_api_shape_in_one_code_block():
    event = make_event()
    view = render_event_detail(event, "x", show_raw=True)
    raw = view["blocks"][-2]["text"]["text"]
    assert raw.startswith("*Raw JSON*\n```\n") and raw.endswith("\n```")
    assert json.loads(raw.removeprefix("*Raw JSON*\n```\n").removesuffix("\n```")) == event.to_api_json()


def test_a_long_raw_json_is_truncated_with_a_note_and_backticks_cannot_end_the_block():
    event = make_event(context=[{"id": str(i), "attributes": {"note": "```` <!here> & more"}} for i in range(60)])
    view = render_event_detail(event, "x", raw_json_limit=2500, show_raw=True)
    raw = [t for t in mrkdwn_texts(view["blocks"]) if "```" in t]
    assert len(raw) == 1
    assert raw[0].count("```") == 2 and raw[0].endswith("```\n… (truncated)")
    assert "&lt;!here&gt; &amp;" in raw[0]
    assert_view_within_limits(view)
    assert_safe(view)


@pytest.mark.parametrize("limit", [0, 10, 6000, 100_000])
def test_any_raw_json_limit_stays_within_the_view(limit):
    event = make_event(context=[{"id": str(i), "attributes": {"v": "<&>" * 300}} for i in range(40)])
    view = render_event_detail(event, "x", raw_json_limit=limit, show_raw=True)
    assert_view_within_limits(view)
    raw = "\n".join(t for t in mrkdwn_texts(view["blocks"]) if "```" in t or "truncated" in t)
    assert "… (truncated)" in raw
    assert all(t.count("```") in (0, 2) for t in mrkdwn_texts(view["blocks"]))


def test_a_large_raw_json_limit_uses_several_code_blocks():
    event = make_event(context=[{"id": str(i), "attributes": {"v": "abc " * 50}} for i in range(25)])
    view = render_event_detail(event, "x", raw_json_limit=8000, show_raw=True)
    code = [t for t in mrkdwn_texts(view["blocks"]) if "```" in t]
    assert len(code) >= 3 and code[0].startswith("*Raw JSON*")


def test_items_beyond_the_view_get_a_more_line():
    items = [{"id": str(i), "type": "users", "attributes": {f"k{j}": "v" * 250 for j in range(8)}} for i in range(200)]
    view = render_event_detail(make_event(context=items), "x")
    assert_view_within_limits(view)
    more = [t for t in mrkdwn_texts(view["blocks"]) if re.match(r"\+\d+ more items", t)]
    shown = [t for t in mrkdwn_texts(view["blocks"]) if t.startswith("*Context ")]
    assert more and len(shown) + int(more[0].split()[0][1:]) == 201


def test_many_attributes_in_one_item_are_counted():
    attributes = {f"key{i}": "v" * 300 for i in range(40)}
    view = render_event_detail(make_event(context=[{"id": "1", "attributes": attributes}]), "x")
    item = next(t for t in mrkdwn_texts(view["blocks"]) if t.startswith("*Context 1"))
    assert re.search(r"\+\d+ more attributes$", item)


def test_non_string_attributes_are_shown_as_json():
    event = make_event(context=[{"id": "1", "attributes": {"n": 3, "flag": True, "list": ["a", 1], "none": None}}])
    item = next(t for t in mrkdwn_texts(render_event_detail(event, "x")["blocks"]) if t.startswith("*Context 1"))
    assert 'n: 3\nflag: true\nlist: ["a", 1]\nnone: null' in item


def test_every_real_sample_renders():
    for event in sample_events():
        view = render_event_detail(event, event.action)
        assert_view_within_limits(view)
        assert_safe(view)
    assert SAMPLES.exists()


def test_a_poisoned_event_renders_inert():
    view = render_event_detail(poisoned_event("<!channel> <https://evil.example|x> ```"), "<!here>")
    assert_view_within_limits(view)
    assert_safe(view)


def _controls(view: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (e["action_id"], e["text"]["text"], e.get("value", ""))
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def test_the_modal_pivots_and_the_raw_json_is_collapsed_by_default():
    view = render_event_detail(make_event(), "User added to group", channel_id="C0SEC")
    assert _controls(view) == [
        (f"{ids.EVENT_PIVOT}:actor", "This actor", "e-1|C0SEC"),
        (f"{ids.EVENT_PIVOT}:ip", "This address", "e-1|C0SEC"),
        (f"{ids.EVENT_PIVOT}:around", "\u00b11 hour around", "e-1|C0SEC"),
        (ids.EVENT_SHARE, "Share", "e-1|C0SEC"),
        (f"{ids.EVENT_RAW}:show", "Show raw JSON", "e-1|C0SEC"),
    ]
    all_text = "\n".join(mrkdwn_texts(view["blocks"]))
    assert "```" not in all_text and "Raw JSON" not in all_text
    assert "Results arrive in your messages with auditbot." in all_text
    for action_id, _, _ in _controls(view)[:3]:
        assert ids.EVENT_PIVOT_PATTERN.match(action_id)


def test_shown_raw_json_can_be_hidden_again():
    view = render_event_detail(make_event(), "x", show_raw=True)
    assert _controls(view)[-1] == (f"{ids.EVENT_RAW}:hide", "Hide raw JSON", "e-1|")
    assert ids.EVENT_SHARE not in [c[0] for c in _controls(view)], "no Share without a conversation"


def test_a_note_on_top_says_where_a_pivots_results_went():
    view = render_event_detail(make_event(), "x", note="This actor: the results are in your messages with auditbot.")
    assert view["blocks"][1]["elements"][0]["text"] == "This actor: the results are in your messages with auditbot."


def test_pivots_are_offered_only_for_what_the_event_has():
    system = make_event(actor={"id": "atlassian-internal-system"}, location={"ip": "not an address"})
    assert [c[1] for c in _controls(render_event_detail(system, "x"))] == ["\u00b11 hour around", "Show raw JSON"]


def test_pivot_searches_cover_the_event_and_end_by_now():
    event = make_event()
    now = event.attributes.time + timedelta(minutes=30)
    actor = "actor:jane@example.com since:2026-11-19T13:45:12Z until:2026-11-20T14:15:13Z"
    assert pivot_query(event, "actor", now) == actor
    assert pivot_query(event, "ip", now) == actor.replace("actor:jane@example.com", "ip:203.0.113.7")
    assert pivot_query(event, "around", now) == "since:2026-11-20T12:45:12Z until:2026-11-20T14:15:13Z"
    assert pivot_query(event, "nonsense", now) is None


def test_a_detail_value_reads_back():
    assert read_detail_value(detail_value("e-1", "C0SEC")) == ("e-1", "C0SEC")
    assert read_detail_value(detail_value("e-1", None)) == ("e-1", None)
    assert read_detail_value("e-1") == ("e-1", None)
