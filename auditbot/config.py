"""Settings: the only place auditbot reads its environment.

Atlassian settings use the names people know from Atlassian's docs (``ATLASSIAN_API_URL``,
``ATLASSIAN_ORG_ID``, ``ATLASSIAN_API_KEY``); auditbot's own use the ``AUDITBOT_`` prefix.
Secrets are ``SecretStr``: they print as ``**********`` and never reach a log.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from auditbot.core.errors import ConfigError

DEFAULT_API_URL = "https://api.atlassian.com/admin"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUDITBOT_", extra="ignore", populate_by_name=True)

    atlassian_api_url: str = Field(
        default=DEFAULT_API_URL, validation_alias=AliasChoices("ATLASSIAN_API_URL", "atlassian_api_url")
    )
    atlassian_org_id: str | None = Field(
        default=None, validation_alias=AliasChoices("ATLASSIAN_ORG_ID", "atlassian_org_id")
    )
    atlassian_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ATLASSIAN_API_KEY", "atlassian_api_key")
    )
    http_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    events_rate_per_minute: int = Field(default=10, ge=1, le=1000)
    """Client-side budget for /events, /events/{id} and /event-actions (the API allows 10/min)."""
    stream_rate_per_minute: int = Field(default=60, ge=1, le=1000)
    """Client-side budget for /events-stream (the API allows 60/min per user, 50 per path)."""
    catalog_ttl_seconds: float = Field(default=3600.0, ge=0, le=86_400)
    """How long the action catalog (/event-actions) is cached per org and locale."""

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET"))
    slack_app_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN"))
    slack_api_url: str = Field(
        default="https://slack.com/api/", validation_alias=AliasChoices("SLACK_API_URL", "slack_api_url")
    )
    """Where the Slack Web API is; only the demo points this elsewhere."""
    http_host: str = "0.0.0.0"
    http_port: int = Field(default=3000, ge=0, le=65_535)
    http_connection_limit: int = Field(default=1000, ge=10, le=100_000)
    """Open HTTP connections the server holds at most; past it new ones wait in the listen backlog."""
    http_idle_timeout_seconds: int = Field(default=5, ge=1, le=3600)
    """A connection that sends nothing for this long, between requests or inside one, is closed."""
    http_request_deadline_seconds: float = Field(default=10.0, gt=0, le=300)
    """A request's head and body must have fully arrived this long after its first byte, or the
    connection is closed (a client trickling bytes is not idle, but does not get to stay)."""
    http_max_body_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)
    """Larger request bodies are refused with 413 before they are read (Slack's are kilobytes)."""
    http_max_header_bytes: int = Field(default=32_768, ge=4096, le=1_048_576)
    """Larger request heads (request line and headers) are refused with 431."""
    listener_threads: int = Field(default=16, ge=1, le=256)
    """Threads that take Slack's requests and ack them (the HTTP server's)."""
    work_threads: int = Field(default=4, ge=1, le=256)
    """Threads that do the work after an ack (searches, exports…). Few, so that under load the acks,
    which share the interpreter with them, keep their turn."""
    state_secret: SecretStr | None = None
    """Key for signing button state; defaults to one derived from the Slack signing secret."""
    viewers: Annotated[tuple[str, ...], NoDecode] = ()
    """Who may search: Slack user ids (U…/W…), user group ids (S…), or ``*`` for everyone. Empty: nobody."""
    admins: Annotated[tuple[str, ...], NoDecode] = ()
    """Who may manage subscriptions, schedules and exports and read the bot's own log (same forms)."""
    channels: Annotated[tuple[str, ...], NoDecode] = ()
    """Where auditbot answers: channel ids (C…/G…), or ``*`` for every channel. Empty: DMs only."""
    response_url_prefixes: Annotated[tuple[str, ...], NoDecode] = ()
    """Where a ``response_url`` may point besides ``https://hooks.slack.com/``: https prefixes, or http
    on a loopback host (a Slack stand-in for load tests). Empty: Slack's own host only."""
    allow_dms: bool = True
    """Answer in direct messages (with the app, or between people) for allowed viewers."""
    allow_shared_channels: bool = False
    """Answer in Slack Connect channels shared with other organizations."""
    redact_shared: bool = False
    """Mask emails and IP addresses in results shared into a channel."""
    resolve_admins_only: bool = False
    """Only admins may resolve and reopen alerts (viewers may still assign and acknowledge them)."""
    security_channel: str | None = None
    """A channel id that receives a copy of the bot's own audit trail (queries, shares, exports, denials)."""
    user_queries_per_minute: int = Field(default=20, ge=1, le=1000)
    """Searches one person may run a minute (buttons included) before a friendly "slow down"."""
    api_key_expires: date | None = None
    """When the Atlassian API key expires (shown at creation); App Home and admins are warned 14 days before."""
    ingest: bool = True
    """Follow the audit log into the store's mirror while ``auditbot run`` runs."""
    backfill_days: int = Field(default=7, ge=1, le=180)
    """How far back the mirror starts on its first run."""
    retention_days: int = Field(default=180, ge=1, le=3650)
    """Events older than this are pruned from the mirror: up to 10 years, at least the backfill. Atlassian
    keeps 180 days; windows starting earlier are answered from the mirror alone."""
    ingest_interval_seconds: float = Field(default=30.0, ge=1, le=3600)
    alerts: bool = True
    """Post alert subscriptions' matches while ``auditbot run`` runs (needs ``ingest``)."""
    alert_post_interval_seconds: float = Field(default=1.0, ge=0.0, le=60)
    """Seconds between two alert posts to one channel (Slack allows about one a second)."""
    alert_burst_threshold: int = Field(default=5, ge=1, le=1000)
    """More matching events than this for one channel within the burst window become one summary and a thread."""
    alert_burst_window_seconds: float = Field(default=60.0, ge=1, le=3600)
    alert_poll_seconds: float = Field(default=2.0, ge=0.1, le=600)
    """How often delivery looks for queued alerts."""
    mirror_freshness_seconds: float = Field(default=120.0, ge=5, le=3600)
    """The mirror is up to date when ingest read the audit log to its end this recently; searches and the
    handoff use it then (older windows than the API keeps use it always)."""
    log_format: Literal["text", "json"] = "text"
    """``text``: one readable line per record (for a terminal); ``json``: one JSON object per line (for a
    log pipeline), with the request id of the Slack request being handled and any extra fields."""
    ready_max_lag_seconds: float = Field(default=600.0, gt=0, le=86_400)
    """``/readyz`` fails when ingest last caught up with the audit log longer ago than this."""
    shutdown_drain_seconds: float = Field(default=10.0, ge=0, le=300)
    """On SIGTERM, how long requests already received may take to finish before the server closes."""
    database_url: SecretStr | None = None
    """SQLAlchemy URL of the store (PostgreSQL for several replicas); unset: a SQLite file in ``data_dir``."""
    data_dir: Path = Field(default_factory=lambda: Path.home() / ".local" / "share" / "auditbot")

    @field_validator("atlassian_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (for example https://api.atlassian.com/admin)")
        return value

    @field_validator("atlassian_org_id")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _org_and_key_together(self) -> Settings:
        has_key = self.atlassian_api_key is not None and bool(self.atlassian_api_key.get_secret_value().strip())
        if bool(self.atlassian_org_id) != has_key:
            missing = "ATLASSIAN_API_KEY" if self.atlassian_org_id else "ATLASSIAN_ORG_ID"
            raise ValueError(f"{missing} is not set: set both ATLASSIAN_ORG_ID and ATLASSIAN_API_KEY, or neither")
        if not has_key:
            self.atlassian_api_key = None
        return self

    @model_validator(mode="after")
    def _retention_keeps_the_backfill(self) -> Settings:
        if self.retention_days < self.backfill_days:
            raise ValueError(
                f"AUDITBOT_RETENTION_DAYS ({self.retention_days}) is less than AUDITBOT_BACKFILL_DAYS "
                f"({self.backfill_days}): the mirror would prune what it has just read; raise the retention"
            )
        return self

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_name(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("viewers", "admins", "channels", "response_url_prefixes", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("viewers", "admins", "channels")
    @classmethod
    def _slack_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            if item != "*" and not re.fullmatch(r"[UWSCGD][A-Z0-9]{2,}", item):
                raise ValueError(f"{item!r} is not a Slack user, user group or channel id (like U0123ABCD) or *")
        return value

    @field_validator("response_url_prefixes")
    @classmethod
    def _response_url_prefixes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for prefix in value:
            parts = urlsplit(prefix)
            loopback = parts.hostname == "localhost" or _is_loopback_ip(parts.hostname or "")
            if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
                raise ValueError(f"{prefix!r} must be an https address, or http on a loopback host (127.0.0.1, ::1)")
        return value

    @field_validator("slack_bot_token", "slack_app_token", "slack_signing_secret", "state_secret", "database_url")
    @classmethod
    def _blank_secret_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @property
    def has_org(self) -> bool:
        """True when a real organization is configured (else auditbot uses its built-in sandbox)."""
        return self.atlassian_org_id is not None and self.atlassian_api_key is not None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the process environment (or ``env``); a ConfigError names what is wrong."""
    try:
        if env is None:
            return Settings()
        return Settings.model_validate({_field_key(k): v for k, v in env.items() if _is_ours(k)})
    except ValidationError as exc:
        raise ConfigError(_describe(exc), hint="See README, section Configuration.") from None


def _is_ours(key: str) -> bool:
    return key.startswith(("ATLASSIAN_", "AUDITBOT_"))


def _field_key(key: str) -> str:
    return key.removeprefix("AUDITBOT_").lower() if key.startswith("AUDITBOT_") else key


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        name = _setting_name(error.get("loc", ()))
        message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
        problems.append(f"{name}: {message}" if name else message)
    return "Configuration problem: " + "; ".join(problems)


def _setting_name(loc: tuple[Any, ...] | Any) -> str:
    if not loc:
        return ""
    field = str(loc[0])
    if field.isupper():
        return field
    if field.startswith(("atlassian_", "slack_")):
        return field.upper()
    return "AUDITBOT_" + field.upper()


def _is_loopback_ip(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
