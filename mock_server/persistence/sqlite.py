"""The SQLite store: the log in one file, shared by every worker of one host.

WAL mode, so readers never wait for the writer; ``synchronous=NORMAL``, so a committed event
survives the process being killed (not a power cut, which a mock need not survive). Writers
queue on an flock of ``<db>.lock`` before ``BEGIN IMMEDIATE``: the kernel wakes the next one
the moment the lock is free, where SQLite's own busy handler sleeps in growing steps (with
two workers creating packages, p99 went to ~80 ms on that alone). A file locked by something
else than the mock gives up after ``BUSY_SECONDS`` (the request answers 503), as does a file
the mock may not write.
"""

from __future__ import annotations

import fcntl
import sqlite3
from pathlib import Path
from typing import Any

from mock_server.persistence.base import StoreError
from mock_server.persistence.sql import SqlLog


def sqlite_path(url: str) -> Path:
    """``sqlite:///mock.db`` (relative) or ``sqlite:////var/lib/mock.db`` (absolute)."""
    path = url.removeprefix("sqlite:///")
    if not path:
        raise StoreError("sqlite store needs a file: sqlite:///path/to/mock.db")
    return Path(path)


BUSY_SECONDS = 3.0  # how long a write waits for a lock held outside the mock's own flock


class SqliteLog(SqlLog):
    EVENTS = "events"
    SCHEMA = "schema_version"
    MIGRATIONS = (
        """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            origin TEXT NOT NULL,
            session TEXT NOT NULL,
            kind TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX events_by_session ON events (session, seq);
        """,
        # 2: each event names what it is the latest word on (mock_server/persistence/replica.py
        # _identity); an append drops the older events of its identity.
        """
        ALTER TABLE events ADD COLUMN ident TEXT;
        CREATE INDEX events_by_ident ON events (session, ident);
        """,
    )
    PARAM = "?"
    ERROR = sqlite3.Error

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        path = sqlite_path(url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_file = open(path.with_name(path.name + ".lock"), "a+b")  # noqa: SIM115 (kept open)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"Cannot open the SQLite store {path}: {error}") from error

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._db.execute(sql, params)

    def _begin(self) -> None:
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            raise

    def _end(self, *, failed: bool) -> None:
        if self._lock_file.closed:
            return
        try:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK" if failed else "COMMIT")
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def close(self) -> None:
        self._db.close()
        self._lock_file.close()
