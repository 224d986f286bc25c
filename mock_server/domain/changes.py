"""The changes the live state tells its sink of: one type per kind of change.

Every object that holds state (the package and period stores, a clock, the fault switches, the
steering settings) is handed a ``Sink`` (``send_changes_to``) and calls it with one of these
after each change; until then it tells nobody. The persistence layer is the sink that matters:
it writes each change to the store's log and applies the changes other processes wrote
(``persistence/events.py`` encodes them, ``persistence/replica.py`` applies them with ``match``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mock_server.domain.close_records import ChecklistAck, ScoreSnapshot, SignOff
from mock_server.domain.packages import Package
from mock_server.domain.periods import Period


@dataclass(frozen=True)
class PackagePut:
    """A package created, or its new version (a cancel, a forced failure)."""

    package: Package


@dataclass(frozen=True)
class PeriodPut:
    """A period created, or its new version (closed, reopened, locked)."""

    period: Period


@dataclass(frozen=True)
class AckPut:
    ack: ChecklistAck


@dataclass(frozen=True)
class SignOffPut:
    sign_off: SignOff


@dataclass(frozen=True)
class SignOffRemoved:
    period_id: str
    user_id: str
    role: str


@dataclass(frozen=True)
class SnapshotRecorded:
    """The close score of a period on one day (the day's last computation)."""

    period_id: str
    snapshot: ScoreSnapshot


@dataclass(frozen=True)
class ClockSet:
    """A clock moved, frozen or resumed: what another clock needs to be set the same."""

    offset: float
    frozen_at: str | None  # an ISO instant, None: running with the wall clock


@dataclass(frozen=True)
class FaultsSet:
    active: tuple[str, ...]


@dataclass(frozen=True)
class LatencyRange:
    min: int
    max: int


@dataclass(frozen=True)
class SteeringSet:
    latency_ms: LatencyRange | None
    chaos: float


Change = (
    PackagePut
    | PeriodPut
    | AckPut
    | SignOffPut
    | SignOffRemoved
    | SnapshotRecorded
    | ClockSet
    | FaultsSet
    | SteeringSet
)
Sink = Callable[[Change], None]


def nowhere(change: Change) -> None:
    """The sink of state nobody records (the memory store's, and every state until handed one)."""
