"""The plumbing the sandbox and the playground servers share: a quiet threaded HTTP/1.1 server that
tracks its open connections, so ``close()`` can end keep-alive connections instead of waiting on them."""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class TrackingServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    """The default backlog of 5 drops connections from bursts of parallel clients (a 1 s SYN retry each)."""

    def __init__(self, address: tuple[str, int], handler_class: type[BaseHTTPRequestHandler]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, handler_class)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-answer are normal here (timeouts, dropped faults); stay quiet."""

    def close_connections(self) -> None:
        with self.connections_lock:
            open_now = list(self.connections)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class TrackedRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, no Nagle delay, no per-request log lines; registers with ``TrackingServer``."""

    protocol_version = "HTTP/1.1"
    sys_version = ""
    timeout = 60.0
    disable_nagle_algorithm = True  # headers and body are separate writes; never wait for a delayed ACK
    server: TrackingServer

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request lines on stderr."""
