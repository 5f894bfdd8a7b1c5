"""Every identifier the Slack app and its manifest share: the command, callback ids and action ids.

Listeners register on these, renderers put them on blocks, ``manifest.yml`` declares them, and a
test checks that the three agree.
"""

from __future__ import annotations

import re

COMMAND = "/audit"

# Shortcuts (manifest `features.shortcuts[].callback_id`).
INVESTIGATE_MESSAGE = "investigate_message"
"""Message shortcut "Investigate in audit log"."""
SEARCH_SHORTCUT = "search_audit_log"
"""Global shortcut "Search audit log", opening the search form."""


def quick_query_id(n: int) -> str:
    return f"{HOME_QUICK_QUERY}:{n}"


# Views (modal callback ids).
SEARCH_FORM = "search_form"
EVENT_DETAIL = "event_detail"

# Block actions (action_id on buttons and selects).
PAGE_NEXT = "page_next"
PAGE_PREV = "page_prev"
PAGE_FIRST = "page_first"
EVENT_DETAILS = "event_details"
"""The Details button of one event; its value is the event id."""
SEARCH_NARROW = "search_narrow"
"""A busiest actor or address in a result's summary; button n is ``search_narrow:<n>``, its value the signed
page state of the same search narrowed to it."""
SEARCH_NARROW_PATTERN = re.compile(r"^search_narrow(?::\d+)?$")
SHARE_PAGE = "share_page"
CATALOG_SEARCH = "catalog_search"
"""The menu of a group in ``/audit actions``; each option's value is a search term (``action:<id>``,
``group:"<name>"``), searched over the list's window."""
EVENT_PIVOT = "event_pivot"
"""A pivot in the event details modal: ``event_pivot:actor``, ``event_pivot:ip`` or ``event_pivot:around``;
its value is ``<event id>|<channel id>`` (the channel the details were opened from, or empty)."""
EVENT_PIVOT_PATTERN = re.compile(r"^event_pivot:(actor|ip|around)$")
EVENT_SHARE = "event_share"
"""[Share] in the event details modal: posts the event in the channel of its value (``<event id>|<channel id>``)."""
EVENT_RAW = "event_raw"
"""Show or hide the raw JSON in the event details modal: ``event_raw:show`` / ``event_raw:hide``, value as
``EVENT_PIVOT``'s."""
EVENT_RAW_PATTERN = re.compile(r"^event_raw:(show|hide)$")
EXPORT_CSV = "export_csv"
HOME_QUICK_QUERY = "home_quick_query"
"""App Home quick queries; button n is ``home_quick_query:n`` (ids must differ within a block), value the query."""
HOME_QUICK_QUERY_PATTERN = re.compile(r"^home_quick_query(?::\d+)?$")
OPEN_SEARCH_FORM = "open_search_form"
HANDOFF_SEARCH = "handoff_search"
"""A search button in the handoff digest (risky actions, a failed-login burst); button n is ``handoff_search:n``,
its value the search listing those events."""
HANDOFF_SEARCH_PATTERN = re.compile(r"^handoff_search(?::\d+)?$")
HANDOFF_DRILL = "handoff_drill"
"""The menu of a count section in the handoff digest; an option's value is a search term, and the section's
block id (``handoff_drill:<n>|<start>|<end>|<filters>``) the window and filters it is searched with."""
HANDOFF_SHARE = "handoff_share"
"""Posts the handoff digest in the channel; its value is the handoff's text and window."""
SEARCH_SUGGESTION = "search_suggestion"
"""A corrected query under a query error; button n is ``search_suggestion:<n>``, its value the whole query."""
SEARCH_SUGGESTION_PATTERN = re.compile(r"^search_suggestion(?::\d+)?$")

# Alert subscriptions (the subscribe dry run, /audit subscriptions and App Home).
SUBSCRIBE_CONFIRM = "subscribe_confirm"
"""[Subscribe #channel] under a dry run; its value is ``<channel id>[#<name>] <canonical query>``."""
SUBSCRIBE_CANCEL = "subscribe_cancel"
SUBSCRIPTION_PAUSE = "subscription_pause"
"""Pause, Resume and Remove on a listed subscription; their value is the subscription id."""
SUBSCRIPTION_RESUME = "subscription_resume"
SUBSCRIPTION_REMOVE = "subscription_remove"

# auditbot's own log (/audit bot-log).
BOT_LOG_NEXT = "bot_log_next"
"""Next and Previous under a page of the bot's log; their value is a signed page state (``services.trail_pages``)."""
BOT_LOG_PREV = "bot_log_prev"

# Alert messages (posted by delivery).
ALERT_ACK = "alert_ack"
"""[Acknowledge] on one alert; its value is ``<event id>|<subscription ids>``."""
ALERT_ACK_BATCH = "alert_ack_batch"
"""[Acknowledge all] on a burst's summary; its value is the burst's batch key."""
ALERT_SNOOZE = "alert_snooze"
"""The Snooze menu of an alert; each option's value is ``<choice>|<subscription ids>|<event id>``."""
ALERT_PART_DETAILS = "alert_part_details"
"""The "Open details…" menu of a burst's thread part; each option's value is an event id."""
ALERT_INVESTIGATE = "alert_investigate"
"""[Investigate] on one alert: the actor's and the address's events around it; its value is the event id."""
ALERT_OPEN_ADMIN = "alert_open_admin"
"""The link button to the audit log in Atlassian Administration (Slack still sends the click; it is acked)."""

# Search form inputs (block_id / action_id pairs inside SEARCH_FORM).
FORM_SINCE = "form_since"
"""The day Since (a datepicker); FORM_SINCE_TIME its time of day (a timepicker), both in the asker's zone."""
FORM_SINCE_TIME = "form_since_time"
FORM_UNTIL = "form_until"
FORM_UNTIL_TIME = "form_until_time"
FORM_ACTIONS = "form_actions"
"""Multi external select of actions, fed by an options load (block_suggestion)."""
FORM_ACTORS = "form_actors"
FORM_IPS = "form_ips"
FORM_TEXT = "form_text"

BLOCK_ACTIONS = (
    PAGE_NEXT,
    PAGE_PREV,
    PAGE_FIRST,
    EVENT_DETAILS,
    SHARE_PAGE,
    EXPORT_CSV,
    HOME_QUICK_QUERY,
    OPEN_SEARCH_FORM,
)
DETAIL_ACTIONS = (CATALOG_SEARCH, EVENT_SHARE, HANDOFF_DRILL)
"""The action list's menus and the details modal's Share (the pivots and raw JSON toggles match patterns)."""
SUBSCRIPTION_ACTIONS = (
    SUBSCRIBE_CONFIRM,
    SUBSCRIBE_CANCEL,
    SUBSCRIPTION_PAUSE,
    SUBSCRIPTION_RESUME,
    SUBSCRIPTION_REMOVE,
)
ALERT_ACTIONS = (ALERT_ACK, ALERT_ACK_BATCH, ALERT_SNOOZE, ALERT_PART_DETAILS, ALERT_INVESTIGATE, ALERT_OPEN_ADMIN)
"""Block actions of subscriptions and alerts (kept apart from ``BLOCK_ACTIONS``, the search surfaces)."""
SHORTCUTS = (INVESTIGATE_MESSAGE, SEARCH_SHORTCUT)
VIEWS = (SEARCH_FORM,)
"""Views whose submission the app handles (EVENT_DETAIL has no submit)."""
OPTIONS = (FORM_ACTIONS,)

# /audit alerts: posted alerts by triage state.
ALERT_LIST_NEXT = "alert_list_next"
"""Next and Previous under a page of ``/audit alerts``; their value is a signed page state (``services.alert_list``)."""
ALERT_LIST_PREV = "alert_list_prev"

# Triage on one alert's card (their buttons' value is the Acknowledge button's: ``<event id>|<subscription ids>``).
ALERT_ASSIGN = "alert_assign"
"""The "Assign…" user picker on an alert (a users_select; the alert is read from its card's buttons)."""
ALERT_ASSIGN_ME = "alert_assign_me"
"""[Assign to me] on an alert."""
ALERT_RESOLVE = "alert_resolve"
"""[Resolve] on an alert: opens ``RESOLVE_FORM``."""
ALERT_REOPEN = "alert_reopen"
"""[Reopen] on a resolved alert."""
RESOLVE_FORM = "alert_resolve_form"
"""The Resolve modal (callback id); its private metadata names the alert's channel, message and value."""
RESOLVE_REASON = "resolve_reason"
"""The Resolve modal's reason (a static select of ``core.triage.Reason``); block id and action id."""
RESOLVE_COMMENT = "resolve_comment"
"""The Resolve modal's optional comment (plain text, at most ``core.triage.MAX_COMMENT``)."""
ALERT_RESOLVE_BATCH = "alert_resolve_batch"
"""[Resolve all] on a burst's summary: opens ``RESOLVE_FORM`` for the burst; its value is the burst's batch key."""
TRIAGE_ACTIONS = (ALERT_ASSIGN, ALERT_ASSIGN_ME, ALERT_RESOLVE, ALERT_REOPEN, ALERT_RESOLVE_BATCH)
"""Block actions of an alert's triage (beside ``ALERT_ACTIONS``)."""
