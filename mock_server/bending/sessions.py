"""Isolated sessions: a request carrying ``x-mock-session: NAME`` sees its own copy of the state.

Each session starts from the fixtures, as the mock did at start, and has its own packages,
periods, clock, reset and clock advance, so parallel end-to-end workers never see each
other. Requests without the header use the shared state. Sessions idle longer than the idle
limit (wall time) are dropped; past the maximum, the least recently used one goes.
"""

from __future__ import annotations

import json
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.domain.clock import Clock
from mock_server.domain.state import Ledger
from mock_server.edge.scopes import header

SESSION_HEADER = "x-mock-session"
NAME = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_CURRENT: ContextVar[str | None] = ContextVar("dayzero_mock_session", default=None)


@dataclass
class SessionState:
    ledger: Ledger
    clock: Clock
    base: date  # the day the fixtures' periods were made for
    last_used: float = 0.0


class StateBuilder(Protocol):
    """Makes and resets session states (the store's replica: mock_server/persistence/replica.py)."""

    def new_state(self, name: str | None) -> SessionState: ...

    def reset(self, name: str | None, state: SessionState) -> None: ...


class Sessions:
    """The shared state and every named session held in memory.

    With the memory store, a session dropped from memory is gone; with a shared store it is
    only evicted, and loaded again from the store's log on its next request.
    """

    def __init__(
        self,
        builder: StateBuilder,
        *,
        idle_seconds: float,
        max_sessions: int,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        self._builder = builder
        self._idle_seconds = idle_seconds
        self._max = max_sessions
        self._wall = wall
        self.shared = builder.new_state(None)
        self._named: OrderedDict[str, SessionState] = OrderedDict()

    def _new_state(self, name: str | None) -> SessionState:
        return self._builder.new_state(name)

    def loaded(self, name: str | None) -> SessionState | None:
        """The session's state if it is in memory (None: the shared state's name)."""
        return self.shared if name is None else self._named.get(name)

    @staticmethod
    def current_name() -> str | None:
        return _CURRENT.get()

    def current_ledger(self) -> Ledger:
        """The live state the current request sees."""
        return self.current().ledger

    def current(self) -> SessionState:
        """The state of the session this request runs in (created on first use)."""
        name = _CURRENT.get()
        if name is None:
            return self.shared
        now = self._wall()
        self._sweep(now)
        state = self._named.get(name)
        if state is None:
            state = self._named[name] = self._new_state(name)
            while len(self._named) > self._max:
                self._named.popitem(last=False)
        state.last_used = now
        self._named.move_to_end(name)
        return state

    def rebuild(self) -> None:
        """Start over from the builder: a fresh shared state, no named session in memory (they
        are loaded again on their next request). For a replica whose state left the log's."""
        self.shared = self._new_state(None)
        self._named.clear()

    def reset_current(self) -> None:
        """Back to the fixtures for the current session, as of its clock (which keeps its time)."""
        self._builder.reset(_CURRENT.get(), self.current())

    def names(self) -> list[str]:
        self._sweep(self._wall())
        return list(self._named)

    def _sweep(self, now: float) -> None:
        for name in [n for n, s in self._named.items() if now - s.last_used > self._idle_seconds]:
            del self._named[name]


@contextmanager
def entered(name: str | None) -> Iterator[None]:
    """Run the block in a session (None: the shared state)."""
    token = _CURRENT.set(name)
    try:
        yield
    finally:
        _CURRENT.reset(token)


class SessionClock(Clock):
    """A clock that is the current session's: components hold this one object.

    A Clock in type only (every public method is the current session's clock's), so that the
    components written against Clock take it unchanged.
    """

    def __init__(self, sessions: Sessions) -> None:
        super().__init__()
        self._sessions = sessions

    def _clock(self) -> Clock:
        return self._sessions.current().clock

    @property
    def offset_seconds(self) -> float:  # type: ignore[override]
        return self._clock().offset_seconds

    def advance(self, seconds: float) -> None:
        self._clock().advance(seconds)

    @property
    def frozen(self) -> bool:  # type: ignore[override]
        return self._clock().frozen

    def freeze(self) -> None:
        self._clock().freeze()

    def resume(self) -> None:
        self._clock().resume()

    def timestamp(self) -> float:
        return self._clock().timestamp()

    def now(self) -> datetime:
        return self._clock().now()


class SessionMiddleware:
    """Puts each request in the session its ``x-mock-session`` header names (outermost layer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = header(scope, SESSION_HEADER.encode()) if scope["type"] == "http" else None
        name = raw.decode("latin-1").strip() if raw is not None else None
        if name is not None and not NAME.fullmatch(name):
            # Outside connexion's error handling (it must wrap the journal): the 422 is written here.
            error = {
                "type": "string_pattern_mismatch",
                "loc": ["header", SESSION_HEADER],
                "msg": f"String should match pattern '{NAME.pattern}'",
                "input": name,
                "ctx": {"pattern": NAME.pattern},
            }
            body = json.dumps({"detail": [error]}, separators=(",", ":")).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 422, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        token = _CURRENT.set(name or None)  # as entered(), without a generator per request
        try:
            await self.app(scope, receive, send)
        finally:
            _CURRENT.reset(token)
