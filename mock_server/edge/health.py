"""``GET /healthz`` (ours): whether this process and its store answer, for a container's
``HEALTHCHECK`` and orchestrators' probes.

It sits outside every other layer: always on (``--no-control`` too), no token, never
journaled, steered, or synced with the log. 200 ``{"status": "ok"}`` when the store answers
a read; 503 ``{"status": "unavailable", "detail": ...}`` when it does not. Documented in
``openapi/health.yaml``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

HEALTH_PATH = "/healthz"


def health_body(probe: Callable[[], object], store_url: str) -> tuple[int, dict[str, str]]:
    """The status and body of ``GET /healthz``: ``probe`` reads from the store, or raises."""
    try:
        probe()
    except Exception as error:  # any failure of the store's driver means "not healthy", never a 500
        kind = store_url.partition(":")[0]  # never the URL itself: it may hold a password
        return 503, {"status": "unavailable", "detail": f"The {kind} store does not answer: {error}"}
    return 200, {"status": "ok"}


class HealthMiddleware:
    """Answers ``GET``/``HEAD /healthz`` before any other layer sees the request."""

    def __init__(self, app: ASGIApp, *, probe: Callable[[], object], store_url: str) -> None:
        self.app = app
        self.probe = probe
        self.store_url = store_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != HEALTH_PATH or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        status, body = health_body(self.probe, self.store_url)
        payload = json.dumps(body, separators=(",", ":")).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else payload})
