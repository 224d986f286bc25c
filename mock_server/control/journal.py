"""The request journal: the last N requests the mock answered, with its own verdict.

An ASGI middleware outside every other layer records method, path, query, status, duration,
the operationId and, for a 422, each validation error as a violation. Records have the
shape of ``RequestRecord`` in ``openapi/control.yaml``, shared with the kit's proxy. The
control API serves them at ``/__mock/requests``; requests to ``/__mock`` itself are left out.
"""

from __future__ import annotations

import functools
import json
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import count
from typing import Any, NamedTuple

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.bending.sessions import Sessions
from mock_server.bending.steering import STEERING_KEY
from mock_server.domain.clock import Clock
from mock_server.domain.timestamps import iso_instant

CONTROL_PREFIX = "/__mock"


def violations_of_422(body: bytes) -> list[dict[str, str]]:
    """A 422 body's errors as violations: rule = the error type, pointer = its location."""
    try:
        errors = json.loads(body).get("detail", [])
    except (ValueError, AttributeError):
        return []
    found = []
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict):
            found.append(
                {
                    "side": "request",
                    "rule": str(error.get("type", "")),
                    "pointer": "/" + "/".join(str(part) for part in error.get("loc", [])),
                    "expected": str(error.get("msg", "")),
                    "actual": json.dumps(error.get("input"))[:300],
                }
            )
    return found


class Entry(NamedTuple):
    """What the request path keeps of one answered request; ``public`` writes the record
    (instants, rounding, ids and a 422's violations) only when someone reads the journal."""

    number: int
    at: float
    method: str
    path: str
    query: bytes
    status: int
    seconds: float
    operation_id: str | None
    error_body: bytes | None  # a 422's body
    steering: dict[str, Any] | None
    session: str | None


class Journal:
    """A bounded ring of request records, oldest first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: deque[Entry] = deque(maxlen=size)
        self._ids = count(1)

    def next_number(self) -> int:
        return next(self._ids)

    def add(self, entry: Entry) -> None:
        self._entries.append(entry)

    def clear(self) -> None:
        self._entries.clear()

    def select(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        since: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Records matching every given filter (path is a prefix)."""
        floor = since.timestamp() if since is not None else None

        def keep(entry: Entry) -> bool:
            return (
                (method is None or entry.method == method.upper())
                and (path is None or entry.path.startswith(path))
                and (operation is None or entry.operation_id == operation)
                and (status is None or entry.status == status)
                and (floor is None or entry.at >= floor)
            )

        return [public(entry) for entry in self._entries if keep(entry)]


def public(entry: Entry) -> dict[str, Any]:
    """The record as ``GET /__mock/requests`` serves it (``RequestRecord``)."""
    return {
        "at": iso_instant(entry.at),
        "method": entry.method,
        "path": entry.path,
        "query": entry.query.decode("latin-1"),
        "status": entry.status,
        "duration_ms": round(entry.seconds * 1000, 3),
        "operation_id": entry.operation_id,
        "violations": violations_of_422(entry.error_body) if entry.error_body is not None else [],
        **({"steering": entry.steering} if entry.steering else {}),
        **({"session": entry.session} if entry.session else {}),
        "id": f"r{entry.number:06d}",
    }


class JournalMiddleware:
    """Records every answered request (but the control API's own) into the journal."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        journal: Journal,
        clock: Clock,
        operation_id: Callable[[str, str], str | None],
    ) -> None:
        self.app = app
        self.journal = journal
        self.clock = clock
        # A pure function of the table: the paths clients repeat are looked up once.
        self.operation_id = functools.lru_cache(maxsize=4096)(operation_id)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        arrived = self.clock.timestamp()
        started = time.perf_counter()
        extensions = scope.setdefault("extensions", {})  # shared with the layers below (steering notes)
        status = 0
        error_body: list[bytes] = []

        async def record_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status == 422:
                error_body.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, record_send)
        finally:
            method = scope.get("method", "GET")
            steering = extensions.get(STEERING_KEY)
            self.journal.add(
                Entry(
                    self.journal.next_number(),
                    arrived,
                    method,
                    path,
                    scope.get("query_string", b""),
                    status or 500,
                    time.perf_counter() - started,
                    self.operation_id(method, path),
                    b"".join(error_body) if status == 422 else None,
                    dict(steering) if steering else None,
                    Sessions.current_name(),
                )
            )


def records_json(records: Iterable[dict[str, Any]], size: int) -> dict[str, Any]:
    return {"items": list(records), "size": size}
