"""Keyset paging of ``/events`` (newest first) and ``/events-stream`` (by processing time), incl. late events."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx

from auditbot.core.clock import ManualClock
from auditbot.sandbox import GeneratedOrg, SandboxApi
from auditbot.sandbox.builders import from_us, to_us
from auditbot.sandbox.store import StaticEventSource

from .helpers import ANCHOR, BASE, events_of, events_path, make_client, time_us, walk


def visible_ids(org: GeneratedOrg, clock: ManualClock) -> list[str]:
    now = to_us(clock.now())
    return [e.id for e in org.index(clock.now()).by_time if e.visible(now)]


def test_events_pages_cover_everything_once_newest_first(
    client: httpx.Client, api: SandboxApi, org: GeneratedOrg, clock: ManualClock
) -> None:
    pages = walk(client, events_path(api), {"limit": 500})
    events = events_of(pages)
    assert [e["id"] for e in events] == list(reversed(visible_ids(org, clock)))
    keys = [(time_us(e), e["id"]) for e in events]
    assert keys == sorted(keys, reverse=True)
    assert len(keys) == len(set(keys))
    assert all(len(p["data"]) == 500 and p["links"]["next"] for p in pages[:-1])
    assert pages[-1]["meta"] == {"next": None, "page_size": 500}
    assert pages[-1]["links"] == {}


def test_filtered_paging_with_an_odd_page_size_has_no_gap_or_duplicate(client: httpx.Client, api: SandboxApi) -> None:
    everything = events_of(walk(client, events_path(api), {"limit": 500, "q": "logged"}))
    pages = walk(client, events_path(api), {"limit": 37, "q": "logged"})
    assert [e["id"] for e in events_of(pages)] == [e["id"] for e in everything]
    cursors = [p["meta"]["next"] for p in pages[:-1]]
    assert any(set(c) & {"-", "_"} for c in cursors)
    assert all(set(c) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") for c in cursors)


def test_links_next_is_a_followable_url_and_self_is_the_request(client: httpx.Client, api: SandboxApi) -> None:
    page = client.get(events_path(api), params={"limit": 5, "action": "user_login"}).json()
    assert page["links"]["self"] == f"{BASE}{events_path(api)}?limit=5&action=user_login"
    next_url = page["links"]["next"]
    assert next_url.startswith(f"{BASE}{events_path(api)}?cursor=")
    assert parse_qs(urlsplit(next_url).query)["cursor"] == [page["meta"]["next"]]
    second = client.get(next_url).json()
    assert len(second["data"]) == 5
    assert {e["attributes"]["action"] for e in second["data"]} == {"user_login"}
    assert time_us(second["data"][0]) <= time_us(page["data"][-1])


def test_a_cursor_carries_the_query_and_overrides_other_parameters(client: httpx.Client, api: SandboxApi) -> None:
    first = client.get(events_path(api), params={"limit": 3, "action": "user_logout"}).json()
    params = {"cursor": first["meta"]["next"], "action": "user_login", "q": "zzz", "from": "oops"}
    second = client.get(events_path(api), params=params).json()
    assert len(second["data"]) == 3
    assert {e["attributes"]["action"] for e in second["data"]} == {"user_logout"}
    bigger = client.get(events_path(api), params={"cursor": first["meta"]["next"], "limit": 9}).json()
    assert len(bigger["data"]) == 9 and bigger["meta"]["page_size"] == 9
    assert [e["id"] for e in bigger["data"][:3]] == [e["id"] for e in second["data"]]


def test_stream_pages_are_ordered_by_processing_time(
    client: httpx.Client, api: SandboxApi, org: GeneratedOrg, clock: ManualClock
) -> None:
    pages = walk(client, events_path(api, "events-stream"), {"limit": 500})
    events = events_of(pages)
    keys = [(time_us(e, "processedAt"), e["id"]) for e in events]
    assert keys == sorted(keys)
    assert {e["id"] for e in events} == set(visible_ids(org, clock))
    assert all(p["meta"]["next"] and p["links"]["next"] for p in pages[:-1])
    assert pages[-1]["data"] == [] and pages[-1]["meta"]["next"] is None and pages[-1]["links"] == {}
    assert all("processedAt" in e["attributes"] for e in events)


def test_stream_default_limit_desc_order_and_processed_window(client: httpx.Client, api: SandboxApi) -> None:
    path = events_path(api, "events-stream")
    first = client.get(path).json()
    assert len(first["data"]) == 200 and first["meta"]["page_size"] == 200
    newest = client.get(path, params={"sortOrder": "desc", "limit": 50}).json()
    keys = [(time_us(e, "processedAt"), e["id"]) for e in newest["data"]]
    assert keys == sorted(keys, reverse=True)
    older = client.get(path, params={"cursor": newest["meta"]["next"]}).json()
    assert len(older["data"]) == 50
    assert (time_us(older["data"][0], "processedAt"), older["data"][0]["id"]) < keys[-1]
    start, end = keys[-1][0] // 1000, keys[0][0] // 1000
    window = events_of(walk(client, path, {"from": str(start), "to": str(end), "limit": 20}))
    assert {e["id"] for e in window} >= {e["id"] for e in newest["data"]}
    assert all(start <= time_us(e, "processedAt") // 1000 <= end for e in window)


def test_stream_poller_picks_up_late_events_with_its_last_cursor(org: GeneratedOrg) -> None:
    late = next(
        e
        for e in reversed(org.index(ANCHOR).by_time)
        if e.time_us < to_us(ANCHOR) - 3_600_000_000 and e.processed_us - e.time_us > 300_000_000
    )
    clock = ManualClock(from_us(late.time_us + 60_000_000))
    api = SandboxApi(org, org_id=org.org_id, clock=clock)
    with make_client(api) as client:
        path = events_path(api, "events-stream")
        since = str(late.time_us // 1000 - 3_600_000)
        pages = walk(client, path, {"from": since, "limit": 100})
        seen = {e["id"] for e in events_of(pages)}
        cursor = next(p["meta"]["next"] for p in reversed(pages) if p["data"])
        assert late.id not in seen
        assert client.get(events_path(api, f"events/{late.id}")).status_code == 404
        clock.set(from_us(late.processed_us))
        fresh = events_of(walk(client, path, {"cursor": cursor}))
        assert late.id in {e["id"] for e in fresh}
        assert seen.isdisjoint(e["id"] for e in fresh)
        assert client.get(events_path(api, f"events/{late.id}")).status_code == 200
        newest_first = client.get(events_path(api), params={"limit": 500, "from": since}).json()["data"]
        assert late.id in {e["id"] for e in newest_first}


def test_polling_the_last_cursor_when_nothing_is_new_gives_an_empty_page(
    client: httpx.Client, api: SandboxApi, clock: ManualClock
) -> None:
    path = events_path(api, "events-stream")
    last = client.get(path, params={"sortOrder": "asc", "from": str(to_us(ANCHOR) // 1000 - 600_000)}).json()
    assert last["data"] and last["meta"]["next"]
    empty = client.get(path, params={"cursor": last["meta"]["next"]}).json()
    assert empty == {"data": [], "meta": {"next": None, "page_size": 200}, "links": {}}
    clock.advance(1800)
    later = client.get(path, params={"cursor": last["meta"]["next"]}).json()
    assert later["data"] and later["meta"]["next"]
    assert time_us(later["data"][0], "processedAt") >= time_us(last["data"][-1], "processedAt")


def test_events_older_than_180_days_are_not_served(org: GeneratedOrg) -> None:
    index = org.index(ANCHOR)
    old, recent = index.by_time[0], index.by_time[-1]
    clock = ManualClock(from_us(old.time_us) + timedelta(days=181))
    api = SandboxApi(StaticEventSource([old, recent]), org_id=org.org_id, clock=clock)
    with make_client(api) as client:
        assert client.get(events_path(api, f"events/{old.id}")).status_code == 404
        assert client.get(events_path(api, f"events/{recent.id}")).status_code == 200
        assert [e["id"] for e in client.get(events_path(api)).json()["data"]] == [recent.id]
        assert [e["id"] for e in client.get(events_path(api, "events-stream")).json()["data"]] == [recent.id]
