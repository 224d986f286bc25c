"""What the SQLite and PostgreSQL stores share: the events table, its versioned schema, and a
writer section that nests. Each store says how it connects, quotes parameters, and takes and
gives back the writer lock."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mock_server.persistence.base import Event, StoreError


class SqlLog:
    shared = True
    url: str
    EVENTS: str  # the events table
    SCHEMA: str  # the one-row schema-version table
    MIGRATIONS: tuple[str, ...]  # entry N brings version N to N + 1; never edit one, add one
    PARAM: str  # the driver's parameter placeholder
    ERROR: type[Exception]  # the driver's error: the writer section rolls back on it

    def __init__(self) -> None:
        self._depth = 0  # nesting of exclusive()

    # -- what each store provides ---------------------------------------------------------------

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        raise NotImplementedError

    def _begin(self) -> None:
        """Take the writer lock and open a transaction."""
        raise NotImplementedError

    def _end(self, *, failed: bool) -> None:
        """Roll back (``failed``: the database itself failed) or commit, and give the lock back."""
        raise NotImplementedError

    def _describe(self) -> str:
        return self.url

    # -- the store interface -------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self.exclusive():
            self._execute(f"CREATE TABLE IF NOT EXISTS {self.SCHEMA} (version INTEGER NOT NULL)")
            row = self._execute(f"SELECT version FROM {self.SCHEMA}").fetchone()
            version = row[0] if row else 0
            if version > len(self.MIGRATIONS):
                raise StoreError(
                    f"{self._describe()} has schema version {version}; "
                    f"this dayzero-mock knows up to {len(self.MIGRATIONS)}."
                )
            for script in self.MIGRATIONS[version:]:
                for statement in filter(str.strip, script.split(";")):
                    self._execute(statement)
            if row is None:
                self._execute(f"INSERT INTO {self.SCHEMA} VALUES ({self.PARAM})", (len(self.MIGRATIONS),))
            else:
                self._execute(f"UPDATE {self.SCHEMA} SET version = {self.PARAM}", (len(self.MIGRATIONS),))

    def head(self) -> int:
        # Seqs are never reused and a reset keeps its own event, so the newest is still there.
        row = self._execute(f"SELECT coalesce(max(seq), 0) FROM {self.EVENTS}").fetchone()
        return int(row[0]) if row else 0

    def events_after(self, seq: int, session: str | None = None) -> Iterator[Event]:
        query = f"SELECT seq, origin, session, kind, data FROM {self.EVENTS} WHERE seq > {self.PARAM}"
        params: tuple[Any, ...] = (seq,)
        if session is not None:
            query += f" AND session = {self.PARAM}"
            params += (session,)
        rows = self._execute(query + " ORDER BY seq", params).fetchall()
        return map(Event._make, rows)

    def append(self, origin: str, session: str, kind: str, data: str, identity: str | None = None) -> int:
        p = self.PARAM
        with self.exclusive():
            row = self._execute(
                f"INSERT INTO {self.EVENTS} (origin, session, kind, data, ident) VALUES ({p}, {p}, {p}, {p}, {p}) "
                "RETURNING seq",
                (origin, session, kind, data, identity),
            ).fetchone()
            seq = int(row[0])
            if identity is not None:  # compaction: the log keeps the state, not its history
                self._execute(
                    f"DELETE FROM {self.EVENTS} WHERE session = {p} AND ident = {p} AND seq < {p}",
                    (session, identity, seq),
                )
            return seq

    def forget(self, session: str, before: int) -> None:
        with self.exclusive():
            self._execute(
                f"DELETE FROM {self.EVENTS} WHERE session = {self.PARAM} AND seq < {self.PARAM}", (session, before)
            )

    def begin(self) -> None:
        """Open a writer section that ``end`` closes (a request's transaction, across several
        calls on the store's thread); appends and forgets inside it commit at ``end``."""
        if self._depth:
            raise StoreError("A writer section is open already.")
        try:
            self._begin()
        except Exception:
            self._end_after_failure()
            raise
        self._depth = 1

    def end(self, failed: bool = False) -> None:
        """Commit (or roll back) the section ``begin`` opened and give the lock back (none open: nothing)."""
        if not self._depth:
            return
        self._depth = 0
        if failed:
            self._end_after_failure()
            return
        try:
            self._end(failed=False)
        except self.ERROR:
            self._end_after_failure()
            raise

    def _end_after_failure(self) -> None:
        with contextlib.suppress(self.ERROR):  # the connection is gone: so are its transaction and lock
            self._end(failed=True)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.begin()
        failed = False
        try:
            yield
        except self.ERROR:
            failed = True
            raise
        finally:
            # Events appended before an error answer (a 4xx raised by a handler) did happen in
            # this process's replica: they are committed all the same.
            self._depth = 0
            self._end(failed=failed)
