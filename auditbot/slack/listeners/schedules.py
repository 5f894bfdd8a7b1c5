"""Scheduled handoff digests from Slack: ``/audit digest schedule [#channel] <times> [time zone] [filters]``,
``/audit digest schedules [text]`` and ``/audit digest unschedule <id>``.

``schedule`` reads, in order: an optional channel (as Slack links it; the current conversation
otherwise), the times of day (``09:00,21:00``; ``09:00, 21:00`` too), an optional IANA time zone
(the person's Slack time zone otherwise) and filters in the query language, without time terms.
The channel passes the same checks as an alert subscription's (the access policy, auditbot joins a
public channel and must be invited to a private one), and auditbot says in the channel what was
scheduled there. Changes are recorded in the bot's trail as ``schedule`` and ``unschedule``.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.access import Permission
from auditbot.core.errors import AuditbotError
from auditbot.core.schedule import (
    TIMES_EXAMPLE,
    format_times,
    looks_like_zone,
    next_slot,
    parse_times,
    parse_zone,
)
from auditbot.core.timespec import shorten
from auditbot.services.scheduler import digest_query
from auditbot.slack import ids
from auditbot.slack.deps import SlackDeps
from auditbot.slack.errors import slack_error_code
from auditbot.slack.listeners.common import record
from auditbot.slack.listeners.permits import require
from auditbot.slack.listeners.subscriptions import check_target
from auditbot.slack.payloads import Command, Who
from auditbot.slack.render.schedules import (
    render_digest_note,
    render_digest_scheduled,
    render_digest_schedules,
    render_digest_unscheduled,
)
from auditbot.slack.replies import Respond, send
from auditbot.slack.text import leading_channel, unslack
from auditbot.store.schedules import ID_PREFIX, HandoffSchedule, HandoffSchedules

DIGEST = f"{ids.COMMAND} digest"
EXAMPLE = f"{DIGEST} schedule #sec-oncall {TIMES_EXAMPLE} Europe/Berlin -actor:svc@example.com"
USAGE = (
    f"{DIGEST} schedule [#channel] <times> [time zone] [filters] posts the handoff digest at each time; "
    f"{DIGEST} schedules lists them; {DIGEST} unschedule <id> removes one. For example: {EXAMPLE}"
)
LIST_HINT = f"{DIGEST} schedules lists every digest schedule of this workspace with its id ({ID_PREFIX}…)."

_WORD = re.compile(r"\S+")


def handle_digest_command(deps: SlackDeps, client: WebClient, respond: Respond, command: Command) -> None:
    """``/audit digest …``: the digest subcommand is the command's ``inner`` one (the one the guard checked)."""
    inner = command.inner
    match inner.verb:
        case "schedule":
            schedule(deps, client, respond, command.who, inner.raw_args)
        case "schedules":
            list_schedules(deps, respond, command.who, inner.args)
        case "unschedule":
            unschedule(deps, client, respond, command.who, inner.args)
        case "":
            raise AuditbotError("Which digest command?", hint=USAGE)
        case _:
            raise AuditbotError(f"{shorten(inner.verb)} is not a digest command.", hint=USAGE)


def schedule(deps: SlackDeps, client: WebClient, respond: Respond, who: Who, text: str) -> None:
    """``/audit digest schedule [#channel] <times> [time zone] [filters]``: check everything, then store it.
    ``text`` is what follows ``schedule``, as Slack sent it."""
    require(deps, client, who, Permission.ADMIN, "schedule")
    store = _store(deps)
    channel_id, name, rest = leading_channel(text)
    if channel_id is None:
        if rest.startswith("#"):
            raise AuditbotError(
                "Which channel is that? auditbot needs the channel as Slack links it.",
                hint=f"Pick the channel from the list Slack shows as you type #, for example {EXAMPLE}",
            )
        channel_id = who.channel_id or ""
    times_text, zone_text, filters = split_schedule(unslack(rest))
    if not times_text:
        raise AuditbotError("At what times should the digest be posted?", hint=f"For example: {EXAMPLE}")
    times = parse_times(times_text)
    team_id, user_id = who.team_id, who.user_id
    zone, zone_note = _zone(deps, client, user_id, zone_text)
    query = digest_query(filters, deps.catalog.snapshot()).canonical
    check_target(deps, client, who, channel_id, name, join=True, what="schedule")
    wanted = (channel_id, format_times(times), zone.key, query)
    existing = next((s for s in store.of_team(team_id) if (s.channel_id, s.times, s.tz, s.query) == wanted), None)
    now = deps.clock.now()
    if existing is not None:
        already = "It already existed: nothing new was made."
        send(respond, render_digest_scheduled(existing, next_at=next_slot(times, zone, now), problem=already))
        return
    made = store.create(
        team_id=team_id, channel_id=channel_id, times=wanted[1], tz=zone.key, query=query, created_by=user_id
    )
    record(deps, client, who, "schedule", query=query or None, detail=_detail(made))
    problem: str | None = None
    try:
        client.chat_postMessage(channel=channel_id, **render_digest_note(user_id, made).as_kwargs())
    except SlackApiError as exc:
        problem = f"The note in the channel could not be posted ({slack_error_code(exc)}); digests will still be tried."
    next_at = next_slot(times, zone, now)
    send(respond, render_digest_scheduled(made, next_at=next_at, zone_note=zone_note, problem=problem))


def split_schedule(text: str) -> tuple[str, str | None, str]:
    """(times, time zone if given, filters) from what follows the channel, as the person typed it.

    The times are the first word, and the words after it while commas join them (``09:00, 21:00``);
    the next word is a time zone when it is meant as one (``looks_like_zone``); the rest is filters.
    """
    words = list(_WORD.finditer(text))
    if not words:
        return "", None, ""
    taken = 1
    while taken < len(words) and (words[taken - 1][0].endswith(",") or words[taken][0].startswith(",")):
        taken += 1
    times = "".join(w[0] for w in words[:taken])
    zone = None
    if taken < len(words) and looks_like_zone(words[taken][0]):
        zone = words[taken][0]
        taken += 1
    filters = text[words[taken].start() :].strip() if taken < len(words) else ""
    return times, zone, filters


def _zone(deps: SlackDeps, client: WebClient, user_id: str, typed: str | None) -> tuple[ZoneInfo, str | None]:
    """The zone typed, or the person's Slack time zone (with a note saying so)."""
    if typed is not None:
        return parse_zone(typed), None
    zone = deps.zones.zone(client, user_id)
    return zone, f"times are in {zone.key}, your Slack time zone (give a zone after the times for another)"


def list_schedules(deps: SlackDeps, respond: Respond, who: Who, text: str) -> None:
    """``/audit digest schedules [text]``: every schedule of the workspace (those mentioning ``text``)."""
    schedules = _store(deps).of_team(who.team_id)
    wanted = text.strip().casefold()
    if wanted:
        schedules = [s for s in schedules if wanted in _haystack(s)]
    now = deps.clock.now()
    upcoming = {s.id: _next(s, now) for s in schedules}
    send(respond, render_digest_schedules(schedules, next_slots=upcoming, text=text.strip() or None))


def unschedule(deps: SlackDeps, client: WebClient, respond: Respond, who: Who, raw_id: str) -> None:
    """``/audit digest unschedule <id>``: remove one of the workspace's schedules (and its runs)."""
    require(deps, client, who, Permission.ADMIN, "unschedule")
    store = _store(deps)
    found = find(store, who.team_id, raw_id)
    store.remove(found.id)
    record(deps, client, who, "unschedule", query=found.query or None, detail=_detail(found))
    send(respond, render_digest_unscheduled(found))


def find(store: HandoffSchedules, team_id: str, raw_id: str) -> HandoffSchedule:
    """The workspace's schedule with this id (``dg-`` may be left off)."""
    wanted = raw_id.strip().lower()
    if not wanted:
        raise AuditbotError("Which digest schedule?", hint=f"Give its id, for example dg-k3x9q2. {LIST_HINT}")
    if not wanted.startswith(ID_PREFIX):
        wanted = ID_PREFIX + wanted
    found = store.get(wanted)
    if found is None or found.team_id != team_id:
        raise AuditbotError(f"There is no digest schedule {shorten(raw_id.strip())} in this workspace.", hint=LIST_HINT)
    return found


def _next(schedule: HandoffSchedule, now: datetime) -> datetime | None:
    try:
        return next_slot(parse_times(schedule.times), parse_zone(schedule.tz), now)
    except AuditbotError:
        return None


def _detail(schedule: HandoffSchedule) -> str:
    return f"digest {schedule.id} in {schedule.channel_id} at {schedule.times} {schedule.tz}"


def _haystack(schedule: HandoffSchedule) -> str:
    s = schedule
    return " ".join((s.id, s.channel_id, s.times, s.tz, s.query, s.created_by, s.last_error or "")).casefold()


def _store(deps: SlackDeps) -> HandoffSchedules:
    if deps.schedules is None:
        raise AuditbotError(
            "Digest schedules need a store: auditbot keeps them in its database, and none is configured.",
            hint="Whoever runs auditbot can set AUDITBOT_DATABASE_URL (or AUDITBOT_DATA_DIR) and restart it.",
        )
    return deps.schedules
