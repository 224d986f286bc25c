"""Accounting periods per business, with what the close workflow records about each."""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable
from datetime import date
from typing import Any

from mock_server.domain.changes import AckPut, PeriodPut, SignOffPut, SignOffRemoved, Sink, SnapshotRecorded, nowhere
from mock_server.domain.close_records import ChecklistAck, ScoreSnapshot, SignOff
from mock_server.domain.periods import Period


class PeriodStore:
    """Periods by id and, per business, in period_start order; acks, sign-offs and score history."""

    def __init__(self) -> None:
        self._by_id: dict[str, Period] = {}
        self._by_business: dict[str, list[tuple[date, str]]] = {}
        # Acks are keyed by the period's start date, not its id (documented).
        self._acks: dict[tuple[str, date], dict[str, ChecklistAck]] = {}
        self._sign_offs: dict[str, dict[tuple[str, str], SignOff]] = {}
        self._history: dict[str, dict[date, ScoreSnapshot]] = {}
        self._sink: Sink = nowhere  # told of every change (domain/changes.py)
        # A fork shares the inner tables of the store it was made from until it writes to one.
        self._forked = False
        self._owned: set[tuple[str, Any]] = set()

    def send_changes_to(self, sink: Sink) -> None:
        self._sink = sink

    def fork(self) -> PeriodStore:
        """A store that starts as this one and shares its records and tables, copying a table
        (a business's period list, a period's acks, sign-offs or score history) only when it
        first writes to it: sessions cost what they change. Fork only a store nobody writes to
        any more (the fixtures' store of a day: period_fixtures.shared_fixture_period_store)."""
        other = PeriodStore()
        other._by_id = dict(self._by_id)
        other._by_business = dict(self._by_business)
        other._acks = dict(self._acks)
        other._sign_offs = dict(self._sign_offs)
        other._history = dict(self._history)
        other._forked = True
        return other

    def _writable(self, name: str, key: Any, empty: Callable[[], Any]) -> Any:
        """``self.<name>[key]``, this store's own (a shared one is copied on first write)."""
        table = getattr(self, name)
        inner = table.get(key)
        if inner is None:
            inner = table[key] = empty()
        elif self._forked and (name, key) not in self._owned:
            inner = table[key] = inner.copy()
        else:
            return inner
        if self._forked:
            self._owned.add((name, key))
        return inner

    # -- periods -----------------------------------------------------------------------------

    def add(self, period: Period) -> None:
        self._by_id[period.id] = period
        insort(self._writable("_by_business", period.business_id, list), (period.period_start, period.id))
        self._sink(PeriodPut(period))

    def replace(self, period: Period) -> None:
        """Store a new version of a period already in the store (its dates never change)."""
        self._by_id[period.id] = period
        self._sink(PeriodPut(period))

    def put(self, period: Period) -> None:
        """Add the period, or store its new version (applying the log)."""
        if period.id in self._by_id:
            self.replace(period)
        else:
            self.add(period)

    def get(self, business_id: str, period_id: str) -> Period | None:
        """The period, or None when unknown or owned by another business."""
        period = self._by_id.get(period_id)
        return period if period is not None and period.business_id == business_id else None

    def find(self, period_id: str) -> Period | None:
        """The period with this id, whichever business owns it."""
        return self._by_id.get(period_id)

    def of_business(self, business_id: str) -> list[Period]:
        """The business's periods, oldest first."""
        return [self._by_id[period_id] for _, period_id in self._by_business.get(business_id, [])]

    def overlapping(self, business_id: str, start: date, end: date) -> Period | None:
        """A period of the business sharing at least one day with [start, end], if any."""
        return next((p for p in self.of_business(business_id) if p.period_start <= end and start <= p.period_end), None)

    def ending_on(self, business_id: str, end: date) -> Period | None:
        return next((p for p in self.of_business(business_id) if p.period_end == end), None)

    # -- close records -----------------------------------------------------------------------

    def acks(self, period: Period) -> dict[str, ChecklistAck]:
        """The period's checklist acks by step id, in the order they were first written."""
        return self._acks.get((period.business_id, period.period_start), {})

    def put_ack(self, ack: ChecklistAck) -> None:
        self._writable("_acks", (ack.business_id, ack.period_start), dict)[ack.step_id] = ack
        self._sink(AckPut(ack))

    def sign_offs(self, period_id: str) -> dict[tuple[str, str], SignOff]:
        """The period's sign-offs by (user_id, role)."""
        return self._sign_offs.get(period_id, {})

    def put_sign_off(self, sign_off: SignOff) -> None:
        self._writable("_sign_offs", sign_off.period_id, dict)[(sign_off.user_id, sign_off.role)] = sign_off
        self._sink(SignOffPut(sign_off))

    def remove_sign_off(self, period_id: str, user_id: str, role: str) -> SignOff | None:
        if (user_id, role) not in self._sign_offs.get(period_id, {}):
            return None
        removed = self._writable("_sign_offs", period_id, dict).pop((user_id, role))
        if removed is not None:
            self._sink(SignOffRemoved(period_id, user_id, role))
        return removed

    def history(self, period_id: str) -> list[ScoreSnapshot]:
        """The period's daily score snapshots, oldest first."""
        return sorted(self._history.get(period_id, {}).values(), key=lambda snapshot: snapshot.day)

    def record_snapshot(self, period_id: str, snapshot: ScoreSnapshot) -> None:
        """Keep the day's snapshot (one per UTC day: the day's last computation)."""
        if self._history.get(period_id, {}).get(snapshot.day) != snapshot:
            self._writable("_history", period_id, dict)[snapshot.day] = snapshot
            self._sink(SnapshotRecorded(period_id, snapshot))
