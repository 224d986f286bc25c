"""The SQLite store: the log in one file, shared by every worker of one host.

WAL mode, so readers never wait for the writer; ``synchronous=NORMAL``, so a committed event
survives the process being killed (not a power cut, which a mock need not survive). Writers
queue on an flock of ``<db>.lock`` before ``BEGIN IMMEDIATE``: the kernel wakes the next one
the moment the lock is free, where SQLite's own busy handler sleeps in growing steps (with
two workers creating packages, p99 went to ~80 ms on that alone).
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mock_server.stores.base import Event, StoreError

# Versioned schema: entry N brings a database from version N to N + 1. Never edit one; add one.
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
)


def sqlite_path(url: str) -> Path:
    """``sqlite:///mock.db`` (relative) or ``sqlite:////var/lib/mock.db`` (absolute)."""
    path = url.removeprefix("sqlite:///")
    if not path:
        raise StoreError("sqlite store needs a file: sqlite:///path/to/mock.db")
    return Path(path)


class SqliteStore:
    shared = True

    def __init__(self, url: str) -> None:
        self.url = url
        self._depth = 0  # nesting of exclusive()
        path = sqlite_path(url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_file = open(path.with_name(path.name + ".lock"), "a+b")  # noqa: SIM115 (kept open)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"Cannot open the SQLite store {path}: {error}") from error

    def _migrate(self) -> None:
        with self.exclusive():
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"{self.url} has schema version {version}; this dayzero-mock knows up to {len(MIGRATIONS)}."
                )
            for script in MIGRATIONS[version:]:
                for statement in filter(str.strip, script.split(";")):
                    self._db.execute(statement)
            if row is None:
                self._db.execute("INSERT INTO schema_version VALUES (?)", (len(MIGRATIONS),))
            else:
                self._db.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))

    def head(self) -> int:
        row = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
        return int(row[0]) if row else 0

    def events_after(self, seq: int, session: str | None = None) -> Iterator[Event]:
        if session is None:
            rows = self._db.execute(
                "SELECT seq, origin, session, kind, data FROM events WHERE seq > ? ORDER BY seq", (seq,)
            )
        else:
            rows = self._db.execute(
                "SELECT seq, origin, session, kind, data FROM events WHERE session = ? AND seq > ? ORDER BY seq",
                (session, seq),
            )
        return (Event(*row) for row in rows.fetchall())

    def append(self, origin: str, session: str, kind: str, data: str) -> int:
        with self.exclusive():
            cursor = self._db.execute(
                "INSERT INTO events (origin, session, kind, data) VALUES (?, ?, ?, ?)", (origin, session, kind, data)
            )
            return int(cursor.lastrowid or 0)

    def forget(self, session: str, before: int) -> None:
        with self.exclusive():
            self._db.execute("DELETE FROM events WHERE session = ? AND seq < ?", (session, before))

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except sqlite3.Error:
            self._db.execute("ROLLBACK")
            raise
        finally:
            # Events appended before an error answer (a 4xx raised by a handler) did happen in
            # this process's replica: they are committed all the same.
            self._depth = 0
            try:
                if self._db.in_transaction:
                    self._db.execute("COMMIT")
            finally:
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def close(self) -> None:
        self._db.close()
        self._lock_file.close()
