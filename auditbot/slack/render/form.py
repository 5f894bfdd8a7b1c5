"""The search form modal and the options it loads for its action picker.

Layout of the SEARCH_FORM modal (every input optional; block_id == action_id)::

    context  the asker's zone ("Days and times are in your Slack time zone (Europe/Berlin).") and notes
             from the prefill ("From the message: 2 emails, 1 IP")
    input    Since            datepicker
    input    Since: time      timepicker (optional: the day's start)
    input    Until            datepicker
    input    Until: time      timepicker (optional: the day's end)
    input    Actions          multi_external_select (options from render_action_options)
    input    Actors           plain_text_input, comma separated
    input    IP addresses     plain_text_input, comma separated
    input    Text             plain_text_input

Days and times are picked, and a prefill shown, in the asker's Slack time zone (``users.info``),
which is also the zone their search is read in (``auditbot.slack.forms``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    DatePickerElement,
    ExternalDataMultiSelectElement,
    InputBlock,
    InputInteractiveElement,
    Option,
    OptionGroup,
    PlainTextInputElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from auditbot.core.querysyntax import MAX_QUERY_LENGTH
from auditbot.services.catalog import CatalogSnapshot
from auditbot.slack import ids
from auditbot.slack.render import kit
from auditbot.slack.render.catalog import matching_groups
from auditbot.slack.render.limits import (
    CONTEXT_ELEMENTS,
    INPUT_VALUE,
    OPTION_TEXT,
    OPTION_VALUE,
    OPTIONS,
    JsonDict,
    check_view,
)
from auditbot.slack.render.safe import as_utc, clean, plain, units
from auditbot.slack.render.views import SearchFormPrefill

MAX_SELECTED = 25
UTC_ZONE = ZoneInfo("UTC")


def render_search_form(prefill: SearchFormPrefill | None = None, *, tz: ZoneInfo = UTC_ZONE) -> JsonDict:
    """The SEARCH_FORM modal for someone in ``tz``, with ``prefill``'s values already in place."""
    given = prefill or SearchFormPrefill()
    actors, dropped_actors = _joined(given.actors)
    ips, dropped_ips = _joined(given.ips)
    notes = [n for n in given.notes if clean(n)]
    notes += [f"{n} more {what} did not fit" for n, what in ((dropped_actors, "actors"), (dropped_ips, "IPs")) if n]
    text = clean(given.text)
    if units(text) > MAX_QUERY_LENGTH:
        notes.append("The text was too long to fill in.")
        text = ""
    zone = f"Days and times are in your Slack time zone ({plain(tz.key, 60)})."
    shown = [zone, *_at_most(notes, CONTEXT_ELEMENTS - 1)]
    blocks: list[JsonDict] = [kit.context(*(kit.plain_text(plain(n, 300)) for n in shown))]
    blocks += [
        *_when(ids.FORM_SINCE, ids.FORM_SINCE_TIME, "Since", given.since, tz, "Default: 7 days before Until."),
        *_when(ids.FORM_UNTIL, ids.FORM_UNTIL_TIME, "Until", given.until, tz, "Default: now."),
        _input(
            ids.FORM_ACTIONS,
            "Actions",
            ExternalDataMultiSelectElement(
                action_id=ids.FORM_ACTIONS,
                placeholder=kit.plain_text("Type to find actions"),
                min_query_length=0,
                initial_options=_options(given.actions[:MAX_SELECTED]) or None,
            ),
        ),
        _text_input(ids.FORM_ACTORS, "Actors", actors, "Emails or account ids, comma separated", INPUT_VALUE),
        _text_input(ids.FORM_IPS, "IP addresses", ips, "Addresses or CIDR ranges, comma separated", INPUT_VALUE),
        _text_input(ids.FORM_TEXT, "Text", text, "Words or a phrase found in events", MAX_QUERY_LENGTH),
    ]
    view = View(
        type="modal",
        callback_id=ids.SEARCH_FORM,
        title=kit.plain_text("Search audit log"),
        submit=kit.plain_text("Search"),
        close=kit.plain_text("Cancel"),
        blocks=blocks,
    ).to_dict()
    check_view(view)
    return view


def render_action_options(snapshot: CatalogSnapshot, typed: str) -> JsonDict:
    """The ``block_suggestion`` answer: matching actions grouped by catalog group (at most 100)."""
    groups: list[JsonDict] = []
    room = OPTIONS
    for group, actions in matching_groups(snapshot, clean(typed)).items():
        options = _options((a.id, a.display_name) for a in actions)[:room]
        if not options:
            continue
        label = kit.plain_text(plain(group, OPTION_TEXT))
        groups.append(OptionGroup(label=label, options=options).to_dict())
        room -= len(options)
        if room <= 0:
            break
    return {"option_groups": groups} if groups else {"options": []}


def _options(pairs: Iterable[tuple[str, str]]) -> list[Option]:
    """Options for (action id, display name) pairs; ids too long to be a value are left out."""
    return [_option(action_id, name) for action_id, name in pairs if action_id and units(action_id) <= OPTION_VALUE]


def _option(action_id: str, name: str) -> Option:
    text = plain(name, OPTION_TEXT, empty="") or plain(action_id, OPTION_TEXT)
    description = kit.plain_text(plain(action_id, OPTION_TEXT)) if clean(action_id) != text else None
    return Option(text=kit.plain_text(text), value=action_id, description=description)


def _when(day_id: str, time_id: str, label: str, value: datetime | None, tz: ZoneInfo, hint: str) -> list[JsonDict]:
    """A day picker and a time picker, showing ``value`` (if any) in ``tz``."""
    local = _local(value, tz) if value is not None else None
    day = DatePickerElement(action_id=day_id, initial_date=f"{local:%Y-%m-%d}" if local else None)
    at = TimePickerElement(action_id=time_id, initial_time=f"{local:%H:%M}" if local else None)
    edge = "start" if day_id == ids.FORM_SINCE else "end"
    return [
        _input(day_id, label, day, hint=hint),
        _input(time_id, f"{label}: time", at, hint=f"Without a time: the {edge} of the day."),
    ]


def _text_input(block_id: str, label: str, value: str, placeholder: str, max_length: int) -> JsonDict:
    initial = clean(value)
    element = PlainTextInputElement(
        action_id=block_id,
        placeholder=kit.plain_text(placeholder),
        initial_value=initial if initial and units(initial) <= max_length else None,
        max_length=max_length,
    )
    return _input(block_id, label, element)


def _input(block_id: str, label: str, element: InputInteractiveElement, *, hint: str | None = None) -> JsonDict:
    return InputBlock(
        block_id=block_id,
        label=kit.plain_text(label),
        element=element,
        hint=kit.plain_text(hint) if hint else None,
        optional=True,
    ).to_dict()


def _joined(values: tuple[str, ...]) -> tuple[str, int]:
    """``values`` comma separated, as many as fit an input; and how many were left out."""
    present = [value for value in (clean(v) for v in values) if value]
    kept: list[str] = []
    size = 0
    for value in present:
        cost = units(value) + (2 if kept else 0)
        if size + cost > INPUT_VALUE:
            break
        kept.append(value)
        size += cost
    return ", ".join(kept), len(present) - len(kept)


def _at_most(notes: list[str], count: int) -> list[str]:
    if len(notes) <= count:
        return notes
    return [*notes[: count - 1], f"+{len(notes) - count + 1} more notes"]


def _local(value: datetime, tz: ZoneInfo) -> datetime | None:
    """``value`` on the wall clock of ``tz`` (naive values are UTC); None when it cannot be shown there."""
    try:
        local = as_utc(value).astimezone(tz)
    except (OverflowError, ValueError):
        return None
    return local if 1 <= local.year <= 9999 else None
