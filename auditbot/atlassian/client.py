"""``AdminApiClient``: the Atlassian Organizations (Admin) API audit-log endpoints over httpx.

One request goes through ``_send``: take a slot in the per-path budget (waiting up to
``max_wait``), send, learn from the rate-limit headers, then either parse the body into its
model or turn the status into an error from ``auditbot.core.errors``. Timeouts, connection
errors, 5xx and malformed bodies are retried with exponential backoff and full jitter; a
429 waits for the API's reset. Every wait goes through the injected clock.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import httpx
from pydantic import SecretStr, ValidationError

from auditbot.atlassian import wire
from auditbot.atlassian.budget import EVENT, EVENT_ACTIONS, EVENTS, EVENTS_STREAM, RequestBudget
from auditbot.atlassian.models import EventActionsPage, EventEnvelope
from auditbot.core.clock import Clock, SystemClock
from auditbot.core.errors import ApiError, ApiMalformedResponse, ApiRateLimited, ApiUnauthorized, ApiUnavailable
from auditbot.core.model import AuditAction, AuditEvent, EventPage, WireModel
from auditbot.core.ports import EventFilters, SortOrder

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.atlassian.com/admin"
MAX_PAGE_SIZE = 500

ModelT = TypeVar("ModelT", bound=WireModel)

ResponseObserver = Callable[[str, int | None, float], None]
"""``(path key, HTTP status or None when no answer came, seconds)`` for each request sent."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard the client tries before giving up. Waits are bounded; nothing retries forever."""

    attempts: int = 4
    """Tries in all for a timeout, connection error, 5xx or malformed body."""
    base_delay: float = 0.5
    max_delay: float = 10.0
    max_wait: float = 120.0
    """Longest a call waits in all for the rate limit (budget or 429) before raising ApiRateLimited."""


@dataclass(slots=True)
class ClientStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    waited_seconds: float = 0.0


class AdminApiClient:
    """Implements ``auditbot.core.ports.AuditLogApi`` for one organization."""

    def __init__(
        self,
        http: httpx.Client,
        org_id: str,
        *,
        clock: Clock | None = None,
        budget: RequestBudget | None = None,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        auth_observer: Callable[[ApiUnauthorized | None], None] | None = None,
        response_observer: ResponseObserver | None = None,
    ) -> None:
        if not org_id.strip():
            raise ValueError("org_id must not be empty")
        self._http = http
        self._org_path = "/v1/orgs/" + wire.quote(org_id)
        self.org_id = org_id
        self._clock = clock or SystemClock()
        self.budget = budget or RequestBudget(self._clock)
        self._retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self.stats = ClientStats()
        self.auth_observer = auth_observer
        """Told after every answer whether the API accepted the key (``None``) or refused it (the 401)."""
        self.response_observer = response_observer
        """Told of every request sent: its path key, the status (``None``: no answer) and the seconds it took."""

    @classmethod
    def create(
        cls,
        *,
        org_id: str,
        api_key: SecretStr,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        budget: RequestBudget | None = None,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        auth_observer: Callable[[ApiUnauthorized | None], None] | None = None,
        response_observer: ResponseObserver | None = None,
    ) -> AdminApiClient:
        """A client with its own ``httpx.Client`` (Bearer auth, JSON, timeouts); the observers are
        told of every answer (see ``__init__``)."""
        http = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {api_key.get_secret_value()}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            follow_redirects=False,
        )
        return cls(
            http,
            org_id,
            clock=clock,
            budget=budget,
            retry=retry,
            rng=rng,
            auth_observer=auth_observer,
            response_observer=response_observer,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AdminApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the four endpoints ---------------------------------------------------------------

    def list_events(
        self,
        filters: EventFilters | None = None,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        max_wait: float | None = None,
    ) -> EventPage:
        """One page of ``/events``, newest first. With a cursor the API takes the filters from it."""
        params = wire.cursor_params(cursor, limit) if cursor else wire.event_filter_params(filters, limit)
        return self._get(EVENTS, self._org_path + "/events", params, EventPage, max_wait)

    def get_event(self, event_id: str, *, max_wait: float | None = None) -> AuditEvent:
        path = f"{self._org_path}/events/{wire.quote(event_id)}"
        return self._get(EVENT, path, [], EventEnvelope, max_wait).data

    def list_event_actions(self, *, locale: str | None = None, max_wait: float | None = None) -> list[AuditAction]:
        headers = {"Accept-Language": locale} if locale else None
        page = self._get(EVENT_ACTIONS, self._org_path + "/event-actions", [], EventActionsPage, max_wait, headers)
        return page.to_actions()

    def poll_events(
        self,
        *,
        cursor: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        sort_order: SortOrder | None = None,
        max_wait: float | None = None,
    ) -> EventPage:
        """One page of ``/events-stream``, ordered by processing time (ascending unless asked)."""
        params = wire.cursor_params(cursor, limit) if cursor else wire.stream_params(start, end, limit, sort_order)
        return self._get(EVENTS_STREAM, self._org_path + "/events-stream", params, EventPage, max_wait)

    # -- following cursors ----------------------------------------------------------------

    def iter_event_pages(
        self,
        filters: EventFilters | None = None,
        *,
        limit: int = MAX_PAGE_SIZE,
        max_pages: int | None = None,
        cursor: str | None = None,
        max_wait: float | None = None,
    ) -> Iterator[EventPage]:
        """Pages of ``/events`` from the first (or ``cursor``) until the last or ``max_pages``."""
        return self._follow(
            lambda c: self.list_events(filters, cursor=c, limit=limit, max_wait=max_wait), cursor, max_pages
        )

    def iter_events(
        self,
        filters: EventFilters | None = None,
        *,
        limit: int = MAX_PAGE_SIZE,
        max_pages: int | None = None,
        max_events: int | None = None,
        max_wait: float | None = None,
    ) -> Iterator[AuditEvent]:
        """Every matching event once (deduplicated by id across page boundaries), within the budgets."""
        pages = self.iter_event_pages(filters, limit=limit, max_pages=max_pages, max_wait=max_wait)
        return _unique_events(pages, max_events)

    def iter_stream_pages(
        self,
        *,
        cursor: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int = MAX_PAGE_SIZE,
        sort_order: SortOrder | None = None,
        max_pages: int | None = None,
        max_wait: float | None = None,
    ) -> Iterator[EventPage]:
        """Pages of ``/events-stream`` until an empty page or ``max_pages``.

        The stream hands back a cursor even on its last page, so the caller keeps the last
        non-empty page's ``next_cursor`` to poll again later.
        """

        def fetch(c: str | None) -> EventPage:
            if c is None:
                return self.poll_events(start=start, end=end, limit=limit, sort_order=sort_order, max_wait=max_wait)
            return self.poll_events(cursor=c, limit=limit, max_wait=max_wait)

        for page in self._follow(fetch, cursor, max_pages):
            if not page.data:
                return
            yield page

    @staticmethod
    def _follow(
        fetch: Callable[[str | None], EventPage], cursor: str | None, max_pages: int | None
    ) -> Iterator[EventPage]:
        pages = 0
        while max_pages is None or pages < max_pages:
            page = fetch(cursor)
            pages += 1
            yield page
            cursor = page.next_cursor
            if cursor is None:
                return

    # -- one request, with budget, retries and error mapping ------------------------------

    def _get(
        self,
        path_key: str,
        path: str,
        params: wire.Params,
        model: type[ModelT],
        max_wait: float | None,
        headers: dict[str, str] | None = None,
    ) -> ModelT:
        url = httpx.URL(path, query=wire.encode_query(params)) if params else httpx.URL(path)
        waited = 0.0
        limit = self._retry.max_wait if max_wait is None else max_wait
        failures = 0
        while True:
            waited += self._take_slot(path_key, limit - waited)
            started = self._clock.monotonic()
            try:
                self.stats.requests += 1
                response = self._http.get(url, headers=headers)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                self._observe_response(path_key, None, started)
                failures += 1
                fault: ApiError = ApiUnavailable(
                    f"The Admin API did not answer ({type(exc).__name__}).",
                    hint="Check the network path to the API; auditbot retried before giving up.",
                )
            else:
                self._observe_response(path_key, response.status_code, started)
                self._observe_limits(path_key, response)
                if response.status_code == 429:
                    waited += self._wait_for_reset(path_key, response, limit - waited)
                    continue
                if response.is_success:
                    self._observe_auth(None)
                    try:
                        return model.model_validate_json(response.content)
                    except ValidationError as exc:
                        failures += 1
                        fault = ApiMalformedResponse(
                            f"The Admin API sent a response auditbot could not read ({exc.error_count()} problems).",
                            status=response.status_code,
                        )
                elif response.status_code >= 500:
                    failures += 1
                    fault = wire.error_from_response(response)
                else:
                    error = wire.error_from_response(response)
                    if isinstance(error, ApiUnauthorized):
                        self._observe_auth(error)
                    raise error
            if failures >= self._retry.attempts:
                logger.warning("admin api gave up", extra={"path": path_key, "attempts": failures})
                raise fault
            delay = self._backoff(failures)
            self.stats.retries += 1
            logger.info("admin api retry", extra={"path": path_key, "attempt": failures, "delay": round(delay, 3)})
            self._clock.sleep(delay)

    def _observe_response(self, path_key: str, status: int | None, started: float) -> None:
        if self.response_observer is None:
            return
        try:
            self.response_observer(path_key, status, self._clock.monotonic() - started)
        except Exception:  # a broken observer must not fail the call it watches
            logger.exception("admin api response observer failed")

    def _observe_auth(self, rejection: ApiUnauthorized | None) -> None:
        if self.auth_observer is not None:
            self.auth_observer(rejection)

    def _take_slot(self, path_key: str, allowed: float) -> float:
        wait = self.budget.reserve(path_key)
        if wait > allowed:
            self.budget.release(path_key)
            raise ApiRateLimited(
                f"The Admin API budget for {path_key} is spent; ready in {wait:.0f} s.", retry_after=wait
            )
        if wait > 0:
            self._sleep(wait)
        return wait

    def _wait_for_reset(self, path_key: str, response: httpx.Response, allowed: float) -> float:
        self.stats.rate_limited += 1
        wait, reset_at = wire.retry_after(response, self._clock.now())
        self.budget.block(path_key, wait)
        if wait > allowed:
            code, detail = wire.error_summary(response)
            raise ApiRateLimited(
                f"The Admin API is rate limiting {path_key}; ready in {wait:.0f} s.",
                retry_after=wait,
                reset_at=reset_at,
                code=code,
                detail=detail,
            )
        logger.warning("admin api rate limited", extra={"path": path_key, "wait": round(wait, 3)})
        self._sleep(wait)
        return wait

    def _observe_limits(self, path_key: str, response: httpx.Response) -> None:
        remaining, reset_at = wire.rate_limit_headers(response)
        self.budget.observe(path_key, remaining=remaining, reset_at=reset_at)

    def _backoff(self, failures: int) -> float:
        ceiling = min(self._retry.max_delay, self._retry.base_delay * 2 ** (failures - 1))
        return self._rng.uniform(0, ceiling)

    def _sleep(self, seconds: float) -> None:
        self.stats.waited_seconds += seconds
        self._clock.sleep(seconds)


def _unique_events(pages: Iterator[EventPage], max_events: int | None) -> Iterator[AuditEvent]:
    seen: set[str] = set()
    for page in pages:
        for event in page.data:
            if event.id in seen:
                continue
            seen.add(event.id)
            yield event
            if max_events is not None and len(seen) >= max_events:
                return
