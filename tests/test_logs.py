from __future__ import annotations

import io
import logging

import pytest

from auditbot.logs import REDACTED, RedactingFilter, redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("token xoxb-1234-5678-abcdef in a dump", "xoxb-1234-5678-abcdef"),
        ("user token xoxp-9-9-9", "xoxp-9-9-9"),
        ("app token xapp-1-A0-123-abc", "xapp-1-A0-123-abc"),
        ("Authorization: Bearer ATATT3xFfGF0abc123", "ATATT3xFfGF0abc123"),
        ("header x-slack-signature: v0=" + "a1" * 32, "a1" * 32),
        ("GET /x?cursor=1&token=s3cr3t&limit=2", "s3cr3t"),
        ("postgresql+psycopg://auditbot:hunter2@db:5432/auditbot", "hunter2"),
        ('{"signing_secret=abcd1234"}', "abcd1234"),
    ],
)
def test_secrets_are_redacted(text, secret):
    cleaned = redact(text)
    assert secret not in cleaned
    assert REDACTED in cleaned


def test_ordinary_text_is_untouched():
    text = "searched action:user_login since:24h from 203.0.113.7 (bearer of bad news)"
    assert redact(text) == text


def test_the_filter_cleans_arguments_exceptions_and_extras():
    stream = io.StringIO()
    logger = logging.getLogger("auditbot.test.redaction")
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling with %s", "xoxb-abc-def", extra={"url": "https://h/?token=zzz"})
        try:
            raise ValueError("bad key Bearer abc.def.ghi")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "xoxb-abc-def" not in output
    assert "abc.def.ghi" not in output
    assert output.count(REDACTED) >= 2
