"""What one client may hold of the HTTP server: connections, time and bytes.

waitress's defaults suit a server behind a buffering proxy, not one facing the internet: 100
connections, 2 minutes before an idle one is dropped, 1 GiB bodies, ``select()`` (1024 descriptors
at most). ``HttpLimits`` replaces them with tight ones, and ``waitress_adjustments`` turns them into
waitress's settings. One check waitress does not have is added here: a request must have fully
arrived (head and body) within a deadline from its first byte, so a client that trickles a byte a
second to stay "active" is dropped like an idle one (``DeadlineServer``).

``fit_open_files`` makes the process's open-file limit fit the connection limit at start-up:
it raises the soft limit toward the hard one, and when even the hard limit is too low it lowers
the connection limit to what fits, and says so.
"""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer

logger = logging.getLogger(__name__)

SPARE_FILES = 256
"""Descriptors kept for everything else: the store, log files, the Slack and Atlassian clients."""
FILES_PER_CONNECTION = 2
"""A connection's socket, and a temporary file when its body is larger than ``INBUF_IN_MEMORY``."""
INBUF_IN_MEMORY = 65_536
"""Bytes of a request body held in memory before waitress moves it to a temporary file."""


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """The HTTP server's limits; ``auditbot run`` takes them from the ``AUDITBOT_HTTP_…`` settings."""

    connection_limit: int = 1000
    idle_timeout_seconds: int = 5
    request_deadline_seconds: float = 10.0
    max_body_bytes: int = 1_048_576
    max_header_bytes: int = 32_768


def waitress_adjustments(limits: HttpLimits) -> dict[str, Any]:
    """waitress settings for ``limits`` (see waitress/adjustments.py for each one's meaning)."""
    return {
        "connection_limit": limits.connection_limit,
        "channel_timeout": limits.idle_timeout_seconds,
        "cleanup_interval": 1,  # look for idle and late connections every second
        "asyncore_use_poll": True,  # select() cannot watch descriptors past 1024
        "max_request_body_size": limits.max_body_bytes + 1,  # waitress refuses a body *at* its limit
        "max_request_header_size": limits.max_header_bytes,
        "inbuf_overflow": INBUF_IN_MEMORY,
        "log_socket_errors": False,  # a peer resetting its connection is not worth a traceback
    }


class _TimedParser(HTTPRequestParser):  # type: ignore[misc]
    """waitress's request parser, remembering when the request's first byte arrived."""

    def __init__(self, adj: Any) -> None:
        super().__init__(adj)
        self.started = time.monotonic()


class _DeadlineChannel(HTTPChannel):  # type: ignore[misc]
    parser_class = _TimedParser


class DeadlineServer(TcpWSGIServer):  # type: ignore[misc]
    """waitress's TCP server that also closes a connection whose request is still arriving
    ``request_deadline`` seconds after its first byte (checked every ``cleanup_interval``)."""

    channel_class = _DeadlineChannel

    def __init__(self, *args: Any, request_deadline: float, **kwargs: Any) -> None:
        self.request_deadline = request_deadline
        super().__init__(*args, **kwargs)

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = time.monotonic() - self.request_deadline
        for channel in list(self.active_channels.values()):
            partial = channel.request
            if partial is not None and not channel.requests and partial.started < cutoff:
                channel.will_close = True


@dataclass(frozen=True, slots=True)
class OpenFiles:
    """What ``open_files_plan`` decided: the soft limit to set (None: leave it) and the connection limit."""

    soft_limit: int | None
    connection_limit: int


def open_files_plan(limits: HttpLimits, soft: int, hard: int) -> OpenFiles:
    """The soft open-file limit and connection limit that fit ``limits`` under ``(soft, hard)``
    (``resource.RLIM_INFINITY`` is -1)."""
    wanted = limits.connection_limit * FILES_PER_CONNECTION + SPARE_FILES
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return OpenFiles(None, limits.connection_limit)
    ceiling = wanted if hard == resource.RLIM_INFINITY else min(hard, wanted)
    fitting = max(1, (ceiling - SPARE_FILES) // FILES_PER_CONNECTION)
    return OpenFiles(ceiling if ceiling > soft else None, min(limits.connection_limit, fitting))


def fit_open_files(
    limits: HttpLimits,
    *,
    get: Callable[[int], tuple[int, int]] = resource.getrlimit,
    set_: Callable[[int, tuple[int, int]], None] = resource.setrlimit,
) -> HttpLimits:
    """Raise the soft RLIMIT_NOFILE so ``limits.connection_limit`` connections fit; when the hard
    limit does not allow it, the limits returned carry a lower connection limit. Logs what it did."""
    soft, hard = get(resource.RLIMIT_NOFILE)
    plan = open_files_plan(limits, soft, hard)
    if plan.soft_limit is not None:
        try:
            set_(resource.RLIMIT_NOFILE, (plan.soft_limit, hard))
        except (OSError, ValueError) as exc:
            logger.warning("could not raise the open-file limit from %d to %d: %s", soft, plan.soft_limit, exc)
            plan = open_files_plan(limits, soft, soft)
        else:
            logger.info("raised the open-file limit from %d to %d for the HTTP server", soft, plan.soft_limit)
    if plan.connection_limit < limits.connection_limit:
        logger.warning(
            "the open-file limit (%d, hard %d) fits %d HTTP connections, not AUDITBOT_HTTP_CONNECTION_LIMIT=%d; "
            "serving at most %d (raise the limit with ulimit -n or the container's nofile setting)",
            plan.soft_limit or soft,
            hard,
            plan.connection_limit,
            limits.connection_limit,
            plan.connection_limit,
        )
        return replace(limits, connection_limit=plan.connection_limit)
    return limits
