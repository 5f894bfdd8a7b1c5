"""Properties: any event and any result page render within every limit, inert, without raising."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditbot.core.model import AuditEvent
from auditbot.core.timespec import TimeWindow
from auditbot.services.result_summary import Narrowing, ResultSummary
from auditbot.services.search import FoundEvent, ResultPage
from auditbot.slack.render import render_event_detail, render_results
from tests.slack.render.support import CORPUS, assert_safe, assert_view_within_limits, assert_within_limits

SETTINGS = settings(
    max_examples=int(os.environ.get("RENDER_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

_huge = st.builds(
    lambda piece, n: piece * n,
    st.sampled_from(["&", "<", ">", "a", "\U0001f600", "\u202e", "`", "|", "\n", "<!channel>", "é"]),
    st.integers(500, 12_000),
)
text = st.one_of(st.text(max_size=40), st.sampled_from(CORPUS), _huge)
small = st.one_of(st.text(max_size=12), st.sampled_from(CORPUS[:14]))
maybe = st.none() | text
links = st.none() | st.fixed_dictionaries({}, optional={"self": maybe, "alt": maybe})
values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(small, inner, max_size=3),
    max_leaves=6,
)
items = st.lists(
    st.fixed_dictionaries(
        {},
        optional={"id": maybe, "type": maybe, "attributes": st.dictionaries(small, values, max_size=8), "links": links},
    ),
    max_size=40,
)
times = st.datetimes(datetime(1971, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)).map(lambda t: t.isoformat())
actors = st.fixed_dictionaries(
    {"id": text},
    optional={
        "name": maybe,
        "email": maybe,
        "links": links,
        "auth": st.fixed_dictionaries({}, optional={"authType": maybe, "tokenId": maybe, "tokenLabel": maybe}),
        "onBehalfOf": st.fixed_dictionaries({"id": text}, optional={"name": maybe, "email": maybe}),
        "app": st.fixed_dictionaries(
            {"id": text}, optional={"type": maybe, "attributes": st.dictionaries(small, values)}
        ),
    },
)
locations = st.none() | st.fixed_dictionaries(
    {}, optional={k: maybe for k in ("ip", "geo", "countryName", "regionName", "city")}
)
event_dicts = st.fixed_dictionaries(
    {
        "id": text,
        "attributes": st.fixed_dictionaries(
            {"time": times, "action": text, "actor": actors},
            optional={"processedAt": times, "context": items, "container": items, "location": locations},
        ),
    },
    optional={"type": maybe, "links": links, "message": st.fixed_dictionaries({}, optional={"content": maybe})},
)
events = event_dicts.map(AuditEvent.model_validate)


@SETTINGS
@given(event=events, name=text, limit=st.integers(-10, 20_000), show_raw=st.booleans(), channel=st.none() | text)
def test_any_event_detail_is_within_limits_and_inert(event, name, limit, show_raw, channel):
    view = render_event_detail(event, name, raw_json_limit=limit, show_raw=show_raw, channel_id=channel)
    assert_view_within_limits(view)
    assert_safe(view)


states = st.none() | st.text(min_size=1, max_size=2000)
narrowings = st.lists(st.builds(Narrowing, text, st.integers(0, 10**9), states), max_size=3)
summaries = st.none() | st.builds(ResultSummary, st.integers(0, 10**9), st.booleans(), narrowings, narrowings)


@SETTINGS
@given(
    pool=st.lists(st.tuples(events, text), min_size=1, max_size=4),
    count=st.integers(0, 100),
    query=text,
    start=st.datetimes(datetime(1971, 1, 1), datetime(2099, 1, 1), timezones=st.just(UTC)),
    page=st.integers(1, 10_000),
    states=st.tuples(st.text(min_size=1, max_size=2000), states, states, states),
    partial=st.booleans(),
    retry_after=st.none() | st.floats(0, 1e6),
    source=st.sampled_from(["live", "mirror"]) | text,
    notes=st.lists(text, max_size=14),
    shared_by=st.none() | st.sampled_from(["U0ABC", "W12", "<!channel>", ""]),
    intro=st.none() | text,
    summary=summaries,
)
def test_any_result_page_is_within_limits_and_inert(
    pool, count, query, start, page, states, partial, retry_after, source, notes, shared_by, intro, summary
):
    found = tuple(FoundEvent(pool[i % len(pool)][0], pool[i % len(pool)][1]) for i in range(count))
    result = ResultPage(
        events=found,
        query=query,
        window=TimeWindow(start, start + timedelta(days=7)),
        page=page,
        state=states[0],
        next_state=states[1],
        prev_state=states[2],
        first_state=states[3],
        scanned=count * 3,
        partial=partial,
        retry_after=retry_after,
        source=source,
        notes=tuple(notes),
        summary=summary,
    )
    message = render_results(result, shared_by=shared_by, intro=intro)
    assert_within_limits(message.blocks)
    assert_safe(message, sharer="U0ABC" if shared_by == "U0ABC" else "W12" if shared_by == "W12" else None)
