"""Making untrusted text safe for Slack: cleaning, truncation, escaping, links, mentions and dates.

Every string that comes from data (an event, a query, a catalog entry, an error detail) passes
through here before it reaches a block:

- ``clean`` removes what could disguise text (bidi overrides, zero-width characters, other
  invisible format characters, control characters, lone surrogates) and, for one-line values,
  collapses all whitespace so data cannot start a new line (and so a ``> quote``);
- ``plain`` is for ``plain_text`` objects (cleaned and clipped; Slack shows them literally);
- ``md`` is for ``mrkdwn`` objects: cleaned, made ``inert``, clipped *before* escaping ``& < >`` so
  no entity is ever cut, and the result fits the given size;
- ``inert`` neutralises mrkdwn's styling in data. Slack has no escape for ``*``, ``_``, ``~``, the
  backtick or a ``>`` that starts a line, and where a character may open or close formatting is not
  documented, so each one that could is swapped for a look-alike that Slack does not parse:
  ``*`` → U+2217 ASTERISK OPERATOR, ``~`` → U+223C TILDE OPERATOR, the backtick → U+02CB MODIFIER
  LETTER GRAVE ACCENT, a line-leading ``>`` → U+203A SINGLE RIGHT-POINTING ANGLE QUOTATION MARK and
  ``_`` → U+02CD MODIFIER LETTER LOW MACRON — except an underscore between two ASCII letters or
  digits (``jane_doe@example.com``), which never starts or ends a span, so names and emails keep
  it. Data alone in a field is in ``plain_text`` instead, which Slack shows as it is;
- ``unlinked`` is for a message's top-level ``text`` (the notification), which Slack scans for bare
  URLs, domains and email addresses: ``@``, a ``.`` inside a word and the ``:`` of ``://`` become
  look-alikes (U+FF20 FULLWIDTH COMMERCIAL AT, U+2024 ONE DOT LEADER, U+2236 RATIO), so data there
  cannot become a link or a mention;
- ``inline_code`` and ``code_block`` additionally neutralise backticks so data cannot end them;
- ``link`` builds the only links auditbot writes (https to an allow-listed Atlassian host);
- ``mention`` writes the only mention auditbot writes (a validated Slack user id);
- ``date``, ``time_of_day`` and ``window`` write the only clock texts auditbot shows (see below).

One clock per message: every moment shown to a person in a ``mrkdwn`` text is a Slack date token
(``<!date^unix^{…}|fallback>``), so each viewer sees it in their own time zone and with their own
12- or 24-hour setting, and the zone never needs naming. Its fallback, and any time written where
a token cannot go (``plain_text`` objects, a notification's ``text``, modal titles), is UTC with
"UTC" named: ``utc_text``, ``utc_clock`` and ``utc_window``. The one exception is a fact stated in
a zone rather than a moment (a schedule's "09:00, 21:00 Europe/Berlin"): it names its zone.

Sizes are counted in UTF-16 code units (``units``), never fewer than Slack may count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

ELLIPSIS = "…"
ALLOWED_LINK_HOSTS = frozenset({"admin.atlassian.com", "api.atlassian.com"})
MAX_URL_UNITS = 3000

_INVISIBLE = "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_LINE_BREAKS_RE = re.compile("\r\n|[\r\u2028\u2029\x85]")
_SPACE_RE = re.compile(r"\s+")
_BACKTICKS_RE = re.compile("`{2,}")
_URL_CHARS_RE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_USER_ID_RE = re.compile(r"[UW][A-Z0-9]{2,}")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_GRAVE = "\u02cb"
"""MODIFIER LETTER GRAVE ACCENT: stands in for a backtick inside inline code."""
_LOOK_ALIKES = {"*": "\u2217", "~": "\u223c", "`": _GRAVE}
_LOW_MACRON = "\u02cd"
"""MODIFIER LETTER LOW MACRON: stands in for an underscore that could start or end italics."""
_LEADING_QUOTE_RE = re.compile(r"^(\s*)>", re.MULTILINE)
_UNLINK_RE = re.compile(r"@|(?<=\w)\.(?=\w)|:(?=//)")
_UNLINKED = {"@": "\uff20", ".": "\u2024", ":": "\u2236"}


_TRANSLATION = str.maketrans(_LOOK_ALIKES)


def units(text: str) -> int:
    """The length of ``text`` in UTF-16 code units (what an emoji costs at most)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def clean(value: object, *, multiline: bool = False, keep_width: bool = False) -> str:
    """``value`` as text (``None`` as "") with invisible and control characters removed, whitespace normalised.

    One-line values (the default) have every run of whitespace collapsed to one space.
    ``keep_width`` replaces removed characters with U+FFFD instead (so columns stay aligned).
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    gone = "\ufffd" if keep_width else ""
    text = _SURROGATE_RE.sub("\ufffd", text)
    text = _LINE_BREAKS_RE.sub("\n", text)
    text = _INVISIBLE_RE.sub(gone, text)
    text = _CONTROL_RE.sub(gone, text)
    if not multiline:
        return _SPACE_RE.sub(" ", text).strip()
    lines = (line.replace("\t", "    ").rstrip() for line in text.split("\n"))
    return "\n".join(lines).strip("\n")


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-16 units, ending in "…" when it was cut."""
    if units(text) <= limit:
        return text
    room = max(0, limit - units(ELLIPSIS))
    return _take(text, room, units) + ELLIPSIS


def escape(text: str) -> str:
    """Escape Slack's three control characters (and nothing else)."""
    if "&" not in text and "<" not in text and ">" not in text:
        return text
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def plain(value: object, limit: int, *, multiline: bool = False, empty: str = "—") -> str:
    """Text for a ``plain_text`` object: cleaned, clipped, never empty."""
    return clip(clean(value, multiline=multiline), limit) or empty


def md(value: object, limit: int, *, multiline: bool = False, empty: str = "—") -> str:
    """Text for a ``mrkdwn`` object: cleaned, made ``inert``, clipped, escaped; at most ``limit`` units
    once escaped. Data can neither style itself nor open a code span or a quote."""
    return _escaped_fit(inert(clean(value, multiline=multiline)), limit) or empty


def inert(text: str) -> str:
    """``text`` with every mrkdwn styling character that could act swapped for a look-alike (see above)."""
    text = _LEADING_QUOTE_RE.sub("\\1\u203a", text)
    if "_" in text:
        text = "".join(
            _LOW_MACRON
            if ch == "_" and not (0 < i < len(text) - 1 and _is_word(text[i - 1]) and _is_word(text[i + 1]))
            else ch
            for i, ch in enumerate(text)
        )
    return text.translate(_TRANSLATION)


def _is_word(ch: str) -> bool:
    """An ASCII letter or digit: what every reading of "inside a word" agrees on."""
    return ch.isascii() and ch.isalnum()


def unlinked(value: object) -> str:
    """``value`` cleaned, with nothing Slack could auto-link in a top-level ``text``: no ``@``, no
    ``.`` between two word characters (a domain), no ``://`` (see above). Not yet escaped."""
    return _UNLINK_RE.sub(lambda m: _UNLINKED[m.group()], clean(value))


def inline_code(value: object, limit: int) -> str:
    """Data as inline code: one line, backticks replaced so data cannot close the span, escaped."""
    text = clean(value).replace("`", _GRAVE) or "-"
    return f"`{_escaped_fit(text, max(2, limit - 2))}`"


def code_block(value: object, limit: int, *, keep_width: bool = False, truncated_note: str = ELLIPSIS) -> str:
    """Data as a code block of at most ``limit`` units; runs of backticks collapse to one.

    When it does not fit, it is cut on an escape boundary and ``truncated_note`` is added.
    """
    text = clean(value, multiline=True, keep_width=keep_width)
    text = _BACKTICKS_RE.sub("`", text) or " "
    fence_units = units("```\n\n```")
    body = _escaped_fit(text, max(1, limit - fence_units), ellipsis=truncated_note)
    return f"```\n{body}\n```"


def code_chunks(value: object, size: int, *, keep_width: bool = False) -> list[str]:
    """Data for code blocks, escaped, in pieces of at most ``size`` units (split at line ends when it can).

    Runs of backticks collapse to one, so no piece can close the block it is put in.
    """
    text = _BACKTICKS_RE.sub("`", clean(value, multiline=True, keep_width=keep_width))
    size = max(8, size)
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        piece = escape(line)
        joined = f"{current}\n{piece}" if current else piece
        if units(joined) <= size:
            current = joined
            continue
        if current:
            chunks.append(current)
        while units(piece) > size:
            head = _take(line, size, lambda ch: units(_ESCAPES.get(ch, ch)))
            chunks.append(escape(head))
            line = line[len(head) :]
            piece = escape(line)
        current = piece
    if current or not chunks:
        chunks.append(current or " ")
    return chunks


def link(url: object, label: str) -> str | None:
    """``<url|label>`` for an https URL on an allow-listed Atlassian host, else ``None``."""
    checked = allowed_url(url)
    if checked is None:
        return None
    text = md(clean(label).replace("|", "¦"), 200, empty="link")
    return f"<{escape(checked)}|{text}>"


def allowed_url(url: object) -> str | None:
    """``url`` when it is a plain https URL on an allow-listed host, else ``None``."""
    if not isinstance(url, str) or not url.startswith("https://") or units(url) > MAX_URL_UNITS:
        return None
    if not _URL_CHARS_RE.fullmatch(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme != "https" or parts.netloc not in ALLOWED_LINK_HOSTS:
        return None
    return url


def mention(user_id: object) -> str | None:
    """``<@U…>`` for a well-formed Slack user id, else ``None``."""
    if isinstance(user_id, str) and _USER_ID_RE.fullmatch(user_id):
        return f"<@{user_id}>"
    return None


def as_utc(when: datetime) -> datetime:
    """``when`` as an aware UTC datetime (naive values are taken as UTC; never raises)."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return when.replace(tzinfo=UTC)


def utc_text(when: datetime, *, seconds: bool = False) -> str:
    """``2026-11-20 14:00 UTC`` (with ``:05`` seconds when asked)."""
    t = as_utc(when)
    text = f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}"
    return f"{text}:{t.second:02d} UTC" if seconds else f"{text} UTC"


def utc_clock(when: datetime, *, seconds: bool = False) -> str:
    """``14:00 UTC`` (with ``:05`` seconds when asked): a time of day where a token cannot go."""
    t = as_utc(when)
    return f"{t.hour:02d}:{t.minute:02d}" + (f":{t.second:02d}" if seconds else "") + " UTC"


def utc_window(start: datetime, end: datetime) -> str:
    """``2026-11-20 08:00 → 20:00 UTC`` (the end's day too when it differs): a window where a token cannot go."""
    a, b = as_utc(start), as_utc(end)
    if a.date() == b.date():
        return f"{utc_text(a).removesuffix(' UTC')} → {utc_clock(b)}"
    return f"{utc_text(a).removesuffix(' UTC')} → {utc_text(b)}"


def date(when: datetime) -> str:
    """A moment: ``<!date^…>`` shown as "Today 14:00" (or "2:00 PM") in each viewer's zone, falling back
    to the UTC time."""
    return _token(when, "{date_short_pretty} {time}", utc_text(when))


def time_of_day(when: datetime, *, seconds: bool = False) -> str:
    """The time of day of a moment whose day is plain from around it ("14:00:05" in each viewer's zone)."""
    return _token(when, "{time_secs}" if seconds else "{time}", utc_clock(when, seconds=seconds))


def window(start: datetime, end: datetime) -> str:
    """A window "from → to", both ends moments in each viewer's zone."""
    return f"{date(start)} → {date(end)}"


def _token(when: datetime, shape: str, fallback: str) -> str:
    """``<!date^unix^shape|fallback>``; just the fallback for a moment Slack cannot show (before 1970)."""
    try:
        unix = int(as_utc(when).timestamp())
    except (OverflowError, ValueError, OSError):
        unix = -1
    if unix < 0:
        return fallback
    return f"<!date^{unix}^{shape}|{fallback}>"


def _escaped_fit(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    """``escape(text)``, cut on a character boundary so that it is at most ``limit`` units."""
    escaped = escape(text)
    if units(escaped) <= limit:
        return escaped
    tail = escape(ellipsis)
    room = max(0, limit - units(tail))
    return escape(_take(text, room, lambda ch: units(_ESCAPES.get(ch, ch)))) + tail


def _take(text: str, room: int, cost: Callable[[str], int]) -> str:
    used = 0
    for index, ch in enumerate(text):
        used += cost(ch)
        if used > room:
            return text[:index]
    return text
