"""Where the mock's state lives: ``--store memory`` (default), ``sqlite:///path`` or ``postgresql://...``.

Every change to the state is an event in the store's log (a package created, a period closed,
a sign-off revoked, the clock moved, faults switched, a session reset). Each process keeps a
replica of the state in memory (``replica.py``): it applies the log's new events before
every request and appends its own changes, so reads cost what they cost in memory while
several workers, or replicas on several hosts, answer as one mock. A change is written, and
committed, before its answer is sent; after a restart the log is replayed.

The memory store keeps no log: state is this process's, and a restart starts fresh.
"""

from __future__ import annotations

from mock_server.persistence.base import Event, EventLog, StoreError
from mock_server.persistence.memory import MemoryLog


def open_log(url: str) -> EventLog:
    """The store a ``--store`` URL names (schema created or migrated on open)."""
    if url in ("", "memory", "memory://"):
        return MemoryLog()
    if url.startswith("sqlite:///"):
        from mock_server.persistence.sqlite import SqliteLog

        return SqliteLog(url)
    if url.startswith(("postgresql://", "postgres://")):
        from mock_server.persistence.postgres import PostgresLog

        return PostgresLog(url)
    raise StoreError(f"--store must be memory, sqlite:///PATH or postgresql://..., not {url!r}.")


__all__ = ["Event", "EventLog", "StoreError", "open_log"]
