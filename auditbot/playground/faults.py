"""Scripted failures: the next N calls of a method (or response-URL posts, or uploads) fail as told.

A fault either refuses the request before anything happens (``Faults.add``) or lets it be carried
out and loses the answer (``Faults.lose``): the server did the work, the client saw a server error.
Faults for one key are met in the order they were added, whichever kind they are.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http import HTTPStatus

RESPONSE_URL = "response_url"
"""The ``fail_next`` key for posts to response URLs."""
FILE_UPLOAD = "file_upload"
"""The ``fail_next`` key for the byte upload to a ``files.getUploadURLExternal`` URL."""
ANY = "*"
"""The ``fail_next`` key matching every Web API method."""

_KNOWN = frozenset(status.value for status in HTTPStatus)


@dataclass
class Fault:
    error: str
    status: int
    retry_after: int
    times: int
    after_work: bool = False
    """A lost response: the request is carried out, then answered with ``status`` and a non-JSON body."""

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.status == 429 else {}


class Faults:
    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._queue: dict[str, list[Fault]] = {}

    def add(
        self, key: str, error: str = "ratelimited", status: int | None = None, retry_after: int = 0, times: int = 1
    ) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        resolved = status if status is not None else (429 if error == "ratelimited" else 200)
        with self._lock:
            self._queue.setdefault(key, []).append(Fault(error, resolved, retry_after, times))

    def lose(self, key: str, status: int = 500, times: int = 1) -> None:
        """The next ``times`` ``key`` requests are carried out, then answered with HTTP ``status`` (5xx)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        if not 500 <= status <= 599:
            raise ValueError("a lost response answers a server error: status must be 5xx")
        with self._lock:
            self._queue.setdefault(key, []).append(
                Fault(HTTPStatus(status).phrase if status in _KNOWN else "Server Error", status, 0, times, True)
            )

    def take(self, key: str) -> Fault | None:
        """The fault the next ``key`` request meets, if any; used up after its ``times``."""
        with self._lock:
            for candidate in (key, ANY) if key not in (RESPONSE_URL, FILE_UPLOAD) else (key,):
                queue = self._queue.get(candidate)
                if queue:
                    fault = queue[0]
                    fault.times -= 1
                    if fault.times == 0:
                        queue.pop(0)
                    return fault
            return None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
