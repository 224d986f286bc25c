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
from typing import Any

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


class Journal:
    """A bounded ring of request records, oldest first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._records: deque[dict[str, Any]] = deque(maxlen=size)
        self._ids = count(1)

    def add(self, record: dict[str, Any]) -> None:
        record["id"] = f"r{next(self._ids):06d}"
        self._records.append(record)

    def clear(self) -> None:
        self._records.clear()

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

        def keep(record: dict[str, Any]) -> bool:
            return (
                (method is None or record["method"] == method.upper())
                and (path is None or record["path"].startswith(path))
                and (operation is None or record["operation_id"] == operation)
                and (status is None or record["status"] == status)
                and (floor is None or record["_at"] >= floor)
            )

        return [public(record) for record in self._records if keep(record)]


def public(record: dict[str, Any]) -> dict[str, Any]:
    """The record as served: ``at`` written from ``_at`` when it is read, not per request."""
    return {"at": iso_instant(record["_at"]), **{k: v for k, v in record.items() if not k.startswith("_")}}


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
            self.journal.add(
                {
                    "_at": arrived,
                    "method": method,
                    "path": path,
                    "query": scope.get("query_string", b"").decode("latin-1"),
                    "status": status or 500,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    "operation_id": self.operation_id(method, path),
                    "violations": violations_of_422(b"".join(error_body)) if status == 422 else [],
                    **({"steering": dict(extensions[STEERING_KEY])} if extensions.get(STEERING_KEY) else {}),
                    **({"session": session} if (session := Sessions.current_name()) else {}),
                }
            )


def records_json(records: Iterable[dict[str, Any]], size: int) -> dict[str, Any]:
    return {"items": list(records), "size": size}
