"""Alert delivery: the outbox's pending alerts posted to their channels, each (channel, event) once.

One worker at a time delivers (it holds the lease ``deliver``; another replica takes over when it
dies). A pass goes channel by channel:

* **Reconcile first.** A pending alert that already has a batch key was being posted when the last
  worker died, or Slack's answer was lost (a 5xx, a timeout). Slack has no idempotency key, so the
  worker reads the channel's history since that attempt (every message it posts carries its batch
  key and event ids in Slack message metadata, the replies of a burst thread included) and marks
  what it finds as sent. Only what Slack does not have is posted again. Reading needs membership
  where posting does not (``chat:write.public``), and the bot may have been removed since: on
  ``not_in_channel`` it joins the public channel and reads again. Where Slack will not let it in
  (a private channel, an archived one, a missing scope), the channel pauses with that reason and
  the fix (invite auditbot), as any refusal does.
* **Pace.** At most one message per ``interval`` seconds per channel (Slack allows about one a
  second); a 429 holds the channel for its ``Retry-After``.
* **Roll bursts up.** When more than ``burst_threshold`` events reach a channel within
  ``burst_window`` seconds, they are posted as one summary message with the events listed in its
  thread, ``part_size`` to a reply; events arriving while the burst's window is open join its thread.
* **Refusals pause.** ``channel_not_found``, ``not_in_channel``, ``is_archived`` and a revoked token
  pause the channel's subscriptions, record the error and tell each owner; the alerts stay queued
  for when someone resumes it. Other rejections count as a failed attempt (given up after a few).

Every post's rows are stamped with the batch key and committed *before* the post, and marked sent
after it; so a crash anywhere leaves either nothing posted and nothing stamped, or a stamped row that
reconciliation resolves against Slack.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from auditbot.core.clock import Clock
from auditbot.services.alert_ports import ChannelRef, OutboxRepo, PendingRow, SnoozeRepo
from auditbot.services.delivery.metadata import NOTICE_EVENT_TYPE, alert_metadata
from auditbot.services.delivery.ports import (
    AlertItem,
    AlertRenderer,
    ChannelRefused,
    DeliveryProblem,
    InDoubt,
    JoinRefused,
    LeaseBook,
    OutgoingMessage,
    PostedMessage,
    PostRejected,
    RateLimited,
    SlackDelivery,
    StoredEvents,
)
from auditbot.services.repeat import repeat
from auditbot.services.subscriptions import ChannelSubscriptions

logger = logging.getLogger(__name__)

LEASE_NAME = "deliver"
RECONCILE_MARGIN = timedelta(minutes=2)
"""How far before an attempt the history is read: room for clock skew between us and Slack."""


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    interval: float = 1.0
    """Seconds between two posts to one channel."""
    burst_threshold: int = 5
    """More events than this within ``burst_window`` are rolled into a summary and its thread."""
    burst_window: float = 60.0
    part_size: int = 50
    """Events per thread reply of a burst."""
    max_rows: int = 1000
    """Pending rows read per channel per pass."""
    rate_limit_retries: int = 5
    lease_ttl: float = 60.0


@dataclass
class DeliveryReport:
    """What one pass did."""

    leader: bool = False
    messages: int = 0
    alerts_sent: int = 0
    reconciled: int = 0
    """Alerts found already in Slack after an interrupted attempt."""
    paused: list[str] = field(default_factory=list)
    failed: int = 0
    in_doubt: int = 0
    error: str | None = None

    def summary(self) -> str:
        if not self.leader:
            return f"delivery: {self.error or 'not the leader'}"
        line = f"delivery: {self.alerts_sent} alerts in {self.messages} messages"
        if self.reconciled:
            line += f", {self.reconciled} found already posted"
        if self.paused:
            line += f", paused {', '.join(self.paused)}"
        return line


class LeaseLost(Exception):
    """Another worker holds the delivery lease now: stop posting at once."""


@dataclass
class _Burst:
    batch: str
    parent_ts: str
    started: float
    total: int
    first: list[AlertItem]


@dataclass
class _Plan:
    """A channel's alerts for this pass, grouped by event in queue order."""

    items: list[AlertItem]
    rows: dict[str, list[int]]
    """Event id → the outbox rows (one per subscription) it settles."""
    resume: dict[str, str]
    """Burst batch → parent ts, for bursts whose summary reconciliation found."""
    batches: dict[str, str | None]
    """Event id → the batch its rows were stamped with, if any."""


class Delivery:
    def __init__(
        self,
        queue: OutboxRepo,
        slack: SlackDelivery,
        renderer: AlertRenderer,
        subscriptions: ChannelSubscriptions,
        events: StoredEvents,
        names: Callable[[str], str],
        leases: LeaseBook,
        clock: Clock,
        *,
        owner: str,
        snoozes: SnoozeRepo | None = None,
        settings: DeliverySettings | None = None,
        new_key: Callable[[], str] | None = None,
    ) -> None:
        self._queue = queue
        self._slack = slack
        self._render = renderer
        self._subscriptions = subscriptions
        self._events = events
        self._names = names
        self._leases = leases
        self._clock = clock
        self.owner = owner
        self._snoozes = snoozes
        self.settings = settings or DeliverySettings()
        self._new_key = new_key or (lambda: "b-" + secrets.token_hex(6))
        self._lease: Any = None
        self._next_post: dict[str, float] = {}
        self._recent: dict[str, deque[float]] = {}
        self._bursts: dict[str, _Burst] = {}

    # -- running ---------------------------------------------------------------------------

    def run_once(self) -> DeliveryReport:
        report = DeliveryReport()
        if not self._hold():
            return report
        report.leader = True
        try:
            self._announce_snooze_ends(report)
            for channel in self._queue.pending_channels():
                self._deliver_channel(channel, report)
        except LeaseLost:
            report.error = "lease lost to another worker"
            self._lease = None
        return report

    def run_forever(
        self,
        stop: threading.Event,
        interval: float = 2.0,
        on_report: Callable[[DeliveryReport], None] | None = None,
    ) -> None:
        """Pass, wait ``interval`` seconds, repeat until ``stop``; release the lease at the end."""
        repeat(
            self.run_once,
            stop=stop,
            clock=self._clock,
            interval=interval,
            failed=lambda exc: DeliveryReport(leader=self._lease is not None, error=exc.message),
            on_report=on_report,
            release=self.release,
        )

    def release(self) -> None:
        if self._lease is not None:
            self._leases.release(self._lease)
            self._lease = None

    def _hold(self) -> bool:
        ttl = self.settings.lease_ttl
        if self._lease is not None:
            self._lease = self._leases.renew(self._lease)
        if self._lease is None:
            self._lease = self._leases.acquire(LEASE_NAME, self.owner, ttl)
            if self._lease is not None:
                self._bursts.clear()  # another worker may have posted since we last held it
        return self._lease is not None

    def _still_ours(self) -> None:
        self._lease = self._leases.renew(self._lease) if self._lease is not None else None
        if self._lease is None:
            raise LeaseLost

    # -- one channel -----------------------------------------------------------------------

    def _deliver_channel(self, channel: ChannelRef, report: DeliveryReport) -> None:
        rows = list(self._queue.pending(channel, limit=self.settings.max_rows))
        if not rows:
            return
        try:
            if any(row.batch for row in rows):
                rows, resume = self._reconcile(channel.channel_id, rows, report)
            else:
                resume = {}
            plan = self._plan(rows, resume, report)
            self._post_plan(channel.channel_id, plan, report)
        except ChannelRefused as refused:
            self._pause_channel(channel, refused, report)
        except DeliveryProblem as problem:  # reading the channel back failed: try it next pass
            logger.warning("delivery to %s put off: %s", channel.channel_id, problem.message)

    def _plan(self, rows: Sequence[PendingRow], resume: dict[str, str], report: DeliveryReport) -> _Plan:
        by_event: dict[str, list[PendingRow]] = {}
        for row in rows:
            by_event.setdefault(row.event_id, []).append(row)
        items: list[AlertItem] = []
        ids: dict[str, list[int]] = {}
        batches: dict[str, str | None] = {}
        for event_id, group in by_event.items():
            event = self._events.get(group[0].org_id, event_id)
            if event is None:  # pruned from the mirror before it could be announced
                logger.warning("alert for event %s given up: the event is no longer stored", event_id)
                self._queue.give_up([r.id for r in group])
                report.failed += len(group)
                continue
            subscription_ids = tuple(sorted({r.subscription_id for r in group}))
            items.append(AlertItem(event, self._names(event.action), subscription_ids))
            ids[event_id] = [r.id for r in group]
            batches[event_id] = next((r.batch for r in group if r.batch), None)
        return _Plan(items, ids, resume, batches)

    def _post_plan(self, channel_id: str, plan: _Plan, report: DeliveryReport) -> None:
        items = plan.items
        # Events of a burst whose summary is already in Slack go back into its thread.
        for batch, parent in plan.resume.items():
            resumed = [i for i in items if plan.batches.get(i.event.id) == batch]
            if resumed:
                reopened = _Burst(batch, parent, self._clock.monotonic(), len(resumed), resumed[:1])
                if not self._post_parts(channel_id, reopened, resumed, plan, report):
                    return
            items = [i for i in items if plan.batches.get(i.event.id) != batch]
        if not items:
            return
        now = self._clock.monotonic()
        burst = self._bursts.get(channel_id)
        if burst is not None and now - burst.started < self.settings.burst_window:
            self._grow_burst(channel_id, burst, items, plan, report)
            return
        self._bursts.pop(channel_id, None)
        recent = self._recent.setdefault(channel_id, deque())
        while recent and now - recent[0] >= self.settings.burst_window:
            recent.popleft()
        if len(recent) + len(items) > self.settings.burst_threshold and len(items) > 1:
            self._start_burst(channel_id, items, plan, report)
            return
        for item in items:
            if not self._post_single(channel_id, item, plan, report):
                return
            recent.append(self._clock.monotonic())

    def _post_single(self, channel_id: str, item: AlertItem, plan: _Plan, report: DeliveryReport) -> bool:
        rows = plan.rows[item.event.id]
        batch = self._new_key()
        self._queue.attempt(rows, batch)
        ts = self._post(channel_id, self._render.alert(item), alert_metadata(batch, [item]), rows, report)
        if ts is None:
            return False
        self._queue.sent(rows, ts)
        report.messages += 1
        report.alerts_sent += len(rows)
        return True

    def _start_burst(self, channel_id: str, items: list[AlertItem], plan: _Plan, report: DeliveryReport) -> None:
        batch = self._new_key()
        every_row = [row for item in items for row in plan.rows[item.event.id]]
        self._queue.attempt(every_row, batch)
        summary = self._render.burst_summary(items, total=len(items), batch=batch)
        ts = self._post(channel_id, summary, alert_metadata(batch, [], summary=True), every_row, report)
        if ts is None:
            return
        report.messages += 1
        burst = _Burst(batch, ts, self._clock.monotonic(), len(items), items[: self.settings.part_size])
        self._bursts[channel_id] = burst
        self._post_parts(channel_id, burst, items, plan, report)

    def _grow_burst(
        self, channel_id: str, burst: _Burst, items: list[AlertItem], plan: _Plan, report: DeliveryReport
    ) -> None:
        self._queue.attempt([row for item in items for row in plan.rows[item.event.id]], burst.batch)
        if self._post_parts(channel_id, burst, items, plan, report):
            burst.total += len(items)
            try:
                summary = self._render.burst_summary(burst.first, total=burst.total, batch=burst.batch)
                self._slack.update(channel_id, burst.parent_ts, summary)
            except DeliveryProblem as exc:  # the count is cosmetic; the events are in the thread
                logger.info("burst summary in %s not updated: %s", channel_id, exc.message)

    def _post_parts(
        self, channel_id: str, burst: _Burst, items: Sequence[AlertItem], plan: _Plan, report: DeliveryReport
    ) -> bool:
        size = self.settings.part_size
        for start in range(0, len(items), size):
            part = items[start : start + size]
            rows = [row for item in part for row in plan.rows[item.event.id]]
            message = self._render.burst_part(part)
            ts = self._post(
                channel_id, message, alert_metadata(burst.batch, part), rows, report, thread_ts=burst.parent_ts
            )
            if ts is None:
                return False
            self._queue.sent(rows, ts, thread_ts=burst.parent_ts)
            report.messages += 1
            report.alerts_sent += len(rows)
        return True

    def _post(
        self,
        channel_id: str,
        message: OutgoingMessage,
        metadata: dict[str, Any],
        rows: list[int],
        report: DeliveryReport,
        *,
        thread_ts: str | None = None,
    ) -> str | None:
        """Post at the channel's pace; the ts, or ``None`` when the rows' attempt failed (recorded)."""
        for _ in range(self.settings.rate_limit_retries + 1):
            self._wait_turn(channel_id)
            self._still_ours()
            try:
                ts = self._slack.post(channel_id, message, metadata=metadata, thread_ts=thread_ts)
            except RateLimited as limited:
                self._next_post[channel_id] = self._clock.monotonic() + max(limited.retry_after, self.settings.interval)
                continue
            except InDoubt as doubt:
                logger.warning("post to %s in doubt (%s): will check the channel before retrying", channel_id, doubt)
                self._queue.failed_attempt(rows, in_doubt=True)
                report.in_doubt += len(rows)
                self._bursts.pop(channel_id, None)
                return None
            except PostRejected as rejected:
                logger.warning("alert post to %s rejected: %s", channel_id, rejected.error)
                self._queue.failed_attempt(rows, in_doubt=False)
                report.failed += len(rows)
                return None
            finally:
                self._next_post[channel_id] = max(
                    self._next_post.get(channel_id, 0.0), self._clock.monotonic() + self.settings.interval
                )
            return ts
        self._queue.failed_attempt(rows, in_doubt=False)  # 429 means Slack did not take it
        report.failed += len(rows)
        return None

    def _wait_turn(self, channel_id: str) -> None:
        wait = self._next_post.get(channel_id, 0.0) - self._clock.monotonic()
        if wait > 0:
            self._clock.sleep(wait)

    # -- after a crash or a lost answer -------------------------------------------------------

    def _reconcile(
        self, channel_id: str, rows: list[PendingRow], report: DeliveryReport
    ) -> tuple[list[PendingRow], dict[str, str]]:
        """Mark what Slack already has as sent; the rows still to post, and bursts to resume."""
        doubtful = [row for row in rows if row.batch]
        batches = {row.batch for row in doubtful}
        # A burst's summary can precede its rows' attempts by up to the burst window.
        margin = RECONCILE_MARGIN + timedelta(seconds=self.settings.burst_window)
        oldest = min(row.attempted_at or self._clock.now() for row in doubtful) - margin
        found: dict[str, tuple[str, str | None]] = {}
        thread: str | None
        parents: dict[str, str] = {}
        for message in self._read_back(channel_id, lambda: self._slack.history(channel_id, oldest)):
            for event_id in message.event_ids:
                found.setdefault(event_id, (message.ts, None))
            if message.summary and message.batch in batches:
                parents[message.batch] = message.ts
        for parent in parents.values():
            for reply in self._read_back(channel_id, partial(self._slack.replies, channel_id, parent)):
                for event_id in reply.event_ids:
                    found.setdefault(event_id, (reply.ts, parent))
        settled: dict[tuple[str, str | None], list[int]] = {}
        remaining: list[PendingRow] = []
        for row in rows:
            where = found.get(row.event_id)
            if where is None:
                remaining.append(row)
            else:
                settled.setdefault(where, []).append(row.id)
        for (ts, thread), ids in settled.items():
            self._queue.sent(ids, ts, thread_ts=thread)
            report.reconciled += len(ids)
        fresh = [row.id for row in remaining if row.batch and row.batch not in parents]
        self._queue.not_in_doubt(fresh)
        if settled or fresh:
            logger.info(
                "reconciled %s: %d alerts already posted, %d to post again", channel_id, report.reconciled, len(fresh)
            )
        fresh_ids = set(fresh)
        still = [_unstamped(row) if row.id in fresh_ids else row for row in remaining]
        return still, parents

    def _read_back(self, channel_id: str, read: Callable[[], list[PostedMessage]]) -> list[PostedMessage]:
        """``read()``; when Slack answers that the bot is not in the channel, join it and read again.

        Posting in a public channel needs no membership (``chat:write.public``), reading it does, and
        the bot may have been removed since it posted: exactly-once must not hang on either.
        """
        try:
            return read()
        except ChannelRefused as refused:
            if refused.error != "not_in_channel":
                raise
        try:
            self._slack.join(channel_id)
        except JoinRefused as join:
            raise ChannelRefused("not_in_channel", join_error=join.error, where=join.where) from None
        logger.info("joined %s to check which alerts are already posted there", channel_id)
        return read()

    # -- refusals and snoozes ---------------------------------------------------------------------

    def _pause_channel(self, channel: ChannelRef, refused: ChannelRefused, report: DeliveryReport) -> None:
        self._bursts.pop(channel.channel_id, None)
        for subscription in self._subscriptions.in_channel(channel.team_id, channel.channel_id):
            if subscription.paused:
                continue
            self._subscriptions.pause(subscription.id, error=refused.reason)
            report.paused.append(subscription.id)
            logger.warning("subscription %s paused: %s (%s)", subscription.id, refused.message, channel.channel_id)
            notice = self._render.delivery_paused(
                subscription.id, channel.channel_id, subscription.query, refused.error, join_error=refused.join_error
            )
            try:
                self._slack.tell(subscription.created_by, notice)
            except DeliveryProblem as exc:
                logger.warning("could not tell %s that %s is paused: %s", subscription.created_by, subscription.id, exc)

    def _announce_snooze_ends(self, report: DeliveryReport) -> None:
        if self._snoozes is None:
            return
        for snooze in self._snoozes.ended_unannounced():
            subscription = self._subscriptions.get(snooze.subscription_id)
            if subscription is None or subscription.paused:
                self._snoozes.announced(snooze)
                continue
            actor = snooze.actor_label or snooze.actor_id
            notice = self._render.snooze_ended(self._names(snooze.action), actor, snooze.subscription_id)
            metadata = {"event_type": NOTICE_EVENT_TYPE, "event_payload": {"snooze": str(snooze.id)}}
            try:
                self._wait_turn(subscription.channel_id)
                self._still_ours()
                self._slack.post(subscription.channel_id, notice, metadata=metadata)
                report.messages += 1
            except DeliveryProblem as exc:
                logger.info("snooze end for %s not announced: %s", snooze.subscription_id, exc.message)
                continue
            finally:
                self._next_post[subscription.channel_id] = self._clock.monotonic() + self.settings.interval
            self._snoozes.announced(snooze)


@dataclass(frozen=True, slots=True)
class _Unstamped:
    """A pending row after reconciliation found it absent from Slack: post it afresh."""

    id: int
    subscription_id: str
    event_id: str
    org_id: str
    batch: str | None = None
    attempted_at: datetime | None = None


def _unstamped(row: PendingRow) -> PendingRow:
    return _Unstamped(row.id, row.subscription_id, row.event_id, row.org_id)
