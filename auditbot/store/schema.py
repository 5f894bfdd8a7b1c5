"""The store's tables, as SQLAlchemy Core ``Table``s on one ``MetaData`` with a constraint naming convention.

The migrations in ``migrations/versions`` create exactly these tables (a test compares the two with
alembic's autogenerate on SQLite and PostgreSQL). Change a table here only together with a new migration.

* ``events`` - the local mirror of each org's audit log, keyed by (org, event id). The event itself is
  kept as the API's JSON text (``body``), exact and dialect-neutral; the columns beside it are copies
  made for filtering and ordering.
  The copies (action, actor, email, IP, country, city and country case-folded,
  products) are what search and the handoff
  filter and count by, so neither reads a body to count; one index covers the handoff's counts.
* ``stream_cursors`` - per org, where the ``/events-stream`` reader stands, the fencing token of
  the lease under which it was last written, where the mirror's coverage starts, when the reader
  last read the stream to its end and when (and why) a pass last failed: how fresh the mirror is.
* ``leases`` - named leases with an expiry and a monotonic fencing ``token``.
* ``subscriptions`` and ``outbox`` - alert subscriptions and their deliveries, one outbox row per
  (subscription, event) at most; ``snoozes`` - an actor's action muted on a subscription for a while.
* ``alert_states`` - an alert's triage state (``auditbot.core.triage``), one row per alert in a channel:
  ``kind`` ``event`` keyed by the event id, or ``burst`` keyed by its post's batch. An event posted in a
  burst has its own row too, with the burst's batch as ``parent``, so a burst is resolved as a whole
  (its row and its items' rows) or item by item. A missing row means open. ``version`` counts the
  row's writes: a write names the version it read (compare-and-set), so no click overwrites one it did
  not see.
  A channel is subscribed to a query once: unique on (team, channel, ``query_hash``).
* ``bot_audit`` - auditbot's own audit trail: who asked what, where, and how it went.
* ``digest_schedules`` and ``digest_runs`` - handoff digests posted in a channel at times of day in a
  time zone, and one row per (schedule, slot) claimed: whoever inserts it posts that slot. The same
  schedule is made once: unique on (team, channel, times, zone, ``query_hash``).

``query_hash`` is the SHA-256 of the canonical query text (``query_hash()``): the uniqueness rules
compare the query, but a query of 1,500 characters can be too long for a PostgreSQL b-tree index
entry, so the index holds its hash instead.

Every timestamp is ``UtcDateTime``: timezone-aware UTC in and out, on both dialects. Identifiers are
unbounded strings: their length is the API's business, and PostgreSQL ``varchar`` costs nothing extra.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from auditbot.store.timestamps import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

SERIAL = BigInteger().with_variant(Integer(), "sqlite")
"""An auto-incrementing key: BIGSERIAL on PostgreSQL, the rowid alias on SQLite."""

OUTBOX_STATUSES = ("pending", "sent", "failed")
AUDIT_OUTCOMES = ("ok", "denied", "error")
ALERT_KINDS = ("event", "burst")
ALERT_STATES = ("open", "acknowledged", "resolved")
RESOLVE_REASONS = (
    "false_positive",
    "expected",
    "remediated",
    "true_positive_benign",
    "true_positive_malicious",
    "other",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def query_hash(query: str) -> str:
    """What ``query_hash`` columns hold for ``query``: its SHA-256, in hex."""
    return hashlib.sha256(query.encode()).hexdigest()


events = Table(
    "events",
    metadata,
    Column("org_id", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("time", UtcDateTime, nullable=False),
    Column("processed_at", UtcDateTime, nullable=False),
    Column("action", String, nullable=False),
    Column("actor_id", String, nullable=False),
    Column("actor_email", String, nullable=True, comment="lower-case"),
    Column("ip", String, nullable=True),
    Column("body", Text, nullable=False, comment="the event as the API's JSON"),
    Column("ingested_at", UtcDateTime, nullable=False),
    Column("country", String, nullable=True, comment="attributes.location.countryName"),
    Column("city_key", String, nullable=True, comment="the city, case-folded"),
    Column("country_key", String, nullable=True, comment="the country, case-folded"),
    Column("products", String, nullable=True, comment="the event's products, ',jira,loom,'"),
    Index("ix_events_org_id_time_id", "org_id", "time", "id"),
    Index("ix_events_org_id_processed_at", "org_id", "processed_at"),
    Index(
        "ix_events_org_id_time_id_action_actor_id_ip_country_products",
        "org_id",
        "time",
        "id",
        "action",
        "actor_id",
        "ip",
        "country",
        "products",
    ),
)

stream_cursors = Table(
    "stream_cursors",
    metadata,
    Column("org_id", String, primary_key=True),
    Column("cursor", Text, nullable=True),
    Column("newest_processed_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("fencing_token", BigInteger, nullable=False),
    Column("covered_from", UtcDateTime, nullable=True, comment="start of the window the mirror holds"),
    Column("read_to_end_at", UtcDateTime, nullable=True, comment="when the reader last reached the stream's end"),
    Column("failed_at", UtcDateTime, nullable=True, comment="when a pass of the reader last failed"),
    Column("failure", Text, nullable=True, comment="why it failed"),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String, primary_key=True),
    Column("owner", String, nullable=True, comment="null when released"),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("token", BigInteger, nullable=False, server_default=text("0")),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String, primary_key=True),
    Column("team_id", String, nullable=False),
    Column("channel_id", String, nullable=False),
    Column("query", Text, nullable=False, comment="canonical query text"),
    Column("created_by", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("paused", Boolean, nullable=False, server_default=false()),
    Column("last_delivery_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("query_hash", String, nullable=True, comment="SHA-256 of query, the unique key"),
    Column("name", Text, nullable=True, comment="the name its subscriber gave it, plain text"),
    Index("uq_subscriptions_team_id_channel_id_query_hash", "team_id", "channel_id", "query_hash", unique=True),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("subscription_id", String, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False),
    Column("event_id", String, nullable=False),
    Column("org_id", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("message_ts", String, nullable=True),
    Column("batch", String, nullable=True, comment="the post attempt that carries it"),
    Column("attempted_at", UtcDateTime, nullable=True),
    Column("thread_ts", String, nullable=True, comment="the burst summary it went under"),
    Column("acked_by", String, nullable=True),
    Column("acked_at", UtcDateTime, nullable=True),
    UniqueConstraint("subscription_id", "event_id"),
    CheckConstraint(_one_of("status", OUTBOX_STATUSES), name="status"),
    Index("ix_outbox_status_id", "status", "id"),
    Index("ix_outbox_event_id", "event_id"),
)

snoozes = Table(
    "snoozes",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("subscription_id", String, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False),
    Column("actor_id", String, nullable=False),
    Column("actor_label", String, nullable=True, comment="how the actor is shown"),
    Column("action", String, nullable=False),
    Column("until", UtcDateTime, nullable=False),
    Column("created_by", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("message_ts", String, nullable=True, comment="the alert it was snoozed from"),
    Column("announced_at", UtcDateTime, nullable=True, comment="when its end was posted"),
    UniqueConstraint("subscription_id", "actor_id", "action"),
)

alert_states = Table(
    "alert_states",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("channel_id", String, nullable=False),
    Column("kind", String, nullable=False, comment="event or burst"),
    Column("alert_key", String, nullable=False, comment="the event id, or the burst's batch"),
    Column("parent", String, nullable=True, comment="the burst (batch) an event was posted in"),
    Column("state", String, nullable=False),
    Column("assignee", String, nullable=True),
    Column("reason", String, nullable=True),
    Column("comment", Text, nullable=True),
    Column("changed_by", String, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False, comment="bumped by every write; compare-and-set"),
    UniqueConstraint("channel_id", "kind", "alert_key"),
    CheckConstraint(_one_of("kind", ALERT_KINDS), name="kind"),
    CheckConstraint(_one_of("state", ALERT_STATES), name="state"),
    CheckConstraint(_one_of("reason", RESOLVE_REASONS), name="reason"),
    Index("ix_alert_states_channel_id_parent", "channel_id", "parent"),
)

bot_audit = Table(
    "bot_audit",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("team_id", String, nullable=False),
    Column("user_id", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("query", Text, nullable=True, comment="canonical query text"),
    Column("channel_id", String, nullable=True),
    Column("outcome", String, nullable=False),
    Column("detail", Text, nullable=True),
    CheckConstraint(_one_of("outcome", AUDIT_OUTCOMES), name="outcome"),
    Index("ix_bot_audit_at_id", "at", "id"),
    Index("ix_bot_audit_user_id_at", "user_id", "at"),
)

digest_schedules = Table(
    "digest_schedules",
    metadata,
    Column("id", String, primary_key=True),
    Column("team_id", String, nullable=False),
    Column("channel_id", String, nullable=False),
    Column("times", Text, nullable=False, comment="canonical times of day, 09:00,21:00"),
    Column("tz", String, nullable=False, comment="IANA time zone name"),
    Column("query", Text, nullable=False, comment="canonical filter text, may be empty"),
    Column("created_by", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_run_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("query_hash", String, nullable=True, comment="SHA-256 of query, the unique key"),
    Index(
        "uq_digest_schedules_team_id_channel_id_times_tz_query_hash",
        "team_id",
        "channel_id",
        "times",
        "tz",
        "query_hash",
        unique=True,
    ),
)

digest_runs = Table(
    "digest_runs",
    metadata,
    Column(
        "schedule_id",
        String,
        ForeignKey("digest_schedules.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("slot_at", UtcDateTime, primary_key=True, comment="the slot's instant"),
    Column("claimed_by", String, nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("posted_at", UtcDateTime, nullable=True),
    Column("message_ts", String, nullable=True),
    Column("error", Text, nullable=True, comment="why the slot was not posted; it is not tried again"),
)
