"""Scheduled handoff digests from Slack: ``/audit digest schedule [#channel] <times> [time zone] [filters]``,
``/audit digest schedules [text]`` and ``/audit digest unschedule <id>``.

``schedule`` reads, in order: an optional channel (as Slack links it; the current conversation
otherwise), the times of day (``09:00,21:00``; ``09:00, 21:00`` too), an optional IANA time zone
(the person's Slack time zone otherwise) and filters in the query language, without time terms.
The channel passes the same checks as an alert subscription's (the access policy, auditbot joins a
public channel and must be invited to a private one), and auditbot says in the channel what was
scheduled there. Changes are recorded in the bot's trail as ``schedule`` and ``unschedule``.
The use cases are ``services.schedules``'; here the command is read and the answers rendered.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from auditbot.core.access import Permission
from auditbot.core.errors import AuditbotError
from auditbot.core.schedule import TIMES_EXAMPLE, split_schedule
from auditbot.core.timespec import shorten
from auditbot.services.schedules import ID_PREFIX, HandoffSchedule, ScheduleRequest, ScheduleService
from auditbot.slack import ids
from auditbot.slack.channels import check_target, named_channel
from auditbot.slack.deps import SlackDeps
from auditbot.slack.errors import slack_error_code
from auditbot.slack.listeners.common import record
from auditbot.slack.listeners.permits import require
from auditbot.slack.listeners.stored import ids_worded, needs_store
from auditbot.slack.payloads import Command, Who
from auditbot.slack.render.schedules import (
    render_digest_note,
    render_digest_scheduled,
    render_digest_schedules,
    render_digest_unscheduled,
)
from auditbot.slack.replies import Respond, send
from auditbot.slack.text import unslack

DIGEST = f"{ids.COMMAND} digest"
EXAMPLE = f"{DIGEST} schedule #sec-oncall {TIMES_EXAMPLE} Europe/Berlin -actor:svc@example.com"
USAGE = (
    f"{DIGEST} schedule [#channel] <times> [time zone] [filters] posts the handoff digest at each time; "
    f"{DIGEST} schedules lists them; {DIGEST} unschedule <id> removes one. For example: {EXAMPLE}"
)
LIST_HINT = f"{DIGEST} schedules lists every digest schedule of this workspace with its id ({ID_PREFIX}…)."


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
    service = _service(deps)
    named = named_channel(text, who, example=EXAMPLE)
    times, zone, filters = split_schedule(unslack(named.rest))
    if not times:
        raise AuditbotError("At what times should the digest be posted?", hint=f"For example: {EXAMPLE}")
    request = ScheduleRequest(who.team_id, named.channel_id, who.user_id, times=times, zone=zone, filters=filters)
    scheduled = service.schedule(
        request,
        own_zone=lambda: deps.zones.zone(client, who.user_id),
        check_channel=lambda channel: check_target(deps, client, who, channel, named.name, join=True, what="schedule"),
    )
    made = scheduled.schedule
    if not scheduled.created:
        already = "It already existed: nothing new was made."
        send(respond, render_digest_scheduled(made, next_at=scheduled.next_at, problem=already))
        return
    record(deps, client, who, "schedule", query=made.query or None, detail=_detail(made))
    problem: str | None = None
    try:
        client.chat_postMessage(channel=named.channel_id, **render_digest_note(who.user_id, made).as_kwargs())
    except SlackApiError as exc:
        problem = f"The note in the channel could not be posted ({slack_error_code(exc)}); digests will still be tried."
    zone_note = None
    if zone is None:
        zone_note = f"times are in {made.tz}, your Slack time zone (give a zone after the times for another)"
    send(respond, render_digest_scheduled(made, next_at=scheduled.next_at, zone_note=zone_note, problem=problem))


def list_schedules(deps: SlackDeps, respond: Respond, who: Who, text: str) -> None:
    """``/audit digest schedules [text]``: every schedule of the workspace (those mentioning ``text``)."""
    service = _service(deps)
    schedules = service.of_team(who.team_id, text=text)
    upcoming = service.upcoming(schedules)
    send(respond, render_digest_schedules(schedules, next_slots=upcoming, text=text.strip() or None))


def unschedule(deps: SlackDeps, client: WebClient, respond: Respond, who: Who, raw_id: str) -> None:
    """``/audit digest unschedule <id>``: remove one of the workspace's schedules (and its runs)."""
    require(deps, client, who, Permission.ADMIN, "unschedule")
    service = _service(deps)
    with ids_worded("digest schedule", LIST_HINT):
        found = service.unschedule(who.team_id, raw_id)
    record(deps, client, who, "unschedule", query=found.query or None, detail=_detail(found))
    send(respond, render_digest_unscheduled(found))


def _detail(schedule: HandoffSchedule) -> str:
    return f"digest {schedule.id} in {schedule.channel_id} at {schedule.times} {schedule.tz}"


def _service(deps: SlackDeps) -> ScheduleService:
    return needs_store(
        deps.schedules,
        "Digest schedules need a store: auditbot keeps them in its database, and none is configured.",
    )
