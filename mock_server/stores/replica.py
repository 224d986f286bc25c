"""This process's copy of the state, kept in line with the store's log.

The state objects (ledgers, clocks, fault switches, steering) tell their observer of every
change; the replica appends each change to the log as an event. Before every request the
replica applies the events other processes appended since (``sync``); a request that
changes state runs in a ``transaction``: the store's writer lock is taken, the replica
synced, the handler run and its events committed, so every replica applies every change in
log order. Applying an event is idempotent (a record is put by id), so replaying a suffix of
the log twice gives the same state.

Sessions: a session's first event records the day its fixtures were made for (``base``); a
reset records the new day (``reset``) and lets the store forget the session's older events.
A named session not in memory is loaded from its events when a request names it.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.bending.faults import FaultSwitches
from mock_server.bending.sessions import Sessions, SessionState
from mock_server.bending.steering import SteeringSettings
from mock_server.clock import Clock
from mock_server.close_records import ChecklistAck, ScoreSnapshot, SignOff
from mock_server.identities import Fixtures
from mock_server.packages import Package
from mock_server.periods import Period
from mock_server.state import Ledger, fresh_ledger
from mock_server.stores.base import Event, Store
from mock_server.stores.records import from_record, to_record

GLOBAL = "*"  # the session key of events that are not any session's (faults, steering)


class Replica:
    def __init__(
        self,
        store: Store,
        *,
        fixtures: Fixtures,
        seed: int,
        frozen_at: datetime | None,
        clock_offset: float = 0.0,
        faults: FaultSwitches,
        steering: SteeringSettings,
    ) -> None:
        self.store = store
        self._fixtures = fixtures
        self._seed = seed
        self._frozen_at = frozen_at
        self._clock_offset = clock_offset
        self._faults = faults
        self._steering = steering
        self._origin = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._seq = 0  # the last event applied
        self._applying = False
        self._in_transaction = False
        self._writer = asyncio.Lock()
        self._based: set[str] = set()  # sessions whose base day is in the log
        self._sessions: Sessions | None = None
        self._secret: bytes | None = None
        faults.observer = self._observer(GLOBAL, None)
        steering.observer = self._observer(GLOBAL, None)

    # -- wiring ----------------------------------------------------------------------------

    def attach(self, sessions: Sessions) -> None:
        """Start serving ``sessions``: replay the log into them (nothing to do for memory)."""
        self._sessions = sessions
        if self.store.shared:
            self.sync()

    def shared_secret(self, proposed: bytes) -> bytes:
        """The key of download links and cursors: the first process to open the store writes its
        own, and every later one (any replica, any restart) uses that one."""
        if not self.store.shared:
            return proposed
        with self.transaction():
            if self._secret is None:
                self._append(GLOBAL, "secret", {"key": base64.b64encode(proposed).decode()})
                self._secret = proposed
        return self._secret

    @property
    def sessions(self) -> Sessions:
        assert self._sessions is not None, "Replica.attach(sessions) first"
        return self._sessions

    # -- StateBuilder (for Sessions) -------------------------------------------------------------

    def new_state(self, name: str | None) -> SessionState:
        key = _key(name)
        clock = Clock(frozen_at=self._frozen_at, offset=self._clock_offset)
        state = self._fresh(key, clock, clock.now().date())
        if self.store.shared and name is not None:
            # A named session evicted from memory, or made by another process: its own events.
            with self._applying_events():
                for event in self.store.events_after(0, key):
                    self._apply_to(state, event)
        return state

    def reset(self, name: str | None, state: SessionState) -> None:
        key = _key(name)
        with self.transaction():
            today = state.clock.now().date()
            self._rebuild(key, state, today)
            self._based.add(key)
            # The clock keeps its time through a reset; its older events are forgotten with the rest.
            seq = self._append(key, "reset", {"today": today.isoformat(), "clock": state.clock.settings()})
            if seq:
                self.store.forget(key, seq)

    # -- keeping in line with the log ----------------------------------------------------------

    def sync(self) -> None:
        """Apply what other processes appended since the last sync."""
        if not self.store.shared or self.store.head() <= self._seq:
            return
        with self._applying_events():
            for event in self.store.events_after(self._seq):
                if event.origin != self._origin:
                    self._apply(event)
                self._seq = event.seq

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run a change alone across every process sharing the store, on the latest state."""
        if self._in_transaction:  # already alone and synced
            yield
            return
        with self.store.exclusive():
            self.sync()
            self._in_transaction = True
            try:
                yield
            finally:
                self._in_transaction = False

    def transactional(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """An async handler run inside ``transaction`` (its signature kept for connexion); the
        handler itself when no other process shares the store (nothing to line up with)."""
        if not self.store.shared:
            return handler

        @functools.wraps(handler)
        async def run(*args: Any, **kwargs: Any) -> Any:
            # One writer of this process at a time: a handler may await a zip build inside.
            async with self._writer:
                with self.transaction():
                    return await handler(*args, **kwargs)

        return run

    # -- building and applying -------------------------------------------------------------------

    def _fresh(self, key: str, clock: Clock, today: date) -> SessionState:
        ledger = fresh_ledger(
            self._fixtures, today=today, seed=self._seed, session=_name(key), seeded_ids=not self.store.shared
        )
        state = SessionState(ledger=ledger, clock=clock, base=today)
        ledger.observe(self._observer(key, state))
        clock.observer = self._observer(key, state)
        return state

    def _rebuild(self, key: str, state: SessionState, today: date) -> None:
        fresh = self._fresh(key, state.clock, today)
        state.ledger, state.base = fresh.ledger, today

    def _apply(self, event: Event) -> None:
        if event.session == GLOBAL:
            data = json.loads(event.data)
            if event.kind == "faults":
                self._faults.set(data["active"])
            elif event.kind == "secret":
                self._secret = base64.b64decode(data["key"])
            elif event.kind == "steering":
                self._steering.restore(data)
            return
        state = self.sessions.loaded(_name(event.session))
        if state is not None:  # a named session not in memory loads its events when next used
            self._apply_to(state, event)

    def _apply_to(self, state: SessionState, event: Event) -> None:
        data = json.loads(event.data)
        ledger: Ledger = state.ledger
        kind = event.kind
        if kind in ("base", "reset"):
            self._based.add(event.session)
            if kind == "reset" or date.fromisoformat(data["today"]) != state.base:
                self._rebuild(event.session, state, date.fromisoformat(data["today"]))
            if "clock" in data:
                state.clock.restore(data["clock"])
        elif kind == "package":
            ledger.packages.put(from_record(Package, data))
        elif kind == "period":
            ledger.periods.put(from_record(Period, data))
        elif kind == "ack":
            ledger.periods.put_ack(from_record(ChecklistAck, data))
        elif kind == "sign_off":
            ledger.periods.put_sign_off(from_record(SignOff, data))
        elif kind == "sign_off_removed":
            ledger.periods.remove_sign_off(data["period_id"], data["user_id"], data["role"])
        elif kind == "snapshot":
            ledger.periods.record_snapshot(data["period_id"], from_record(ScoreSnapshot, data["snapshot"]))
        elif kind == "clock":
            state.clock.restore(data)

    @contextmanager
    def _applying_events(self) -> Iterator[None]:
        self._applying = True
        try:
            yield
        finally:
            self._applying = False

    # -- recording -----------------------------------------------------------------------------------

    def _observer(self, key: str, state: SessionState | None) -> Callable[[str, Any], None]:
        def observe(kind: str, record: Any) -> None:
            if self._applying or not self.store.shared:
                return
            if state is not None and key not in self._based:
                self._based.add(key)
                self._append(key, "base", {"today": state.base.isoformat()})
            self._append(key, kind, to_record(record))

        return observe

    def _append(self, key: str, kind: str, data: Any) -> int:
        """Write an event this process has applied already. Inside a transaction (synced, alone)
        nothing unseen comes before it, so the sync cursor moves past it; outside one (a package
        created, a score snapshot: records nobody else writes) other processes' events may, so
        the cursor stays and the next sync skips this process's own events by their origin."""
        if not self.store.shared:
            return 0
        seq = self.store.append(self._origin, key, kind, json.dumps(data, separators=(",", ":")))
        if self._in_transaction:
            self._seq = seq
        return seq


def _key(name: str | None) -> str:
    return "" if name is None else name


def _name(key: str) -> str | None:
    return None if key == "" else key


class SyncMiddleware:
    """Brings the replica up to the log before each request (shared stores only)."""

    def __init__(self, app: ASGIApp, *, replica: Replica) -> None:
        self.app = app
        self.replica = replica

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.replica.sync()
        await self.app(scope, receive, send)
