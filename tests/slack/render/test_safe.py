"""Cleaning, clipping, escaping, code, links, mentions and dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from auditbot.slack.render.safe import (
    allowed_url,
    as_utc,
    clean,
    clip,
    code_block,
    code_chunks,
    date,
    escape,
    inline_code,
    link,
    md,
    mention,
    plain,
    units,
    utc_text,
)


def test_escape_touches_only_the_three_control_characters():
    assert escape("<!channel> & *b* \"q\" 'a'") == "&lt;!channel&gt; &amp; *b* \"q\" 'a'"
    assert escape("&lt;") == "&amp;lt;"


def test_units_count_astral_characters_twice():
    assert units("a\U0001f600") == 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\u202eb\u200bc\ufeffd\u2066e\u2069", "abcde"),
        ("one\n two\tthree\r\nfour", "one two three four"),
        ("bell\x07 nul\x00", "bell nul"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        (None, ""),
        (42, "42"),
    ],
)
def test_clean_removes_invisible_and_control_characters_and_collapses_space(raw, expected):
    assert clean(raw) == expected


def test_clean_multiline_keeps_line_breaks_and_keep_width_keeps_columns():
    assert clean("a\r\nb\u2028c", multiline=True) == "a\nb\nc"
    assert clean("a\u202eb", keep_width=True) == "a\ufffdb"


def test_clip_cuts_to_the_limit_with_an_ellipsis_and_never_splits_a_pair():
    assert clip("abcdef", 6) == "abcdef"
    assert clip("abcdef", 4) == "abc…"
    clipped = clip("\U0001f600" * 10, 6)
    assert clipped == "\U0001f600\U0001f600…" and units(clipped) <= 6


def test_md_truncates_before_escaping_and_never_cuts_an_entity():
    text = md("&" * 100, 23)
    assert units(text) <= 23
    assert text.endswith("…")
    assert text[:-1] == "&amp;" * 4
    assert md("<b>", 100) == "&lt;b&gt;"
    assert md("", 10) == "—"


def test_plain_clips_without_escaping():
    assert plain("<x>", 10) == "<x>"
    assert plain("y" * 50, 10) == "y" * 9 + "…"


def test_inline_code_cannot_be_closed_by_data():
    code = inline_code("a`b``c <@U1>", 100)
    assert code.count("`") == 2 and code.startswith("`") and code.endswith("`")
    assert "&lt;@U1&gt;" in code
    assert units(inline_code("x" * 500, 50)) <= 50


def test_code_block_collapses_backtick_runs_and_fits():
    block = code_block("```\nescape``` <!here>", 200)
    assert block.startswith("```\n") and block.endswith("\n```")
    inner = block[4:-4]
    assert "``" not in inner and "&lt;!here&gt;" in inner
    assert units(code_block("&" * 5000, 300)) <= 300


def test_code_chunks_split_at_lines_and_stay_within_size():
    text = "\n".join(f"line {i} <&>" for i in range(500))
    chunks = code_chunks(text, 400)
    assert all(units(c) <= 400 for c in chunks)
    assert "\n".join(chunks).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text
    long_line = code_chunks("&" * 1000, 100)
    assert all(units(c) <= 100 for c in long_line) and "".join(long_line) == "&amp;" * 1000


@pytest.mark.parametrize(
    "url",
    [
        "https://admin.atlassian.com/o/abc/users/1",
        "https://api.atlassian.com/admin/v1/orgs/1/events/2?x=1&y=2",
        "https://admin.atlassian.com",
    ],
)
def test_links_to_atlassian_admin_hosts_are_allowed(url):
    assert allowed_url(url) == url
    made = link(url, "Open | <it>")
    assert made is not None and made.startswith("<https://") and made.endswith("|Open ¦ &lt;it&gt;>")
    assert "&amp;" in made if "&" in url else True


@pytest.mark.parametrize(
    "url",
    [
        "http://admin.atlassian.com/x",
        "https://evil.example/x",
        "https://admin.atlassian.com.evil.example/x",
        "https://admin.atlassian.com@evil.example/x",
        "https://user@admin.atlassian.com/x",
        "https://admin.atlassian.com:8443/x",
        "https://admin.atlassian.com/x|<!channel>",
        "https://admin.atlassian.com/x y",
        "https://admin.atlassian.com/<x>",
        "HTTPS://ADMIN.ATLASSIAN.COM/x",
        "javascript:alert(1)",
        "https://org.atlassian.net/x",
        "",
        None,
        42,
        "https://admin.atlassian.com/" + "x" * 3000,
    ],
)
def test_other_urls_are_refused(url):
    assert allowed_url(url) is None
    assert link(url, "label") is None


@pytest.mark.parametrize(("user", "ok"), [("U123ABC", True), ("W0AB", True), ("U1", False), ("u123", False)])
def test_only_well_formed_user_ids_become_mentions(user, ok):
    assert (mention(user) == f"<@{user}>") is ok
    assert mention("U123>|<!channel") is None


def test_dates_render_in_each_viewers_zone_with_a_utc_fallback():
    when = datetime(2026, 11, 20, 14, 5, 9, tzinfo=timezone(timedelta(hours=2)))
    assert date(when) == "<!date^1795176309^{date_short_pretty} {time}|2026-11-20 12:05 UTC>"
    assert utc_text(when, seconds=True) == "2026-11-20 12:05:09 UTC"
    assert date(datetime(1960, 1, 1, tzinfo=UTC)) == "1960-01-01 00:00 UTC"


def test_as_utc_never_raises():
    assert as_utc(datetime(2026, 1, 1)).tzinfo is UTC
    edge = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    assert as_utc(edge).year == 1
    assert utc_text(edge) == "0001-01-01 00:00 UTC"
