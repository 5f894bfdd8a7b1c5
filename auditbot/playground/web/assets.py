"""The page's files, read from the package's ``static`` folder: ``GET /`` and ``GET /static/<name>``.

Only plain file names of known kinds are served (no folders, no dot-files, nothing outside the
folder), each with its content type and a Content-Security-Policy that lets the page load
nothing but its own files: event data rendered by the page cannot pull in scripts or styles.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable

from auditbot.playground.handler import HttpAnswer

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _folder() -> Traversable:
    return resources.files("auditbot.playground.web").joinpath("static")


def _not_found() -> HttpAnswer:
    return HttpAnswer(404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found")


def asset(name: str) -> HttpAnswer:
    """The static file ``name``, or 404 for anything that is not one of them."""
    match = _NAME.fullmatch(name)
    if match is None or match.group(1).lower() not in TYPES:
        return _not_found()
    found = _folder().joinpath(name)
    if not found.is_file():
        return _not_found()
    headers = {"Content-Type": TYPES[match.group(1).lower()], **SECURITY_HEADERS}
    return HttpAnswer(200, headers, found.read_bytes())


def page() -> HttpAnswer:
    return asset("index.html")
