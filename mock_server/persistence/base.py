"""The store interface: an append-only log of state events, with a lock for writers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import NamedTuple, Protocol


class StoreError(Exception):
    """A store that cannot be opened or used (bad URL, unreachable database, newer schema)."""


class Event(NamedTuple):
    """One change: ``session`` "" is the shared state; ``data`` is JSON text. (A tuple: a
    restart makes one per row of the log, and a frozen dataclass cost twice the reading.)"""

    seq: int
    origin: str
    session: str
    kind: str
    data: str


class EventLog(Protocol):
    url: str
    # True when other processes may share the log (then --workers may be above 1).
    shared: bool

    def head(self) -> int:
        """The seq of the last event (0: none)."""
        ...

    def events_after(self, seq: int, session: str | None = None) -> Iterator[Event]:
        """Events after ``seq`` in log order (only ``session``'s when given)."""
        ...

    def append(self, origin: str, session: str, kind: str, data: str, identity: str | None = None) -> int:
        """Write one event (committed before this returns, unless inside ``exclusive``); its seq.
        The session's older events of the same ``identity`` go: this one supersedes them."""
        ...

    def forget(self, session: str, before: int) -> None:
        """Drop ``session``'s events older than ``before`` (a reset made them moot)."""
        ...

    def exclusive(self) -> AbstractContextManager[None]:
        """One writer at a time across every process: appends inside commit together at exit."""
        ...

    def begin(self) -> None:
        """Open a writer section (as ``exclusive``) that ``end`` closes, across several calls."""
        ...

    def end(self, failed: bool = False) -> None:
        """Commit (``failed``: roll back) what ``begin`` opened, and give the lock back."""
        ...

    def close(self) -> None: ...
