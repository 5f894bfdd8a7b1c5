"""Requests to the fake Slack, free of any HTTP server: ``SlackApiHandler.handle`` maps one request to one answer.

Routes: ``/api/<method>`` (GET or POST, form- or JSON-encoded, token as ``Authorization: Bearer``
or a ``token`` parameter), ``/hooks/response/<token>`` (response URLs), ``/upload/v1/<token>``
(the upload step of files v2) and ``GET /files/<id>/<name>`` (an uploaded file's bytes). A
scripted fault either answers in place of the work or, for a lost response, after it. The
stdlib server in ``server.py`` mounts it today; a WSGI or ASGI app for the playground page can
mount the same handler.
"""

from __future__ import annotations

import contextlib
import html
import json
import mimetypes
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote

from auditbot.playground import api
from auditbot.playground.faults import FILE_UPLOAD, RESPONSE_URL, Fault
from auditbot.playground.model import JsonDict
from auditbot.playground.workspace import Workspace

JSON_PARAMS = frozenset({"blocks", "attachments", "view", "metadata", "files", "unfurls", "user_auth_blocks"})
"""Parameters that a form-encoded call carries as JSON text."""
JSON_TYPE = "application/json; charset=utf-8"


class HttpAnswer(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


def _json(status: int, value: Any, headers: Mapping[str, str] | None = None) -> HttpAnswer:
    return HttpAnswer(status, {"Content-Type": JSON_TYPE, **(headers or {})}, json.dumps(value).encode())


def _text(status: int, text: str) -> HttpAnswer:
    return HttpAnswer(status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode())


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


def decode_params(query: str, headers: Mapping[str, str], body: bytes) -> JsonDict:
    """Query string and body merged; JSON-valued form parameters decoded (left as text if not JSON)."""
    params: JsonDict = dict(parse_qsl(query, keep_blank_values=True))
    content_type = _header(headers, "Content-Type").split(";")[0].strip().lower()
    if content_type == "application/json" and body:
        try:
            decoded = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            decoded = None
        if isinstance(decoded, dict):
            params.update(decoded)
    elif body:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for name in JSON_PARAMS & params.keys():
        if isinstance(params[name], str):
            with contextlib.suppress(ValueError):
                params[name] = json.loads(params[name])
    return params


class SlackApiHandler:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> HttpAnswer:
        """One request: HTTP ``method``, ``path`` with any query string, headers and raw body."""
        path, _, query = path.partition("?")
        parts = [unquote(part) for part in path.strip("/").split("/")]
        verb = method.upper()
        if len(parts) == 2 and parts[0] == "api" and verb in ("GET", "POST"):
            return self.api(parts[1], decode_params(query, headers, body), headers)
        if len(parts) == 3 and parts[:2] == ["hooks", "response"] and verb == "POST":
            return self.response_url(parts[2], headers, body)
        if len(parts) == 3 and parts[:2] == ["upload", "v1"] and verb == "POST":
            return self.upload(parts[2], body)
        if len(parts) == 3 and parts[0] == "files" and verb in ("GET", "HEAD"):
            return self.download(parts[1])
        return _text(404, "not found")

    def api(self, method: str, params: JsonDict, headers: Mapping[str, str]) -> HttpAnswer:
        ws = self.workspace
        token = str(params.pop("token", "") or "")
        authorization = _header(headers, "Authorization")
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        ws.record_call(method, params)
        scopes = {"X-OAuth-Scopes": ",".join(sorted(ws.scopes)), "X-Accepted-OAuth-Scopes": ""}
        if method not in api.METHODS:
            return _json(200, {"ok": False, "error": "unknown_method", "req_method": method})
        if not token:
            return _json(200, {"ok": False, "error": "not_authed"})
        if not ws.is_valid_token(token):
            return _json(200, {"ok": False, "error": "invalid_auth"})
        fault = ws.take_fault(method)
        if fault is not None and not fault.after_work:
            return self._fault(fault)
        answer = _json(200, api.call(ws, method, params), scopes)
        return answer if fault is None else self._lost(fault)

    def response_url(self, token: str, headers: Mapping[str, str], body: bytes) -> HttpAnswer:
        ws = self.workspace
        params = decode_params("", headers, body)
        payload = params.get("payload", params)
        if isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except ValueError:
                payload = None
        ws.record_response_post(
            token, payload if isinstance(payload, dict) else {"raw": body.decode("utf-8", "replace")}
        )
        fault = ws.take_fault(RESPONSE_URL)
        if fault is not None and not fault.after_work:
            return self._fault(fault)
        status, answer = ws.response_urls.post(token, payload)
        return _json(status, answer) if fault is None else self._lost(fault)

    def upload(self, token: str, body: bytes) -> HttpAnswer:
        fault = self.workspace.take_fault(FILE_UPLOAD)
        if fault is not None and not fault.after_work:
            answer = _text(fault.status if fault.status != 200 else 500, fault.error)
            return answer._replace(headers={**answer.headers, **fault.headers()})
        status, text = self.workspace.uploads.receive(token, body)
        return _text(status, text) if fault is None else self._lost(fault)

    def download(self, file_id: str) -> HttpAnswer:
        stored = next((f for f in self.workspace.files if f.id == file_id and f.content is not None), None)
        if stored is None or stored.content is None:
            return _text(404, "file not found")
        kind = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
        return HttpAnswer(200, {"Content-Type": kind}, stored.content)

    @staticmethod
    def _fault(fault: Fault) -> HttpAnswer:
        return _json(fault.status, {"ok": False, "error": fault.error}, fault.headers())

    @staticmethod
    def _lost(fault: Fault) -> HttpAnswer:
        """What a client sees when the work was done but the answer was lost: a proxy's HTML error page."""
        title = html.escape(f"{fault.status} {fault.error}")
        page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        return HttpAnswer(fault.status, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
