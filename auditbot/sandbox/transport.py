"""The in-process mount: an ``httpx.MockTransport`` answering from a ``SandboxApi``.

The only sandbox module that imports httpx. Faults become what a client would see:
``drop`` raises ``httpx.RemoteProtocolError``, ``slow`` raises ``httpx.ReadTimeout`` at once
(no waiting: in-process there is no timeout to run out, so the outcome is given directly).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from auditbot.sandbox.messages import SandboxRequest

if TYPE_CHECKING:
    from auditbot.sandbox.api import SandboxApi


def mock_transport(api: SandboxApi) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        url = request.url
        response = api.handle(
            SandboxRequest(
                method=request.method,
                path=url.raw_path.decode("ascii").partition("?")[0],
                query=url.query.decode("ascii"),
                headers=dict(request.headers),
                body=request.read(),
                base_url=f"{url.scheme}://{url.netloc.decode('ascii')}",
            )
        )
        if response.drop:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        if response.delay > 0:
            raise httpx.ReadTimeout("The read operation timed out (sandbox slow fault).", request=request)
        return httpx.Response(response.status, headers=dict(response.headers), content=response.body)

    return httpx.MockTransport(answer)
