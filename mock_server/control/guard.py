"""The control API's lock (``--control-token``): every ``/__mock`` call carries
``Authorization: Bearer TOKEN`` or is answered 401 with the control API's error body.

The console's static files (``/__mock/ui``, its HTML, CSS and script) and the control API's
own document (``/__mock/openapi.json``) hold no state and no secret, and a browser cannot send
a header when it opens a page, so they are served to anyone: the console asks for the token
and sends it with every call it makes. The published API and presigned links are not touched.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.edge.json_responses import json_body

CONTROL_PREFIX = "/__mock"
OPEN_PATHS = ("/__mock/ui", "/__mock/openapi.json")
CHALLENGE = 'Bearer realm="dayzero-mock control"'


class ControlGuard:
    """Answers 401 to a ``/__mock`` call without the right bearer token."""

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _guarded(scope["path"]) or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        given = next((value for name, value in scope["headers"] if name == b"authorization"), None)
        if given is not None and hmac.compare_digest(given.strip(), self._expected):
            await self.app(scope, receive, send)
            return
        detail = (
            "Not authenticated: the mock's control API needs 'Authorization: Bearer <control token>' "
            "(the token given to dayzero-mock serve --control-token)."
            if given is None
            else "Invalid control token."
        )
        response = json_body({"detail": detail}, 401)
        response.headers["WWW-Authenticate"] = CHALLENGE
        await response(scope, receive, send)


def _guarded(path: str) -> bool:
    if path != CONTROL_PREFIX and not path.startswith(CONTROL_PREFIX + "/"):
        return False
    return not any(path == open_path or path.startswith(open_path + "/") for open_path in OPEN_PATHS)
