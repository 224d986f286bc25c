"""The state's changes as the log's events and back: a kind (the log's ``kind`` column), JSON
data, and the identity the change is the latest word on.

Besides the domain's changes (domain/changes.py) the log holds three of the replica's own:
the day a session was based on, a session's reset, and the key of links and cursors. The JSON
of each kind is what the store's schema has always held (a record change is the record itself;
the others their fields), so a store written by an earlier version reads the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from mock_server.domain.changes import (
    AckPut,
    Change,
    ClockSet,
    FaultsSet,
    PackagePut,
    PeriodPut,
    SignOffPut,
    SignOffRemoved,
    SnapshotRecorded,
    SteeringSet,
)
from mock_server.domain.close_records import ChecklistAck, SignOff
from mock_server.domain.packages import Package
from mock_server.domain.periods import Period
from mock_server.persistence.records import from_json, package_key, to_record


@dataclass(frozen=True)
class SessionBased:
    """The day a session's fixtures were made for (recorded before its first change)."""

    today: date


@dataclass(frozen=True)
class SessionReset:
    """A session back to the fixtures of ``today``; its clock keeps its time."""

    today: date
    clock: ClockSet


@dataclass(frozen=True)
class LinkKey:
    """The key of download links and cursors, base64 (the first process to open the store writes it)."""

    key: str


@dataclass(frozen=True)
class PackageLogged:
    """A ``PackagePut`` as the log holds it: placed by the package's id, business and creation
    time (read alone, a tenth of the cost of building it), built from its JSON when first read,
    so a restart on 100,000 packages builds the 20 its first list shows (``package_of``)."""

    id: str
    business_id: str
    created_at: float
    text: str


LogEvent = Change | SessionBased | SessionReset | LinkKey | PackageLogged

# Record changes: the event's data is the record itself.
_RECORDS: dict[str, tuple[type, type]] = {
    "package": (PackagePut, Package),
    "period": (PeriodPut, Period),
    "ack": (AckPut, ChecklistAck),
    "sign_off": (SignOffPut, SignOff),
}
# The other changes: the event's data is their fields.
_FIELDS: dict[str, type] = {
    "sign_off_removed": SignOffRemoved,
    "snapshot": SnapshotRecorded,
    "clock": ClockSet,
    "faults": FaultsSet,
    "steering": SteeringSet,
    "base": SessionBased,
    "reset": SessionReset,
    "secret": LinkKey,
}
KINDS: dict[type, str] = {
    **{change: kind for kind, (change, _) in _RECORDS.items()},
    **{change: kind for kind, change in _FIELDS.items()},
}


@dataclass(frozen=True)
class Encoded:
    kind: str
    data: str  # JSON text
    identity: str | None


def encode(event: LogEvent) -> Encoded:
    kind = KINDS[type(event)]
    payload: Any = getattr(event, kind) if kind in _RECORDS else event  # a record change's field is its kind
    return Encoded(kind, json.dumps(to_record(payload), separators=(",", ":")), identity(event))


def decode(kind: str, data: str) -> LogEvent | None:
    """The event of one row of the log (None: a kind this version does not know); a package's
    is a ``PackageLogged``."""
    if kind == "package":
        return PackageLogged(*package_key(data), data)
    if kind in _RECORDS:
        change, record = _RECORDS[kind]
        return change(from_json(record, data))  # type: ignore[no-any-return]
    event = _FIELDS.get(kind)
    return None if event is None else from_json(event, data)


def package_of(text: str) -> Package:
    """The package a ``PackageLogged`` holds."""
    return from_json(Package, text)


def identity(event: LogEvent) -> str | None:
    """What an event is the latest word on (a record, the clock, the fault set): the store keeps
    the newest event of an identity and drops the older ones, so the log holds the state, not
    its history. None: an event that is never superseded (base, reset, the link key)."""
    match event:
        case PackagePut(package=package):
            return f"package:{package.id}"
        case PeriodPut(period=period):
            return f"period:{period.id}"
        case AckPut(ack=ack):
            return f"ack:{ack.business_id}:{ack.period_start.isoformat()}:{ack.step_id}"
        case (
            SignOffPut(sign_off=SignOff(period_id=period_id, user_id=user_id, role=role))
            | SignOffRemoved(period_id=period_id, user_id=user_id, role=role)
        ):
            return f"sign_off:{period_id}:{user_id}:{role}"
        case SnapshotRecorded(period_id=period_id, snapshot=snapshot):
            return f"snapshot:{period_id}:{snapshot.day.isoformat()}"
        case ClockSet() | FaultsSet() | SteeringSet():
            return KINDS[type(event)]
    return None
