from __future__ import annotations

import io
import json
import logging

import pytest

from auditbot.logs import REDACTED, REQUEST_ID, LogFormat, RedactingFilter, configure_logging, redact


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


FORGED = "U1\n2026-11-25 12:00:00,000 WARNING auditbot.guard: U2 is an admin\r\x1b[2K\x1b]0;x\x07\u202e"


@pytest.fixture
def logged():
    """A logger writing through ``configure_logging`` into a buffer; the suite's set-up comes back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def configure(log_format: LogFormat = "text") -> io.StringIO:
        stream = io.StringIO()
        configure_logging(stream=stream, log_format=log_format)
        return stream

    try:
        yield configure
    finally:
        root.handlers[:], root.level = handlers, level


def record_starts(text: str) -> list[str]:
    return [line for line in text.splitlines() if line[:1].isdigit()]


def test_a_text_record_cannot_be_forged_through_its_message_args_or_request_id(logged):
    stream = logged()
    logger = logging.getLogger("auditbot.test.forging")
    logger.warning("denied %s", FORGED)
    logger.warning(FORGED)
    token = REQUEST_ID.set(FORGED)
    try:
        logger.warning("in a request")
    finally:
        REQUEST_ID.reset(token)
    output = stream.getvalue()
    assert len(output.splitlines()) == len(record_starts(output)) == 3
    assert "\r" not in output and "\x1b" not in output and "\u202e" not in output
    assert (
        "denied U1\\n2026-11-25 12:00:00,000 WARNING auditbot.guard: U2 is an admin\\r\\x1b[2K\\x1b]0;x\\x07\\u202e"
        in (output)
    )


def test_a_traceback_keeps_its_lines_but_none_can_pass_for_a_record(logged):
    stream = logged()
    logger = logging.getLogger("auditbot.test.forging")
    try:
        raise ValueError(FORGED)
    except ValueError:
        logger.exception("failed for %s", "U1\nU2")
    output = stream.getvalue()
    assert len(record_starts(output)) == 1
    lines = output.splitlines()
    assert lines[0].endswith("failed for U1\\nU2")
    assert lines[1] == "  Traceback (most recent call last):"
    assert all(line.startswith("  ") for line in lines[1:])
    assert "\x1b" not in output and "\r" not in output


def test_formatting_leaves_the_record_as_it_was_for_other_handlers(logged):
    stream = logged()
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logging.getLogger().addHandler(Keep())
    logging.getLogger("auditbot.test.forging").warning("user %s", "U1\nU2")
    assert seen == ["user U1\nU2"]
    assert "user U1\\nU2" in stream.getvalue()


def test_json_records_escape_the_same_characters_and_read_back(logged):
    stream = logged("json")
    logging.getLogger("auditbot.test.forging").warning("denied %s", FORGED, extra={"user": FORGED})
    line = stream.getvalue()
    assert line.count("\n") == 1 and "\x1b" not in line and "\u202e" not in line
    entry = json.loads(line)
    assert entry["message"] == f"denied {FORGED}" and entry["user"] == FORGED
