"""The gate in front of Bolt: what reaches ``POST /slack/events`` is read here once, and only a
well-formed, signed body goes on.

In this order, so that an unsigned request learns nothing but 401:

1. the method is POST (405), and the Content-Length is a number no larger than the body limit
   (413, before a byte of the body is read);
2. the signature: ``X-Slack-Request-Timestamp`` is plain decimal digits within 5 minutes of now,
   ``X-Slack-Signature`` is ``v0=`` and 64 hex digits, and it is the HMAC-SHA256 of
   ``v0:{timestamp}:{body}`` with the signing secret, computed over the body's bytes (401);
3. the body, as Slack sends it (400): UTF-8; ``application/json`` holding a JSON object, or
   ``application/x-www-form-urlencoded`` fields each named once, where a ``payload`` field holds a
   JSON object. JSON is read strictly (no ``NaN``; no lone surrogate; nested at most
   ``MAX_JSON_DEPTH`` deep). The gate reads the body the way Bolt's ``parse_body`` will (JSON for
   the JSON media type, else form), so the two cannot disagree about what was sent.

Every refusal is answered with a short fixed body and noted in a ``RefusalLog`` (rate-limited
warnings, never the body). Bolt still checks the signature itself behind the gate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from auditbot.core.clock import Clock
from auditbot.slack.refusals import RefusalLog

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

MAX_JSON_DEPTH = 64
"""Slack's deepest payloads (a modal's state inside a view) nest about a dozen levels."""
MAX_FORM_FIELDS = 100
"""A slash command sends about fifteen fields; an interaction one (``payload``)."""
SIGNATURE_WINDOW_SECONDS = 300
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_READ_CHUNK = 65_536


@dataclass(frozen=True, slots=True)
class Admitted:
    """A signed, well-formed request: its body, read whole."""

    body: bytes


@dataclass(frozen=True, slots=True)
class Refused:
    """A request the gate answers itself."""

    status: int
    reason: str
    """A short fixed phrase: the refusal log's key."""
    detail: str = ""
    """A few characters of context that cannot leak the request (a type name, a number)."""

    @property
    def answer(self) -> tuple[str, bytes]:
        """The status line and the JSON body sent back; they say no more than the status does."""
        return _ANSWERS[self.status]


_ANSWERS = {
    400: ("400 Bad Request", b'{"error":"malformed request"}'),
    401: ("401 Unauthorized", b'{"error":"invalid request"}'),
    405: ("405 Method Not Allowed", b'{"error":"method not allowed"}'),
    413: ("413 Content Too Large", b'{"error":"request body too large"}'),
}


class RequestGate:
    """Checks one ``POST /slack/events`` request: ``check(environ)`` is ``Admitted`` or ``Refused``."""

    def __init__(
        self,
        signing_secret: str,
        *,
        clock: Clock,
        max_body_bytes: int = 1_048_576,
        refusals: RefusalLog | None = None,
    ) -> None:
        if not signing_secret:
            raise ValueError("a signing secret is required: requests cannot be verified without it")
        self._secret = signing_secret.encode()
        self._clock = clock
        self._max_body = max_body_bytes
        self.refusals = refusals if refusals is not None else RefusalLog(clock)

    def check(self, environ: WSGIEnvironment) -> Admitted | Refused:
        """The verdict on the request in ``environ`` (its body is read, up to the limit); a refusal
        is also noted in the refusal log."""
        verdict = self._check(environ)
        if isinstance(verdict, Refused):
            self.refusals.refused(verdict.status, verdict.reason, verdict.detail)
        return verdict

    def _check(self, environ: WSGIEnvironment) -> Admitted | Refused:
        if environ.get("REQUEST_METHOD") != "POST":
            return Refused(405, "method not allowed")
        declared = str(environ.get("CONTENT_LENGTH") or "0").strip()
        if not declared.isascii() or not declared.isdigit():
            return Refused(400, "unreadable Content-Length")
        if int(declared) > self._max_body:
            return Refused(413, "body over the size limit", f"limit {self._max_body} bytes")
        body = _read(environ["wsgi.input"], int(declared))
        if len(body) < int(declared):
            return Refused(400, "body shorter than its Content-Length")
        unsigned = self._unsigned(environ, body)
        if unsigned is not None:
            return unsigned
        return _malformed(body, str(environ.get("CONTENT_TYPE") or "")) or Admitted(body)

    def _unsigned(self, environ: WSGIEnvironment, body: bytes) -> Refused | None:
        stamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
        if not stamp or not signature:
            return Refused(401, "no signature")
        if not _TIMESTAMP.fullmatch(stamp) or not _SIGNATURE.fullmatch(signature):
            return Refused(401, "malformed signature headers")
        if abs(self._clock.now().timestamp() - int(stamp)) > SIGNATURE_WINDOW_SECONDS:
            return Refused(401, "timestamp outside the 5-minute window")
        expected = hmac.new(self._secret, b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest("v0=" + expected, signature):
            return Refused(401, "bad signature")
        return None


def _read(stream: Any, length: int) -> bytes:
    chunks: list[bytes] = []
    left = length
    while left > 0:
        chunk = stream.read(min(left, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _malformed(body: bytes, content_type: str) -> Refused | None:
    """Why a signed body is not one Slack sends, or None. Mirrors Bolt's ``parse_body`` choice."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refused(400, "body is not UTF-8")
    if not text:
        return Refused(400, "empty body")
    media = content_type.split(";")[0]  # what Bolt compares, as it compares it
    if media == JSON_TYPE:
        return _json_object(text, "JSON body")
    if media != FORM_TYPE:
        return Refused(400, "Content-Type is neither JSON nor a form")
    if text.startswith("{"):
        return Refused(400, "form body that reads as JSON")
    try:
        fields = parse_qsl(
            text, keep_blank_values=True, strict_parsing=True, errors="strict", max_num_fields=MAX_FORM_FIELDS
        )
    except ValueError:
        return Refused(400, "malformed form body")
    names = [name for name, _ in fields]
    if len(set(names)) != len(names):
        return Refused(400, "form field sent twice")
    payload = dict(fields).get("payload")
    return _json_object(payload, "payload") if payload is not None else None


def _json_object(text: str, what: str) -> Refused | None:
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        return Refused(400, f"{what} nested too deep")
    except ValueError:
        return Refused(400, f"{what} is not JSON")
    if not isinstance(value, dict):
        return Refused(400, f"{what} is not a JSON object", type(value).__name__)
    for depth, item in _walk(value):
        if depth > MAX_JSON_DEPTH:
            return Refused(400, f"{what} nested too deep")
        if isinstance(item, str) and not _encodable(item):
            return Refused(400, f"{what} holds a lone surrogate")
    return None


def _walk(value: Any) -> Iterator[tuple[int, Any]]:
    """Every value inside ``value`` (keys included) with its depth, without recursion."""
    stack: list[tuple[int, Any]] = [(1, value)]
    while stack:
        depth, item = stack.pop()
        yield depth, item
        if isinstance(item, dict):
            stack.extend((depth + 1, key) for key in item)
            stack.extend((depth + 1, child) for child in item.values())
        elif isinstance(item, list):
            stack.extend((depth + 1, child) for child in item)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
