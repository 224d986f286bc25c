"""The PostgreSQL store: the log in one table, shared by replicas on several hosts (psycopg 3).

Writers serialize on a transaction-level advisory lock, so events commit in seq order and a
reader that has seen seq N has seen everything before it.

A database that goes away (restarted at night) is reconnected to on the next call; until it
answers, every call fails within a few seconds (``connect_timeout``, ``lock_timeout``, TCP
keepalives), and the replica answers those requests 503 (stores/replica.py).
"""

from __future__ import annotations

from typing import Any

import psycopg

from mock_server.persistence.base import StoreError
from mock_server.persistence.sql import SqlLog

LOCK_KEY = 0x44_5A_4D_4F  # "DZMO": the advisory lock every writer takes
# A lost database is noticed within seconds, and a writer waits at most this for another's lock.
CONNECT_OPTIONS: dict[str, Any] = {
    "autocommit": True,
    "connect_timeout": 3,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
    "options": "-c lock_timeout=3500",
}


class PostgresLog(SqlLog):
    EVENTS = "dayzero_mock_events"
    SCHEMA = "dayzero_mock_schema"
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
        # 2: each event names what it is the latest word on (mock_server/persistence/replica.py
        # _identity); an append drops the older events of its identity.
        """
        ALTER TABLE dayzero_mock_events ADD COLUMN ident TEXT;
        CREATE INDEX dayzero_mock_events_by_ident ON dayzero_mock_events (session, ident);
        """,
    )
    PARAM = "%s"
    ERROR = psycopg.Error

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        try:
            self._db = psycopg.connect(url, **CONNECT_OPTIONS)
            self._migrate()
        except psycopg.Error as error:
            raise StoreError(f"Cannot use the PostgreSQL store {self._describe()}: {error}") from error

    def _describe(self) -> str:
        return _redacted(self.url)

    def _connection(self) -> psycopg.Connection[Any]:
        """The connection, made again if the last one was lost (never inside a writer section:
        its transaction went with the old connection)."""
        if self._db.closed or self._db.broken:
            if self._depth:
                raise StoreError("The connection to PostgreSQL was lost inside a transaction.")
            self._db = psycopg.connect(self.url, **CONNECT_OPTIONS)
        return self._db

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._connection().execute(sql, params or None)

    def _begin(self) -> None:
        db = self._connection()
        db.execute("BEGIN")
        db.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))

    def _end(self, *, failed: bool) -> None:
        if self._db.closed or self._db.broken:
            return  # its transaction (and the lock) ended with it
        if self._db.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            self._db.execute("ROLLBACK" if failed else "COMMIT")

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
