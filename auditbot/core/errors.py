"""The errors auditbot raises on purpose, as one tree; where a class lives elsewhere, its module is named.

    AuditbotError                 anything auditbot says went wrong; ``str()`` is safe to show a person
    ├── ConfigError               a setting is missing or malformed
    ├── ApiError                  the Admin API could not give an answer
    │   ├── ApiBadRequest         400: a parameter the API refused (code ADMIN-400-*)
    │   ├── ApiUnauthorized       401: the API key is missing, wrong, expired or revoked
    │   ├── ApiForbidden          403: the key may not read this org's events
    │   ├── ApiNotFound           404: no such org or event (ADMIN-404-*)
    │   ├── ApiRateLimited        429, or the local budget is spent; ``retry_after`` says when to come back
    │   ├── ApiServerError        5xx that retries did not cure
    │   ├── ApiUnavailable        timeouts or connection failures that retries did not cure
    │   ├── ApiMalformedResponse  a body that is not the JSON the spec promises
    │   └── WaitedTooLong         the API kept a command waiting longer than it allows (terminal.deadline)
    ├── QueryError                a query that cannot be read; points at the span (core.querysyntax)
    ├── TimeSpecError             a time value that cannot be understood (core.timespec)
    ├── ScheduleError             times or a time zone that cannot be understood (core.schedule)
    ├── TransitionRefused         a triage change its state does not allow; says where it stands (core.triage)
    │   └── ChangedMeanwhile      another click changed the alert first; this one no longer applies (services.triage)
    ├── PageStateError            a button value that is not a page state auditbot made (core.paging)
    ├── UnknownActionError        text that names no action, or several (services.catalog)
    ├── UnknownGroupError         text that names no action group (services.catalog)
    ├── SearchBusy                the API's rate budget is spent; ``retry_after`` says when (services.search)
    ├── MissingId                 no id given for a subscription or schedule (services.workspace_items)
    ├── UnknownId                 no subscription or schedule with that id here (services.workspace_items)
    ├── AmbiguousName             a name shared by several subscriptions; their ids are listed (services.subscriptions)
    ├── NameProblem               a subscription name that cannot be used (services.subscription_names)
    ├── DeliveryProblem           a post to Slack did not (certainly) go through (services.delivery.ports)
    │   ├── RateLimited           Slack asked to wait ``retry_after`` seconds (services.delivery.ports)
    │   ├── InDoubt               Slack may or may not have the post (services.delivery.ports)
    │   ├── ChannelRefused        no posts to the channel until a person acts (services.delivery.ports)
    │   ├── JoinRefused           Slack would not let the bot join a channel (services.delivery.ports)
    │   └── PostRejected          Slack refused this one message (services.delivery.ports)
    └── StoreError                the database URL is bad, or the database cannot be opened (store.errors)
        └── StaleLeaseError       a write was fenced off: its lease was taken over (store.errors)

Errors carry data (status, code, detail); renderers turn them into words for each surface.

Some exceptions are signals inside auditbot rather than errors for a person: each is caught and
turned into one of the above, a refusal or a fallback, or (``RenderLimitError``) marks a bug:

    NeedsScan                     a source cannot count these filters itself; count the events (core.handoff)
    ValueProblem                  a term's value is wrong; the parser makes it a QueryError (core.query)
    LeaseLost                     another worker holds the delivery lease; stop (services.delivery.worker)
    SubscriptionExists            an insert lost to an equal subscription; answered with it (services.subscriptions)
    ScheduleExists                an insert lost to an equal schedule; answered with it (services.schedules)
    LookupFailed                  a Slack lookup did not answer; the caller denies (slack.directory)
    FormErrors                    field errors for a modal's ``response_action: errors`` (slack.forms)
    MalformedPayload              a signed request this app cannot classify (slack.payloads)
    RenderLimitError              a rendered payload breaks a Block Kit limit (slack.render.limits)

The fakes (``auditbot.sandbox``, ``auditbot.playground``) model other systems' errors and are not listed.
``tests/test_error_tree.py`` keeps both lists whole.
"""

from __future__ import annotations

from datetime import datetime


class AuditbotError(Exception):
    """Base of every deliberate auditbot error. The message never contains secrets or tracebacks."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(AuditbotError):
    """A setting is missing or malformed; the message names the setting and how to fix it."""


class ApiError(AuditbotError):
    """The Admin API answered with an error, or could not be reached."""

    status: int | None = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        if status is not None:
            self.status = status
        self.code = code
        self.detail = detail


class ApiBadRequest(ApiError):
    status = 400


class ApiUnauthorized(ApiError):
    status = 401


class ApiForbidden(ApiError):
    status = 403


class ApiNotFound(ApiError):
    status = 404


class ApiRateLimited(ApiError):
    """No request may be sent for ``retry_after`` seconds (until ``reset_at`` when the API said)."""

    status = 429

    def __init__(
        self,
        message: str,
        *,
        retry_after: float,
        reset_at: datetime | None = None,
        code: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, code=code, detail=detail)
        self.retry_after = max(0.0, retry_after)
        self.reset_at = reset_at


class ApiServerError(ApiError):
    status = 500


class ApiUnavailable(ApiError):
    """Timeouts or connection errors outlasted the retries."""


class ApiMalformedResponse(ApiError):
    """The API answered with a body that is not valid JSON of the expected shape."""
