from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditbot.core.extract import MAX_TERMS, extract
from auditbot.core.query import MAX_QUERY_LENGTH, parse

ACCOUNT = "557058:bd955be1-e2d3-41e4-a3be-70bf24d0444e"
EVENT = "25e4c3e7-7f0d-4b84-8028-330fed144a51"


def test_a_slack_message_gives_up_emails_ips_accounts_and_events():
    text = (
        "Heads up: <mailto:Jane.Doe@Example.com|jane.doe@example.com> logged in from 203.0.113.7 and 2001:db8::1 "
        f"at 12:30. See <https://admin.atlassian.com/o/9a1jj823/users/{ACCOUNT}|profile>, event {EVENT} "
        "and account 5b86be50b8e3cb5895860d6d."
    )
    found = extract(text)
    assert found.emails == ("jane.doe@example.com",)
    assert found.account_ids == (ACCOUNT, "5b86be50b8e3cb5895860d6d")
    assert found.ips == ("203.0.113.7", "2001:db8::1")
    assert found.event_ids == (EVENT,)
    assert found.summary() == "1 email, 2 account ids, 2 IP addresses, 1 event id"
    query = found.query()
    assert parse(query.canonical) == query


@pytest.mark.parametrize(
    "text",
    ["version 1.2.3.4.5", "at 12:30", "999.1.1.1", "ratio 3:2", "::", "no@tld", "a.b@c"],
)
def test_lookalikes_are_not_taken(text):
    assert extract(text).empty


def test_an_event_link_gives_its_event_id():
    found = extract(f"https://admin.atlassian.com/o/abc/audit-log/events/{EVENT}")
    assert found.event_ids == (EVENT,)


def test_escaped_slack_text_is_read():
    assert extract("&lt;198.51.100.2&gt;").ips == ("198.51.100.2",)


def test_a_pasted_log_is_capped():
    text = " ".join(f"198.51.100.{i}" for i in range(60))
    found = extract(text)
    assert len(found.ips) == MAX_TERMS
    assert found.notes


def test_many_long_values_still_make_a_query_within_the_length_cap():
    text = " ".join(f"someone.with.a.long.name.{i}@subdomain.example.com 2001:db8::{i:x}" for i in range(40))
    query = extract(text).query()
    assert len(query.canonical) <= MAX_QUERY_LENGTH
    assert parse(query.canonical) == query


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_valid_query(text):
    found = extract(text)
    assert parse(found.query().canonical) == found.query()
