"""The PostgreSQL store: the log in one table, shared by replicas on several hosts (psycopg 3).

Writers serialize on a transaction-level advisory lock, so events commit in seq order and a
reader that has seen seq N has seen everything before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from mock_server.stores.base import Event, StoreError

LOCK_KEY = 0x44_5A_4D_4F  # "DZMO": the advisory lock every writer takes
# Versioned schema: entry N brings a database from version N to N + 1. Never edit one; add one.
MIGRATIONS = (
    """
    CREATE TABLE dayzero_mock_events (
        seq BIGSERIAL PRIMARY KEY,
        origin TEXT NOT NULL,
        session TEXT NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX dayzero_mock_events_by_session ON dayzero_mock_events (session, seq);
    """,
)


class PostgresStore:
    shared = True

    def __init__(self, url: str) -> None:
        self.url = url
        self._depth = 0  # nesting of exclusive()
        try:
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=10)
            self._migrate()
        except psycopg.Error as error:
            raise StoreError(f"Cannot use the PostgreSQL store {_redacted(url)}: {error}") from error

    def _migrate(self) -> None:
        with self.exclusive():
            self._db.execute("CREATE TABLE IF NOT EXISTS dayzero_mock_schema (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT version FROM dayzero_mock_schema").fetchone()
            version = row[0] if row else 0
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"{_redacted(self.url)} has schema version {version}; "
                    f"this dayzero-mock knows up to {len(MIGRATIONS)}."
                )
            for script in MIGRATIONS[version:]:
                self._db.execute(script.encode())
            if row is None:
                self._db.execute("INSERT INTO dayzero_mock_schema VALUES (%s)", (len(MIGRATIONS),))
            else:
                self._db.execute("UPDATE dayzero_mock_schema SET version = %s", (len(MIGRATIONS),))

    def head(self) -> int:
        row = self._db.execute("SELECT coalesce(max(seq), 0) FROM dayzero_mock_events").fetchone()
        return int(row[0]) if row else 0

    def events_after(self, seq: int, session: str | None = None) -> Iterator[Event]:
        query = "SELECT seq, origin, session, kind, data FROM dayzero_mock_events WHERE seq > %s"
        params: tuple[Any, ...] = (seq,)
        if session is not None:
            query += " AND session = %s"
            params += (session,)
        rows = self._db.execute(query + " ORDER BY seq", params).fetchall()
        return (Event(*row) for row in rows)

    def append(self, origin: str, session: str, kind: str, data: str) -> int:
        with self.exclusive():
            row = self._db.execute(
                "INSERT INTO dayzero_mock_events (origin, session, kind, data) VALUES (%s, %s, %s, %s) RETURNING seq",
                (origin, session, kind, data),
            ).fetchone()
            return int(row[0]) if row else 0

    def forget(self, session: str, before: int) -> None:
        with self.exclusive():
            self._db.execute("DELETE FROM dayzero_mock_events WHERE session = %s AND seq < %s", (session, before))

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN")
        self._depth = 1
        try:
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            yield
        except psycopg.Error:
            self._db.execute("ROLLBACK")
            raise
        finally:
            # As with SQLite: events appended before an error answer are committed all the same.
            self._depth = 0
            if self._db.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()


def _redacted(url: str) -> str:
    """The URL without its password."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}" if ":" in credentials else url
