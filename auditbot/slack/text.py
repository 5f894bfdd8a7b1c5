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
