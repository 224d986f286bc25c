"""This process's copy of the state, kept in line with the store's log.

The state objects (ledgers, clocks, fault switches, steering) tell their sink of every change
(a typed change: domain/changes.py); the replica appends each to the log as an event
(persistence/events.py). Before every request the
replica applies the events other processes appended since (``sync``); a request that
changes state runs in a ``transaction``: the store's writer lock is taken, the replica
synced, the handler run and its events committed, so every replica applies every change in
log order. Applying an event is idempotent (a record is put by id), so replaying a suffix of
the log twice gives the same state.

The database is never called on the event loop: every call runs on the store's one thread
(``_db``), bounded by ``STORE_TIMEOUT``. Events a request records are held in that request's
``_Batch`` and written, and committed, when its handler is done, before its answer goes out.
When the store fails (PostgreSQL stopped, SQLite locked or read-only) the request is answered
503 with ``Retry-After`` (``StoreUnavailable``) and the replica is marked stale: what the
failed request changed in memory was never committed, so the next request rebuilds the state
from the log (once the store answers again) before it reads anything.

Sessions: a session's first event records the day its fixtures were made for (``base``); a
reset records the new day (``reset``) and lets the store forget the session's older events.
A named session not in memory is loaded from its events when a request names it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import gc
import json
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.bending.faults import FaultSwitches
from mock_server.bending.sessions import Sessions, SessionState
from mock_server.bending.steering import SteeringSettings
from mock_server.domain.changes import (
    AckPut,
    Change,
    ClockSet,
    FaultsSet,
    PeriodPut,
    SignOffPut,
    SignOffRemoved,
    Sink,
    SnapshotRecorded,
    SteeringSet,
)
from mock_server.domain.clock import Clock
from mock_server.domain.identities import Fixtures
from mock_server.domain.state import Ledger, fresh_ledger
from mock_server.edge.errors import ApiError
from mock_server.persistence.base import Event, EventLog, StoreError
from mock_server.persistence.events import (
    LinkKey,
    LogEvent,
    PackageLogged,
    SessionBased,
    SessionReset,
    decode,
    encode,
    package_of,
)

GLOBAL = "*"  # the session key of events that are not any session's (faults, steering)
# Longest a request waits on the store before it is answered 503 (the issue asks for 5 s).
STORE_TIMEOUT = 4.0
RETRY_AFTER_SECONDS = 2
T = TypeVar("T")
_log = logging.getLogger("dayzero_mock")


class StoreUnavailable(ApiError):
    """The store did not answer (or failed): 503, try again shortly."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            503,
            f"The mock's store is unavailable ({reason}); nothing was changed. Try again shortly.",
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


@dataclass
class _Batch:
    """The changes one request made, written when its handler is done (``kind`` ``forget``: a
    reset lets the store drop the session's events before its own)."""

    transactional: bool
    generation: int  # the replica's state generation the handler changed (see Replica._generation)
    ops: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # (key, kind, data, identity)


_BATCH: ContextVar[_Batch | None] = ContextVar("dayzero_mock_batch", default=None)
# A named session's events read off the loop for the current request (sync_async), by its key.
_READ_AHEAD: ContextVar[tuple[str, list[Event]] | None] = ContextVar("dayzero_mock_read_ahead", default=None)


class Replica:
    def __init__(
        self,
        store: EventLog,
        *,
        fixtures: Fixtures,
        seed: int,
        frozen_at: datetime | None,
        clock_offset: float = 0.0,
        faults: FaultSwitches,
        steering: SteeringSettings,
        reader: EventLog | None = None,
        idle_seconds: float,
        max_sessions: int,
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
        self._secret: bytes | None = None
        self._stale = False  # a failed write left this replica ahead of the log: rebuild from it
        # Bumped by every rebuild: a request's changes went into the state objects of the
        # generation it started in; after a rebuild those are gone, and its events must be
        # applied from the log like anyone else's.
        self._generation = 0
        # Seqs of this process's own events, beyond ``_seq``, whose change is in the current
        # generation's memory already: the sync skips exactly these (and no other own event).
        self._mine: set[int] = set()
        # Two connections, each on its own thread: a writer waiting for the lock (or a slow write)
        # never holds up the reads that bring every other request up to date.
        self._reader = reader or store
        self._write_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dayzero-mock-store-write")
        self._read_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dayzero-mock-store-read")
        faults.send_changes_to(self._sink(GLOBAL, None))
        steering.send_changes_to(self._sink(GLOBAL, None))
        # The states this replica keeps: it builds them (Sessions(builder=self)) and replays the
        # log into them (nothing to replay for memory).
        with _collections_paused():
            self.sessions = Sessions(self, idle_seconds=idle_seconds, max_sessions=max_sessions)
            if store.shared:
                self.sync()

    # -- wiring ----------------------------------------------------------------------------

    def shared_secret(self, proposed: bytes) -> bytes:
        """The key of download links and cursors: the first process to open the store writes its
        own, and every later one (any replica, any restart) uses that one."""
        if not self.store.shared:
            return proposed
        with self.transaction():
            if self._secret is None:
                self._append(GLOBAL, LinkKey(base64.b64encode(proposed).decode()))
                self._secret = proposed
        return self._secret

    # -- StateBuilder (for Sessions) -------------------------------------------------------------

    def new_state(self, name: str | None) -> SessionState:
        key = _key(name)
        clock = Clock(frozen_at=self._frozen_at, offset=self._clock_offset)
        state = self._fresh(key, clock, clock.now().date())
        if self.store.shared and name is not None:
            # A named session evicted from memory, or made by another process: its own events.
            read_ahead = _READ_AHEAD.get()
            events = read_ahead[1] if read_ahead is not None and read_ahead[0] == key else None
            if events is None:  # not read ahead for this request (a call from outside a request)
                events = list(self._reader.events_after(0, key))
            with self._applying_events():
                for event in events:
                    self._apply_to(state, key, decode(event.kind, event.data))
        return state

    def reset(self, name: str | None, state: SessionState) -> None:
        key = _key(name)
        with self.transaction():
            today = state.clock.now().date()
            self._rebuild(key, state, today)
            self._based.add(key)
            # The clock keeps its time through a reset; its older events are forgotten with the rest.
            seq = self._append(key, SessionReset(today, state.clock.settings()))
            if seq:
                self.store.forget(key, seq)
            batch = _BATCH.get()
            if batch is not None:
                batch.ops.append((key, "forget", "", None))

    # -- keeping in line with the log ----------------------------------------------------------

    def sync(self) -> None:
        """Apply what other processes appended since the last sync (blocking: at start only)."""
        if not self.store.shared:
            return
        full = self._stale
        self._apply_all(self._read_new(0 if full else self._seq), full=full)

    async def sync_async(self, session: str | None = None) -> None:
        """``sync`` with the reading on the store's thread; reads ahead ``session``'s events when
        that named session is not in memory. Raises StoreUnavailable."""
        if not self.store.shared:
            return
        deadline = _deadline()
        while True:
            full = self._stale
            events = await self._db(self._read_thread, deadline, self._read_new, 0 if full else self._seq)
            if full or not self._stale:
                break
            # A write failed while this read was out: the state must be rebuilt from the whole
            # log, not from the suffix this read brought.
        self._apply_all(events, full=full)
        key = _key(session)
        if session is not None and self.sessions.loaded(session) is None:
            # Kept for this request only: a request that never makes its session (a 401, a
            # mistyped name) leaves nothing behind.
            events = await self._db(self._read_thread, deadline, lambda: list(self._reader.events_after(0, key)))
            _READ_AHEAD.set((key, events))

    def _read_new(self, after: int) -> list[Event]:
        if self._reader.head() <= after:
            return []
        return list(self._reader.events_after(after))

    def _apply_all(self, events: list[Event], *, full: bool) -> None:
        """Apply read events on the loop. ``full``: the events are the whole log, read because
        the replica was stale; if it still is (no other sync rebuilt it meanwhile), its state is
        dropped and rebuilt from them, its own events too (the failed change is not among them)."""
        if full and self._stale:
            self._based.clear()
            self.sessions.rebuild()
            self._seq = 0
            self._generation += 1
            self._mine.clear()
            self._stale = False
        with self._applying_events():
            for event in events:
                if event.seq <= self._seq:
                    continue
                if event.seq in self._mine:
                    self._mine.discard(event.seq)
                else:
                    self._apply(event)
                self._seq = event.seq

    async def _db(
        self, thread: ThreadPoolExecutor, deadline: float, call: Callable[..., T], *args: Any, writing: bool = False
    ) -> T:
        """Run a store call on one of the store's threads, by ``deadline`` (loop time); a failure
        or a timeout is a StoreUnavailable, and leaves this replica stale when it was writing
        (the request's changes are in memory but maybe not in the log)."""
        loop = asyncio.get_running_loop()
        failures: tuple[type[Exception], ...] = (StoreError, *self._driver_errors())
        try:
            future = loop.run_in_executor(thread, call, *args)
            return await asyncio.wait_for(future, max(deadline - loop.time(), 0.01))
        except TimeoutError:
            self._stale = self._stale or writing
            raise StoreUnavailable(f"no answer within {STORE_TIMEOUT:.0f} s") from None
        except failures as error:
            self._stale = self._stale or writing
            _log.warning("store call failed: %s", error)
            raise StoreUnavailable(_reason(error)) from None

    def _driver_errors(self) -> tuple[type[Exception], ...]:
        error = getattr(self.store, "ERROR", None)
        return (error,) if error is not None else ()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run a change alone across every process sharing the store, on the latest state
        (blocking: at start; a request's transaction is ``transactional``)."""
        batch = _BATCH.get()
        if batch is not None and batch.transactional:  # already alone and synced
            yield
            return
        token = _BATCH.set(None)
        try:
            with self.store.exclusive():
                self.sync()
                self._in_transaction = True
                try:
                    yield
                finally:
                    self._in_transaction = False
        finally:
            _BATCH.reset(token)

    def transactional(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """An async handler run alone across every process (its signature kept for connexion):
        the store's writer lock taken, the replica synced, the handler run, its events written
        and committed before its answer goes out. The handler itself when no other process
        shares the store (nothing to line up with)."""
        if not self.store.shared:
            return handler

        @functools.wraps(handler)
        async def run(*args: Any, **kwargs: Any) -> Any:
            deadline = _deadline()
            # One writer of this process at a time: a handler may await a zip build inside.
            async with self._writer_lock(deadline):
                try:
                    await self._db(self._write_thread, deadline, self.store.begin)
                    await self.sync_async()
                    batch = _Batch(transactional=True, generation=self._generation)
                    token = _BATCH.set(batch)
                    try:
                        # Events recorded before an error answer (a 4xx) did happen in this
                        # replica: they are committed all the same.
                        return await handler(*args, **kwargs)
                    finally:
                        _BATCH.reset(token)
                        seqs = await self._db(self._write_thread, _deadline(), self._write, batch, True, writing=True)
                        self._committed(batch, seqs)
                except BaseException:
                    await self._end_quietly()
                    raise

        return run

    def recorded(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """An async handler that checks nothing another process could change (a read, a new
        package with a random id): what it records is written and committed before its answer."""
        if not self.store.shared:
            return handler

        @functools.wraps(handler)
        async def run(*args: Any, **kwargs: Any) -> Any:
            batch = _Batch(transactional=False, generation=self._generation)
            token = _BATCH.set(batch)
            try:
                return await handler(*args, **kwargs)
            finally:
                _BATCH.reset(token)
                if batch.ops:
                    deadline = _deadline()
                    async with self._writer_lock(deadline):  # never inside another request's transaction
                        seqs = await self._db(self._write_thread, deadline, self._write, batch, False, writing=True)
                    self._committed(batch, seqs)

        return run

    @asynccontextmanager
    async def _writer_lock(self, deadline: float) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(self._writer.acquire(), max(deadline - loop.time(), 0.01))
        except TimeoutError:
            raise StoreUnavailable("another write of this process is waiting for it") from None
        try:
            yield
        finally:
            self._writer.release()

    def _write(self, batch: _Batch, transactional: bool) -> list[int]:
        """On the store's thread: append the batch's events (and forget what a reset made moot),
        then commit (``transactional``: the transaction ``begin`` opened); their seqs."""
        seqs: list[int] = []
        for key, kind, data, identity in batch.ops:
            if kind == "forget":
                if seqs:
                    self.store.forget(key, seqs[-1])
            else:
                seqs.append(self.store.append(self._origin, key, kind, data, identity))
        if transactional:
            self.store.end(failed=False)
        return seqs

    def _committed(self, batch: _Batch, seqs: list[int]) -> None:
        """On the loop, once a request's events are committed: let the sync skip them, as their
        change is in memory already, unless a rebuild since the request began dropped it (then
        the sync applies them from the log)."""
        if not seqs or batch.generation != self._generation:
            return
        if batch.transactional:
            # Alone and synced when it began: nothing unseen comes before its last event.
            self._seq = max(self._seq, seqs[-1])
        else:
            self._mine.update(seq for seq in seqs if seq > self._seq)

    async def _end_quietly(self) -> None:
        """Roll back whatever ``begin`` opened. Queued on the writer thread and never cancelled:
        a ``begin`` that timed out but is still waiting for the lock gets its end right after."""
        future = self._write_thread.submit(self.store.end, True)
        with contextlib.suppress(Exception):  # the store is away: its transaction went with it
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), STORE_TIMEOUT)

    def close(self) -> None:
        """Let the store's threads go (after what they are doing)."""
        self._write_thread.shutdown(wait=False, cancel_futures=True)
        self._read_thread.shutdown(wait=False, cancel_futures=True)

    # -- building and applying -------------------------------------------------------------------

    def _fresh(self, key: str, clock: Clock, today: date) -> SessionState:
        ledger = fresh_ledger(
            self._fixtures, today=today, seed=self._seed, session=_name(key), seeded_ids=not self.store.shared
        )
        state = SessionState(ledger=ledger, clock=clock, base=today)
        # The sinks know the key and the day, never the state: a state that referred to itself
        # through its ledger's sink would outlive a reset or an expiry until a full garbage
        # collection (cli.py makes those rare), ~0.5 MB a time.
        ledger.send_changes_to(self._sink(key, today))
        clock.send_changes_to(self._sink(key, today))
        return state

    def _rebuild(self, key: str, state: SessionState, today: date) -> None:
        fresh = self._fresh(key, state.clock, today)
        state.ledger, state.base = fresh.ledger, today

    def _apply(self, event: Event) -> None:
        change = decode(event.kind, event.data)
        if event.session == GLOBAL:
            match change:
                case FaultsSet(active=active):
                    self._faults.set(active)
                case LinkKey(key=key):
                    self._secret = base64.b64decode(key)
                case SteeringSet():
                    self._steering.restore(change)
            return
        state = self.sessions.loaded(_name(event.session))
        if state is not None:  # a named session not in memory loads its events when next used
            self._apply_to(state, event.session, change)

    def _apply_to(self, state: SessionState, key: str, change: LogEvent | None) -> None:
        ledger: Ledger = state.ledger
        match change:
            case PackageLogged():  # most of a big log: built when first read
                ledger.packages.put_encoded(change.id, change.business_id, change.created_at, change.text, package_of)
            case PeriodPut(period=period):
                ledger.periods.put(period)
            case AckPut(ack=ack):
                ledger.periods.put_ack(ack)
            case SignOffPut(sign_off=sign_off):
                ledger.periods.put_sign_off(sign_off)
            case SignOffRemoved(period_id=period_id, user_id=user_id, role=role):
                ledger.periods.remove_sign_off(period_id, user_id, role)
            case SnapshotRecorded(period_id=period_id, snapshot=snapshot):
                ledger.periods.record_snapshot(period_id, snapshot)
            case ClockSet():
                state.clock.restore(change)
            case SessionBased(today=today):
                self._based.add(key)
                if today != state.base:
                    self._rebuild(key, state, today)
            case SessionReset(today=today, clock=clock):
                self._based.add(key)
                self._rebuild(key, state, today)
                state.clock.restore(clock)

    @contextmanager
    def _applying_events(self) -> Iterator[None]:
        self._applying = True
        try:
            yield
        finally:
            self._applying = False

    # -- recording -----------------------------------------------------------------------------------

    def _sink(self, key: str, base: date | None) -> Sink:
        """Where the state of session ``key`` (based on the fixtures of ``base``) tells its
        changes: each becomes an event of the log (none while applying the log's own)."""

        def record(change: Change) -> None:
            if self._applying or not self.store.shared:
                return
            if base is not None and key not in self._based:
                self._based.add(key)
                self._append(key, SessionBased(base))
            self._append(key, change)

        return record

    def _append(self, key: str, event: LogEvent) -> int:
        """Write an event this process has applied already: into the request's batch (written
        when its handler is done), or at once outside a request (at start). Inside a transaction
        (synced, alone) nothing unseen comes before it, so the sync cursor moves past it; outside
        one (a package created, a score snapshot: records nobody else writes) other processes'
        events may, so the cursor stays and the next sync skips this event by its seq (``_mine``)."""
        if not self.store.shared:
            return 0
        encoded = encode(event)
        batch = _BATCH.get()
        if batch is not None:
            batch.ops.append((key, encoded.kind, encoded.data, encoded.identity))
            return 0
        seq = self.store.append(self._origin, key, encoded.kind, encoded.data, encoded.identity)
        if self._in_transaction:
            self._seq = seq
        else:
            self._mine.add(seq)
        return seq


@contextmanager
def _collections_paused() -> Iterator[None]:
    """No garbage collection while the state is built from the log at start: replaying makes
    a few objects per record and no cycles, and the collector walking the growing state again
    and again was over half of a restart on 100k packages (benchmarks/README.md)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _deadline() -> float:
    return asyncio.get_running_loop().time() + STORE_TIMEOUT


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text and text[0] else type(error).__name__


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
        if scope["type"] == "http" and not scope["path"].startswith(STATELESS_PATHS):
            try:
                await self.replica.sync_async(Sessions.current_name())
            except StoreUnavailable as error:
                body = json.dumps({"detail": error.detail}, separators=(",", ":")).encode()
                headers = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *((name.lower().encode(), value.encode()) for name, value in error.headers.items()),
                ]
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


# Pages that read no state: served while the store is away.
STATELESS_PATHS = ("/openapi.", "/docs", "/__mock/ui", "/__mock/openapi.json")
