"""The query grammar, table-driven: what each input means, its canonical text, and its errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from ipaddress import ip_address, ip_network
from zoneinfo import ZoneInfo

import pytest

from auditbot.core.query import (
    MAX_QUERY_LENGTH,
    PRODUCTS,
    QUERY_HELP,
    Query,
    QueryError,
    TermSpan,
    TimeWindow,
    format_query,
    parse,
    split_ips,
)
from auditbot.core.timespec import DateSpec, DateTimeSpec, DaySpec, NowSpec, RelativeSpec, WeekdaySpec

D7 = RelativeSpec(((7, "d"),))
H24 = RelativeSpec(((24, "h"),))

# (input, expected Query, canonical text)
VALID: list[tuple[str, Query | None, str | None]] = [
    # every query line of DESIGN §2
    (
        "actor:jane@example.com since:24h",
        Query(actors=("jane@example.com",), since=H24),
        "actor:jane@example.com since:24h",
    ),
    (
        'action:"user added to group" since:2026-11-01 until:2026-11-08',
        Query(actions=("user added to group",), since=DateSpec(date(2026, 11, 1)), until=DateSpec(date(2026, 11, 8))),
        'action:"user added to group" since:2026-11-01 until:2026-11-08',
    ),
    (
        "ip:203.0.113.7,198.51.100.2 -actor:scim@example.com last:7d",
        Query(ips=(ip_address("203.0.113.7"), ip_address("198.51.100.2")), not_actors=("scim@example.com",), since=D7),
        "-actor:scim@example.com ip:203.0.113.7,198.51.100.2 since:7d",
    ),
    (
        '"api token" since:yesterday',
        Query(text=("api token",), since=DaySpec("yesterday")),
        'since:yesterday "api token"',
    ),
    ("action:added_org_admin", Query(actions=("added_org_admin",)), "action:added_org_admin"),
    # the table's examples
    ("actor:a@x.com,acct-id", Query(actors=("a@x.com", "acct-id")), "actor:a@x.com,acct-id"),
    ('group:"User management"', Query(groups=("User management",)), 'group:"User management"'),
    (
        "ip:203.0.113.7,198.51.100.0/24",
        Query(ips=(ip_address("203.0.113.7"), ip_network("198.51.100.0/24"))),
        "ip:203.0.113.7,198.51.100.0/24",
    ),
    ("product:jira,confluence", Query(products=("jira", "confluence")), "product:jira,confluence"),
    ('location:"Sydney, Australia"', Query(locations=("Sydney, Australia",)), 'location:"Sydney, Australia"'),
    # empty query: the default window
    ("", Query(), ""),
    ("   \t\n ", Query(), ""),
    # actors: emails lower-cased, ids kept as they are
    (
        "actor:Jane@Example.COM,5b10a2844c20165700ede21g,557058:f1e2d3c4-0000-4000-8000-123456789abc",
        Query(actors=("jane@example.com", "5b10a2844c20165700ede21g", "557058:f1e2d3c4-0000-4000-8000-123456789abc")),
        "actor:jane@example.com,5b10a2844c20165700ede21g,557058:f1e2d3c4-0000-4000-8000-123456789abc",
    ),
    ("actor:atlassian-internal-system", Query(actors=("atlassian-internal-system",)), None),
    ("actor:ABCdef", Query(actors=("ABCdef",)), "actor:ABCdef"),
    ("actor:a@x.com actor:b@x.com,A@X.com", Query(actors=("a@x.com", "b@x.com")), "actor:a@x.com,b@x.com"),
    ('actor:"Jane Doe"', Query(actors=("Jane Doe",)), 'actor:"Jane Doe"'),
    ("-actor:a@x.com -actor:b@x.com", Query(not_actors=("a@x.com", "b@x.com")), "-actor:a@x.com,b@x.com"),
    ("ACTOR:a@x.com", Query(actors=("a@x.com",)), "actor:a@x.com"),
    # actions: raw text, several with commas, quoted display names
    ("action:a,b,a", Query(actions=("a", "b")), "action:a,b"),
    (
        'action:"user added to group",user_created',
        Query(actions=("user added to group", "user_created")),
        'action:"user added to group",user_created',
    ),
    ('action:"a, b",c', Query(actions=("a, b", "c")), 'action:"a, b",c'),
    ('action:x"y z"', Query(actions=("xy z",)), 'action:"xy z"'),
    ("-action:user_login", Query(not_actions=("user_login",)), "-action:user_login"),
    ('action:"  spaced   out  "', Query(actions=("spaced out",)), 'action:"spaced out"'),
    # groups
    ('group:"User management","Org admin"', Query(groups=("User management", "Org admin")), None),
    ('-group:"API tokens"', Query(not_groups=("API tokens",)), '-group:"API tokens"'),
    # IPs: canonical compressed forms; /32 and /128 are addresses
    ("ip:2001:DB8:0:0::1", Query(ips=(ip_address("2001:db8::1"),)), "ip:2001:db8::1"),
    ("ip:2001:db8::/32", Query(ips=(ip_network("2001:db8::/32"),)), "ip:2001:db8::/32"),
    ("ip:203.0.113.7/32", Query(ips=(ip_address("203.0.113.7"),)), "ip:203.0.113.7"),
    ("ip:::1/128,::1", Query(ips=(ip_address("::1"),)), "ip:::1"),
    ("ip:10.0.0.0/255.0.0.0", Query(ips=(ip_network("10.0.0.0/8"),)), "ip:10.0.0.0/8"),
    ("-ip:10.0.0.0/8,192.168.1.1", Query(not_ips=(ip_network("10.0.0.0/8"), ip_address("192.168.1.1"))), None),
    ("ip:::ffff:1.2.3.4", Query(ips=(ip_address("::ffff:1.2.3.4"),)), None),  # text differs by Python version
    # products: case-insensitive, aliases
    ("product:JIRA,Confluence,jira", Query(products=("jira", "confluence")), "product:jira,confluence"),
    ("product:guard-detect,guard", Query(products=("guard_detect",)), "product:guard_detect"),
    ('product:"Guard Detect"', Query(products=("guard_detect",)), "product:guard_detect"),
    ("-product:loom,bitbucket", Query(not_products=("loom", "bitbucket")), "-product:loom,bitbucket"),
    # locations: one value each, commas belong to it, repeat for more
    (
        'location:"Sydney, Australia" location:Berlin location:Sydney,Australia',
        Query(locations=("Sydney, Australia", "Berlin", "Sydney,Australia")),
        'location:"Sydney, Australia" location:Berlin location:"Sydney,Australia"',
    ),
    ('-location:"Lagos, Nigeria"', Query(not_locations=("Lagos, Nigeria",)), '-location:"Lagos, Nigeria"'),
    # time terms and aliases
    (
        "from:2026-11-01 to:2026-11-08",
        Query(since=DateSpec(date(2026, 11, 1)), until=DateSpec(date(2026, 11, 8))),
        None,
    ),
    ("last:7d", Query(since=D7), "since:7d"),
    ("since:7days", Query(since=D7), "since:7d"),
    ("since:15m", Query(since=RelativeSpec(((15, "m"),))), "since:15m"),
    ("since:2w", Query(since=RelativeSpec(((2, "w"),))), "since:2w"),
    ("since:2026-11-20T14:00", Query(since=DateTimeSpec(datetime(2026, 11, 20, 14))), "since:2026-11-20T14:00"),
    ('since:"2026-11-20 14:00:30"', Query(since=DateTimeSpec(datetime(2026, 11, 20, 14, 0, 30))), None),
    ("until:now", Query(until=NowSpec()), "until:now"),
    ("since:today", Query(since=DaySpec("today")), "since:today"),
    ("since:MON until:fri", Query(since=WeekdaySpec(0), until=WeekdaySpec(4)), "since:monday until:friday"),
    ("until:2026-11-08 since:2026-11-08", None, "since:2026-11-08 until:2026-11-08"),
    ("since:2h until:1h", None, "since:2h until:1h"),
    ("since:2026-11-20T14:00:00.5+01:00", None, "since:2026-11-20T13:00:00.5Z"),
    # free text: order kept, quoted phrases, pasted URLs, times and ids
    ("api token rotated", Query(text=("api", "token", "rotated")), "api token rotated"),
    ('"api token"', Query(text=("api token",)), '"api token"'),
    ('"token"', Query(text=("token",)), "token"),
    ('""', Query(), ""),
    ("https://admin.atlassian.com/o/abc/audit-log?x=1", None, "https://admin.atlassian.com/o/abc/audit-log?x=1"),
    ("HTTP://example.com", None, "HTTP://example.com"),
    ("mailto:jane@example.com", None, "mailto:jane@example.com"),
    ("ari:cloud:identity::user/557058:abc", None, "ari:cloud:identity::user/557058:abc"),
    ("12:30 557058:abc 2001:db8::1 fe80::1 ab::1", None, "12:30 557058:abc 2001:db8::1 fe80::1 ab::1"),
    ("ticket SEC-123 C:\\temp\\x", None, "ticket SEC-123 C:\\temp\\x"),
    ('"actor:jane"', Query(text=("actor:jane",)), '"actor:jane"'),
    ('"acter:x"', Query(text=("acter:x",)), '"acter:x"'),
    ('"-x"', Query(text=("-x",)), '"-x"'),
    ("- -- --x", Query(text=("-", "--", "--x")), '"-" "--" "--x"'),
    ("a b a", Query(text=("a", "b", "a")), "a b a"),
    # quoting and escapes
    (r'"say \"hi\""', Query(text=('say "hi"',)), r'"say \"hi\""'),
    (r'action:"a\"b"', Query(actions=('a"b',)), r'action:"a\"b"'),
    (r'"back\\slash"', Query(text=("back\\slash",)), "back\\slash"),
    (r'"a\b c"', Query(text=("a\\b c",)), r'"a\b c"'),
    (r'"ends with\\"', Query(text=("ends with\\",)), r'"ends with\\"'),
    ("a\\", Query(text=("a\\",)), "a\\"),
    ('ab"c d"e', Query(text=("abc de",)), '"abc de"'),
    ('action:"x",“y z”', Query(actions=("x", "y z")), 'action:x,"y z"'),
    ("“user added to group” „Sydney“", Query(text=("user added to group", "Sydney")), '"user added to group" Sydney'),
    (r'"\“quoted\”"', Query(text=("“quoted”",)), r'"\“quoted\”"'),
    ('actor:"-leading"', Query(actors=("-leading",)), 'actor:"-leading"'),
    ("actor:-dash", Query(actors=("-dash",)), 'actor:"-dash"'),
    # whitespace of every kind separates; inside quotes it collapses to one space
    ("actor:a@x.com\u00a0since:1d\u3000x", None, "actor:a@x.com since:1d x"),
    ('"new\nline"', Query(text=("new line",)), '"new line"'),
    # unicode
    ("actor:ÄNNE@Beispiel.de größe 東京", None, "actor:änne@beispiel.de größe 東京"),
    ('location:"São Paulo, Brazil"', Query(locations=("São Paulo, Brazil",)), 'location:"São Paulo, Brazil"'),
    # everything at once, in a scrambled order
    (
        'x since:3d -product:loom product:jira action:b -ip:10.0.0.0/8 actor:a@x.com "y z" location:L -group:G '
        "group:H -action:c ip:1.2.3.4 -actor:b until:1d -location:M",
        None,
        "actor:a@x.com -actor:b action:b -action:c group:H -group:G ip:1.2.3.4 -ip:10.0.0.0/8 product:jira "
        '-product:loom location:L -location:M since:3d until:1d x "y z"',
    ),
]


@pytest.mark.parametrize(("text", "expected", "canonical"), VALID)
def test_valid(text: str, expected: Query | None, canonical: str | None) -> None:
    query = parse(text)
    if expected is not None:
        assert query == expected
    if canonical is not None:
        assert format_query(query) == canonical
    again = parse(format_query(query))
    assert again == query
    assert format_query(again) == format_query(query)


# (input, message fragment, 0-based column, length, first suggestion: the whole corrected query)
ERRORS: list[tuple[str, str, int, int, str | None]] = [
    ("acter:x", 'Unknown term "acter"', 0, 5, "actor:x"),
    ("since:1d acton:user_created", 'Unknown term "acton"', 9, 5, "since:1d action:user_created"),
    ("-acter:x", 'Unknown term "-acter"', 0, 6, "-actor:x"),
    ("user:jane@x.com", 'Unknown term "user"', 0, 4, "actor:jane@x.com"),
    ("prodcut:jira", 'Unknown term "prodcut"', 0, 7, "product:jira"),
    ("lst:7d", 'Unknown term "lst"', 0, 3, "last:7d"),
    ("foo:bar", 'Unknown term "foo"', 0, 3, None),
    ("Re: hello", 'Unknown term "Re"', 0, 2, None),
    ("actor:", "Empty value for actor:", 0, 6, None),
    ("x -ip:", "Empty value for -ip:", 2, 4, None),
    ('actor:""', "Empty value for actor:", 6, 2, None),
    ('actor:"  "', "Empty value for actor:", 6, 4, None),
    ("actor:a,,b", "Empty value in actor:", 7, 1, None),
    ("actor:a,", "Empty value in actor:", 7, 1, None),
    ("actor:,a", "Empty value in actor:", 6, 1, None),
    ('actor:a,"",b', "Empty value in actor:", 7, 1, None),
    ("since:", "Empty value for since:", 0, 6, None),
    ('"abc', "Unterminated quote", 0, 4, None),
    ('foo "bar baz', "Unterminated quote", 4, 8, None),
    ('action:"user added', "Unterminated quote", 7, 11, None),
    ('"a" "b" "c', "Unterminated quote", 8, 2, None),
    ('say \\"hi', "Unterminated quote", 5, 3, None),
    ("ip:1.2.3.400", 'Invalid IP address or range "1.2.3.400"', 3, 9, None),
    ("ip:1.2.3.4,nope", 'Invalid IP address or range "nope"', 11, 4, None),
    ("ip:198.51.100.7/24", "host bits set", 3, 15, "ip:198.51.100.0/24"),
    ("-ip:10.1.2.3/8", "host bits set", 4, 10, "-ip:10.0.0.0/8"),
    ("ip:fe80::1%eth0", "zone ids", 3, 12, None),
    ("ip:010.0.0.1", "Invalid IP", 3, 9, None),
    ("product:jiraa", 'Unknown product "jiraa"', 8, 5, "product:jira"),
    ("product:jira,confluense", 'Unknown product "confluense"', 13, 10, "product:jira,confluence"),
    ("product:trello", 'Unknown product "trello"', 8, 6, None),
    ("since:yesterdy", 'Unknown time "yesterdy" in since:', 6, 8, "since:yesterday"),
    ("to:tomorrow", "Unknown time", 3, 8, None),
    ("from:2026-02-30", "not a valid date", 5, 10, None),
    ("since:3mo", "Months and years", 6, 3, None),
    ("last:monday", "last: takes a duration", 5, 6, "since:monday"),
    ("last:2026-11-01", "last: takes a duration", 5, 10, "since:2026-11-01"),
    ("since:1d since:2d", "Two starts for the window (since: and since:)", 9, 8, None),
    ("from:1d last:2d", "Two starts for the window (from: and last:)", 8, 7, None),
    ("until:1d to:now", "Two ends for the window (until: and to:)", 9, 6, None),
    (
        "since:2026-11-08 until:2026-11-01",
        "since:2026-11-08 is after until:2026-11-01",
        0,
        16,
        "since:2026-11-01 until:2026-11-08",
    ),
    ("until:2026-11-01 since:2026-11-08", "is after", 17, 16, "until:2026-11-08 since:2026-11-01"),
    ("since:1h until:2h", "since:1h is more recent than until:2h", 0, 8, "since:2h until:1h"),
    ("-since:1d", "since: cannot be excluded", 0, 9, None),
    ("-last:1d", "last: cannot be excluded", 0, 8, None),
    ("-foo", "Free text cannot be excluded", 0, 4, '"-foo"'),
    ('x -"a b"', "Free text cannot be excluded", 2, 6, 'x "-a b"'),
    ("-12:30", "Free text cannot be excluded", 0, 6, None),
    ("-https://x.org", "Free text cannot be excluded", 0, 14, None),
    ("location:Sydney, Australia", "Unquoted location ends with a comma", 0, 16, None),
    ("a\x00b", "Unsupported character U+0000", 1, 1, None),
    ("a\x1bb", "Unsupported character U+001B", 1, 1, None),
    ("x\ud800", "Unsupported character U+D800", 1, 1, None),
    (
        "x" * (MAX_QUERY_LENGTH + 5),
        f"The query is too long ({MAX_QUERY_LENGTH + 5} characters)",
        MAX_QUERY_LENGTH,
        5,
        None,
    ),
]


@pytest.mark.parametrize(("text", "fragment", "column", "length", "suggestion"), ERRORS)
def test_errors(text: str, fragment: str, column: int, length: int, suggestion: str | None) -> None:
    with pytest.raises(QueryError) as info:
        parse(text)
    error = info.value
    assert fragment in error.message
    assert "column" not in error.message and "did you mean" not in error.message  # said once, by the caret
    assert (error.column, error.length) == (column, length)
    assert error.display_column == column + 1
    assert error.hint
    assert str(error) == error.message
    assert error.source == text
    if suggestion is not None:
        assert error.suggestions[0] == suggestion
    for whole in error.suggestions:
        parse(whole)  # each suggestion is the whole query, corrected, and valid


def test_error_caret_marks_the_span() -> None:
    with pytest.raises(QueryError) as info:
        parse("since:1d\tacter:x")
    assert info.value.caret() == "since:1d acter:x\n         ^^^^^"
    assert QueryError("no source").caret() == ""


def test_unknown_term_hint_lists_terms_and_the_quoted_form() -> None:
    with pytest.raises(QueryError) as info:
        parse("foo:bar")
    assert info.value.hint is not None
    assert "actor:" in info.value.hint and '"foo:bar"' in info.value.hint
    assert info.value.suggestions == []


def test_max_length_is_accepted() -> None:
    assert parse("x" * MAX_QUERY_LENGTH).text == ("x" * MAX_QUERY_LENGTH,)


def test_canonical_text_that_grows_past_the_limit_is_refused() -> None:
    text = "since:mon " + "x " * ((MAX_QUERY_LENGTH - 10) // 2)
    assert len(text) <= MAX_QUERY_LENGTH
    with pytest.raises(QueryError, match="too long once written out"):
        parse(text.replace("since:mon", "from:wed"))


def test_non_text_input() -> None:
    with pytest.raises(QueryError):
        parse(None)  # type: ignore[arg-type]


def test_spans_record_where_each_value_was_written() -> None:
    q = parse('since:24h action:"user added to group",x -ip:10.0.0.0/8 "api token" ACTOR:Jane@x.com')
    assert q.spans == (
        TermSpan("since", "24h", 6, 3),
        TermSpan("action", "user added to group", 17, 21),
        TermSpan("action", "x", 39, 1),
        TermSpan("-ip", "10.0.0.0/8", 45, 10),
        TermSpan("text", "api token", 56, 11),
        TermSpan("actor", "jane@x.com", 74, 10),
    )
    assert q.locate("action", "x") == TermSpan("action", "x", 39, 1)
    assert q.locate("-ip") == TermSpan("-ip", "10.0.0.0/8", 45, 10)
    assert q.locate("-ip", ip_network("10.0.0.0/8")) is not None
    assert q.locate("group") is None
    assert q.source is not None


def test_a_service_can_raise_errors_at_a_value_and_replace_actions() -> None:
    q = parse('since:1d action:"user added to group",bogus')
    error = q.error_at("action", "bogus", 'Unknown action "bogus"', hint="See /audit actions.", fixes=["a b"])
    assert error.message == 'Unknown action "bogus"'
    fixed = 'since:1d action:"user added to group","a b"'
    assert (error.column, error.length, error.suggestions, error.hint) == (38, 5, [fixed], "See /audit actions.")
    assert error.caret().endswith("^^^^^")
    resolved = q.with_actions(["user_added_to_group", "user_added_to_group"])
    assert resolved.actions == ("user_added_to_group",)
    assert resolved.since == q.since
    assert format_query(resolved) == "action:user_added_to_group since:1d"
    assert resolved.locate("action", "bogus") is not None  # spans still describe the source text
    both = q.with_actions(["a"], not_actions=["b"])
    assert (both.actions, both.not_actions) == (("a",), ("b",))
    assert q.replace(groups=("User management",)).groups == ("User management",)
    unplaced = Query().error_at("action", "x", "Unknown action")
    assert (unplaced.message, unplaced.column, unplaced.length) == ("Unknown action", 0, 0)
    built = Query(actions=("x", "y"), not_ips=(ip_address("10.0.0.1"),))  # no source: the fix goes into the canonical
    error = built.error_at("action", "x", "Unknown action", fixes=["z"])
    assert error.suggestions == ["action:z,y -ip:10.0.0.1"] and error.source is None


def test_queries_are_immutable_hashable_and_ignore_spans_in_equality() -> None:
    a, b = parse("actor:a@x.com   since:1d"), parse("since:1d ACTOR:A@X.COM")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a.spans != b.spans
    with pytest.raises(AttributeError):
        a.actors = ()  # type: ignore[misc]
    assert str(a) == a.canonical == "actor:a@x.com since:1d"


def test_ip_addresses_and_ranges() -> None:
    q = parse("ip:203.0.113.7,198.51.100.0/24,2001:db8::1 -ip:10.0.0.0/8,10.1.1.1")
    assert q.ip_addresses == (ip_address("203.0.113.7"), ip_address("2001:db8::1"))
    assert q.ip_networks == (ip_network("198.51.100.0/24"),)
    assert split_ips(q.not_ips) == ((ip_address("10.1.1.1"),), (ip_network("10.0.0.0/8"),))


def test_constructor_normalises_like_the_parser() -> None:
    q = Query(actors=(" A@X.com ",), products=("JIRA",), ips=(ip_network("1.2.3.4/32"),), text=("a  b",))
    assert q == parse('actor:a@x.com product:jira ip:1.2.3.4 "a b"')
    for bad in (
        {"actors": ("",)},
        {"products": ("trello",)},
        {"text": ("  ",)},
        {"since": DateSpec(date(2026, 11, 8)), "until": DateSpec(date(2026, 11, 1))},
    ):
        with pytest.raises(ValueError):
            Query(**bad)
    with pytest.raises(TypeError):
        Query(actors="a@x.com")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Query(since="7d")  # type: ignore[arg-type]


BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "tz", "start", "end"),
    [
        ("", BERLIN, NOW - timedelta(days=7), NOW),
        ("last:7d", BERLIN, NOW - timedelta(days=7), NOW),
        ("since:24h", BERLIN, NOW - timedelta(hours=24), NOW),
        ("since:2026-11-01 until:2026-11-08", BERLIN, utc(2026, 10, 31, 23), utc(2026, 11, 8, 23)),
        ("since:2026-11-01 until:2026-11-08", ZoneInfo("America/New_York"), utc(2026, 11, 1, 4), utc(2026, 11, 9, 5)),
        ("until:2026-11-08", BERLIN, utc(2026, 11, 1, 23), utc(2026, 11, 8, 23)),
        ("since:yesterday", BERLIN, utc(2026, 11, 23, 23), NOW),
        ("since:yesterday until:yesterday", BERLIN, utc(2026, 11, 23, 23), utc(2026, 11, 24, 23)),
        ("since:today until:today", ZoneInfo("Australia/Sydney"), utc(2026, 11, 24, 13), utc(2026, 11, 25, 13)),
        ("since:monday", ZoneInfo("UTC"), utc(2026, 11, 23), NOW),
        ("since:2h until:1h", BERLIN, NOW - timedelta(hours=2), NOW - timedelta(hours=1)),
        ("since:now", BERLIN, NOW, NOW),
    ],
)
def test_window(text: str, tz: ZoneInfo, start: datetime, end: datetime) -> None:
    assert parse(text).window(NOW, tz) == TimeWindow(start, end)


def test_window_default_and_errors() -> None:
    assert parse("").window(NOW, BERLIN, default=timedelta(hours=1)) == TimeWindow(NOW - timedelta(hours=1), NOW)
    with pytest.raises(QueryError) as info:
        parse("x since:2026-12-01").window(NOW, BERLIN)
    assert info.value.message == "since:2026-12-01 starts after the window ends"
    assert (info.value.column, info.value.length) == (8, 10)
    assert info.value.hint is not None and "Europe/Berlin" in info.value.hint
    with pytest.raises(QueryError):
        parse("since:today until:2026-11-01").window(NOW, BERLIN)
    with pytest.raises(ValueError):
        parse("").window(datetime(2026, 11, 25), BERLIN)
    with pytest.raises(ValueError):
        parse("").window(NOW, BERLIN, default=timedelta(days=-1))


@pytest.mark.parametrize(
    "text",
    [
        "since:today until:yesterday",
        "since:2026-11-20T10:00Z until:2026-11-20T10:00Z",
        "x since:2026-11-25 until:2026-11-24",
    ],
)
def test_an_empty_window_is_reported_not_searched(text: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(text).window(NOW, BERLIN)
    column = text.index("since:") + len("since:")
    assert "the window is empty" in info.value.message
    assert info.value.column == column
    assert info.value.hint is not None and "Europe/Berlin" in info.value.hint


def test_since_now_alone_is_still_a_window_that_starts_now() -> None:
    assert parse("since:now").window(NOW, BERLIN) == TimeWindow(NOW, NOW)


def test_help_covers_every_term() -> None:
    terms = {entry.term for entry in QUERY_HELP}
    assert {"actor:", "-actor:", "action:", "group:", "ip:", "product:", "location:", "since:", "until:"} <= terms
    assert {"last:", "text"} <= terms
    for entry in QUERY_HELP:
        assert entry.description
        if entry.term != "-term:":
            for example in entry.example.replace("…", "").split("  "):
                parse(example)
    assert set(PRODUCTS) == {"bitbucket", "confluence", "guard_detect", "jira", "loom"}
