"""Pull what an audit-log search can use out of free text: emails, IPs, account ids, event ids, links.

Used by the "Investigate in audit log" message shortcut. Slack sends message text with its own
markup (``<mailto:a@x.com|a@x.com>``, ``<https://…|label>``, ``&lt;``), which is unwrapped first.
Links to admin.atlassian.com give up the account or event id in their path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from ipaddress import IPv4Address, IPv6Address, ip_address
from urllib.parse import unquote, urlsplit

from auditbot.core.query import MAX_QUERY_LENGTH, Query

MAX_TERMS = 20
"""At most this many values of one kind are taken, so a pasted log cannot make a huge query."""

_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>\s]+)(?:\|[^>]*)?>")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_UUID = re.compile(
    r"(?<![0-9a-fA-F-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9a-fA-F-])"
)
_ACCOUNT = re.compile(
    r"(?<![\w:])(?:\d{6}:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-f]{24})(?![\w-])"
)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_URL = re.compile(r"https://admin\.atlassian\.com/[^\s<>|]+")
_ADMIN_USER = re.compile(r"/users/([^/?#]+)")
_ADMIN_EVENT = re.compile(r"/events/([^/?#]+)")


@dataclass(frozen=True)
class Findings:
    emails: tuple[str, ...] = ()
    account_ids: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    event_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.emails or self.account_ids or self.ips or self.event_ids)

    def query(self) -> Query:
        """A query for events by any of the actors or from any of the addresses found (within the length cap)."""
        actors = [*self.emails, *self.account_ids]
        ips = [ip_address(i) for i in self.ips]
        query = Query(actors=tuple(actors), ips=tuple(ips))
        while len(query.canonical) > MAX_QUERY_LENGTH:
            (actors if len(actors) >= len(ips) else ips).pop()
            query = Query(actors=tuple(actors), ips=tuple(ips))
        return query

    def summary(self) -> str:
        parts = [
            _count(len(self.emails), "email"),
            _count(len(self.account_ids), "account id"),
            _count(len(self.ips), "IP address", "IP addresses"),
            _count(len(self.event_ids), "event id"),
        ]
        return ", ".join(p for p in parts if p) or "nothing to search for"


def extract(text: str) -> Findings:
    """Everything searchable in ``text``, in order of appearance, without duplicates."""
    text = unescape(_SLACK_LINK.sub(lambda m: f" {m.group(1)} ", text))
    text = text.replace("mailto:", " ")
    emails = _unique(m.group(0).lower() for m in _EMAIL.finditer(text))
    accounts: list[str] = []
    events: list[str] = []
    for url in _URL.findall(text):
        path = unquote(urlsplit(url).path)
        accounts.extend(m.group(1) for m in _ADMIN_USER.finditer(path))
        events.extend(m.group(1) for m in _ADMIN_EVENT.finditer(path))
    without_emails = _EMAIL.sub(" ", text)
    accounts.extend(m.group(0) for m in _ACCOUNT.finditer(without_emails))
    account_ids = _unique(accounts)
    uuids = [m.group(0).lower() for m in _UUID.finditer(without_emails)]
    events.extend(u for u in uuids if not any(u in a for a in account_ids))
    ips = _unique(_valid_ips(without_emails))
    notes = tuple(
        f"Only the first {MAX_TERMS} {kind} were used."
        for kind, values in (("emails", emails), ("account ids", account_ids), ("IP addresses", ips))
        if len(values) > MAX_TERMS
    )
    return Findings(
        emails=emails[:MAX_TERMS],
        account_ids=account_ids[:MAX_TERMS],
        ips=ips[:MAX_TERMS],
        event_ids=_unique(events)[:MAX_TERMS],
        notes=notes,
    )


def _valid_ips(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            try:
                address = ip_address(match.group(0))
            except ValueError:
                continue
            if isinstance(address, IPv4Address | IPv6Address) and not address.is_unspecified:
                found.append((match.start(), str(address)))
    return [value for _, value in sorted(found)]


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _count(n: int, singular: str, plural: str | None = None) -> str:
    if n == 0:
        return ""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
