"""slack_sdk retry handlers that wait through our injected clock instead of ``time.sleep``.

Same decisions as slack_sdk's built-in handlers (retry 429s after ``Retry-After``, 500/503 and
connection errors with backoff); only the waiting is injectable, so tests never sleep.
"""

from __future__ import annotations

import random
from typing import Any

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from auditbot.core.clock import Clock


class ClockedRateLimitRetry(RateLimitErrorRetryHandler):
    def __init__(self, clock: Clock, *, max_retry_count: int = 3, rng: random.Random | None = None) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._clock = clock
        self._rng = rng or random.Random()

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("rate-limit retry without a response")
        state.next_attempt_requested = True
        self._clock.sleep(_retry_after(response) + self._rng.random())
        state.increment_current_attempt()


def _retry_after(response: HttpResponse) -> float:
    for key, values in response.headers.items():
        if key.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return 1.0


class _ClockedBackoff:
    """Mixin: the base handler's backoff, slept on the injected clock."""

    _clock: Clock
    interval_calculator: Any

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        self._clock.sleep(self.interval_calculator.calculate_sleep_duration(state.current_attempt))
        state.increment_current_attempt()


class ClockedServerErrorRetry(_ClockedBackoff, ServerErrorRetryHandler):
    def __init__(self, clock: Clock, *, max_retry_count: int = 2) -> None:
        ServerErrorRetryHandler.__init__(self, max_retry_count=max_retry_count)
        self._clock = clock


class ClockedConnectionRetry(_ClockedBackoff, ConnectionErrorRetryHandler):
    def __init__(self, clock: Clock, *, max_retry_count: int = 2) -> None:
        ConnectionErrorRetryHandler.__init__(self, max_retry_count=max_retry_count)
        self._clock = clock


def retry_handlers(clock: Clock) -> list[RetryHandler]:
    return [ClockedConnectionRetry(clock), ClockedRateLimitRetry(clock), ClockedServerErrorRetry(clock)]
