"""The mock's clock: wall time or frozen, moved forward on demand, never backward."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from mock_server.domain.changes import ClockSet, Sink, nowhere


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant (``Z`` allowed) into an aware UTC datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Clock:
    """Current time for the lifecycle: a base (wall or frozen) plus an offset.

    ``advance`` only adds; ``now`` never returns an earlier instant than it did before, even
    if the wall clock steps back, so lifecycle fields never go backward.
    """

    def __init__(self, *, frozen_at: datetime | None = None, offset: float = 0.0) -> None:
        self._frozen_at = frozen_at
        self._offset = offset  # a real clock started elsewhere in time (--now) runs this far from the wall
        self._last = 0.0
        self._sink: Sink = nowhere  # told of every change (domain/changes.py)

    def send_changes_to(self, sink: Sink) -> None:
        self._sink = sink

    def settings(self) -> ClockSet:
        """What ``restore`` needs to set another clock the same."""
        return ClockSet(offset=self._offset, frozen_at=self._frozen_at.isoformat() if self._frozen_at else None)

    def restore(self, settings: ClockSet) -> None:
        self._frozen_at = datetime.fromisoformat(settings.frozen_at) if settings.frozen_at else None
        self._offset = float(settings.offset)

    @property
    def offset_seconds(self) -> float:
        return self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def freeze(self) -> None:
        """Stop at the current instant (``advance`` still moves it)."""
        if self._frozen_at is None:
            self._frozen_at = datetime.fromtimestamp(self.timestamp() - self._offset, UTC)
            self._sink(self.settings())

    def resume(self) -> None:
        """Run with the wall clock again, on from the instant it stood at."""
        if self._frozen_at is not None:
            now = self.timestamp()
            self._frozen_at = None
            self._offset = now - time.time()
            self._sink(self.settings())

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("The clock only moves forward.")
        self._offset += seconds
        self._sink(self.settings())

    def timestamp(self) -> float:
        base = self._frozen_at.timestamp() if self._frozen_at else time.time()
        now = max(base + self._offset, self._last)
        self._last = now
        return now

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)
