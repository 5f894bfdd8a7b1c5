"""Reading text that Slack sends: its link markup and HTML entities back to what the person typed."""

from __future__ import annotations

import re
from html import unescape

_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def unslack(text: str) -> str:
    """``<mailto:a@x.com|a@x.com>`` → ``a@x.com``, ``<https://x|label>`` → ``https://x``, ``&lt;`` → ``<``.

    User and channel references keep their label (``<@U1|jane>`` → ``@jane``).
    """

    def plain(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("mailto:"):
            return target.removeprefix("mailto:")
        if target.startswith(("@", "#", "!")):
            return ("@" if target.startswith("@") else "#") + label if label else target
        return target

    return unescape(_MARKUP.sub(plain, text))


_CHANNEL_REF = re.compile(r"\s*<#([CGD][A-Z0-9]{2,})(?:\|([^<>|]*))?>(?:\s+|$)")


def leading_channel(text: str) -> tuple[str | None, str | None, str]:
    """A channel reference at the start of ``text`` as Slack sends it (``<#C123|name>`` or ``<#C123>``).

    Returns (channel id, name if given, the rest of the text still as Slack sent it); the id is
    None when the text does not start with one.
    """
    match = _CHANNEL_REF.match(text)
    if match is None:
        return None, None, text.strip()
    name = unescape(match.group(2)) if match.group(2) else None
    return match.group(1), name, text[match.end() :].strip()
