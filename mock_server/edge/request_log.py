"""One access line per answered request on stderr (``dayzero-mock serve``; ``--quiet`` turns it off)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_HEADER = b"x-mock-session"


def access_line(method: str, path: str, status: int, ms: float, operation: str | None, session: str | None) -> str:
    """``METHOD /path STATUS 3.2 ms OPERATION_ID session=w1`` (an ``Operation``'s route and operationId)."""
    line = f"{method} {path} {status} {ms:.1f} ms {operation or '-'}"
    return f"{line} session={session}" if session else line


class RequestLogMiddleware:
    """Writes ``access_line`` for every request once its answer has gone out (the control API's too)."""

    def __init__(
        self, app: ASGIApp, *, operation_id: Callable[[str, str], str | None], stream: TextIO | None = None
    ) -> None:
        self.app = app
        self.operation_id = operation_id
        self.stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        finally:
            method, path = scope.get("method", "GET"), scope.get("path", "")
            session = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == SESSION_HEADER), None)
            line = access_line(
                method,
                path,
                status or 500,
                (time.perf_counter() - started) * 1000,
                self.operation_id(method, path),
                session,
            )
            stream = self.stream or sys.stderr
            stream.write(line + "\n")
            stream.flush()
