"""When a snooze of an alert ends: an hour, four hours, or 09:00 on the next calendar day where the person is.

Pure: the caller gives the time now and the person's time zone. Every answer is aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from auditbot.core.errors import AuditbotError

ONE_HOUR = "1h"
FOUR_HOURS = "4h"
TOMORROW_MORNING = "tomorrow"
CHOICES: tuple[str, ...] = (ONE_HOUR, FOUR_HOURS, TOMORROW_MORNING)
"""What a person can pick, in the order they are offered."""
MORNING = time(9, 0)
_DURATIONS = {ONE_HOUR: timedelta(hours=1), FOUR_HOURS: timedelta(hours=4)}


def snooze_until(choice: str, now: datetime, tz: ZoneInfo) -> datetime:
    """The end of a snooze picked at ``now`` by a person in ``tz``, in UTC.

    ``1h`` and ``4h`` are elapsed time (a DST change does not stretch them). ``tomorrow`` is 09:00
    local time on the calendar day after ``now``'s local date, whatever the hour now (at 00:30 that
    is the day after the one just begun); a DST change in between makes the wait an hour shorter or longer.
    A 09:00 that happens twice is the first one; one that a change skips is read with the offset of
    before the change (it lands as far past the change as 09:00 is past its start).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if choice in _DURATIONS:
        return now.astimezone(UTC) + _DURATIONS[choice]
    if choice != TOMORROW_MORNING:
        raise AuditbotError(
            f"Unknown snooze length {choice[:20]!r}.", hint="Pick one of the choices in the alert's Snooze menu."
        )
    day = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(day, MORNING, tzinfo=tz).astimezone(UTC)
