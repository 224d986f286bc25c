"""The memory store: no log at all; the replica in this process is the state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext

from mock_server.persistence.base import Event


class MemoryLog:
    url = "memory"
    shared = False

    def head(self) -> int:
        return 0

    def events_after(self, seq: int, session: str | None = None) -> Iterator[Event]:
        return iter(())

    def append(self, origin: str, session: str, kind: str, data: str, identity: str | None = None) -> int:
        return 0

    def forget(self, session: str, before: int) -> None:
        pass

    def exclusive(self) -> AbstractContextManager[None]:
        return nullcontext()

    def begin(self) -> None:
        pass

    def end(self, failed: bool = False) -> None:
        pass

    def close(self) -> None:
        pass
