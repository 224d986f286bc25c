"""Accounting periods: one per month per business, made from a fixed seed.

Old months are locked, the few before the current one closed, the current one open. Close,
lock and reopen fields are filled so that they tell one consistent story per period.
"""

from __future__ import annotations

import calendar
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

from faker import Faker

from mock_server.domain.identities import Business
from mock_server.domain.ids import uuid4_from
from mock_server.domain.timestamps import iso_instant

LOCK_REASONS = (
    "Month-end close completed and reviewed",
    "Locked after external audit sign-off",
    "Historical migration - bulk locked",
)
REOPEN_REASONS = (
    "Late vendor invoice needed accrual",
    "Bank feed correction for duplicated transactions",
    "Reclassification requested by the auditor",
    "Payroll journal posted to the wrong month",
)


@dataclass(frozen=True)
class Period:
    id: str
    business_id: str
    period_start: date
    period_end: date
    status: str
    closed_at: float | None
    closed_by_user_id: str | None
    lock_reason: str | None
    reopen_reason: str | None
    reopened_at: float | None
    reopened_by_user_id: str | None
    created_at: float
    updated_at: float

    @cached_property
    def json_text(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "business_id": self.business_id,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "status": self.status,
            "closed_at": iso_instant(self.closed_at),
            "closed_by_user_id": self.closed_by_user_id,
            "lock_reason": self.lock_reason,
            "reopen_reason": self.reopen_reason,
            "reopened_at": iso_instant(self.reopened_at),
            "reopened_by_user_id": self.reopened_by_user_id,
            "created_at": iso_instant(self.created_at),
            "updated_at": iso_instant(self.updated_at),
        }

    def sort_value(self, column: str) -> Any:
        if column in ("period_start", "period_end"):
            return getattr(self, column).isoformat()
        return getattr(self, column)


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _at(day: date, hour: int, minute: int) -> float:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC).timestamp()


def make_periods(
    business: Business, user_ids: list[str], *, today: date, months: int, closed_months: int, seed: int
) -> list[Period]:
    """The business's periods, oldest first; identical for the same inputs.

    Nothing in them is later than the start of ``today`` (UTC): whatever the day of the month,
    the history the mock starts with has happened already.
    """
    cutoff = _at(today, 0, 0)
    rng = random.Random(f"{seed}:{business.id}:periods")
    fake = Faker()
    fake.seed_instance(rng.randrange(2**32))
    periods = []
    for back in range(months - 1, -1, -1):
        start = _month_start(today, back)
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        status = "open" if back == 0 else "closed" if back <= closed_months else "locked"
        created = _at(start, 8, rng.randrange(60)) - 86400 * rng.randrange(1, 5)
        period_id = uuid4_from(rng)
        closer = rng.choice(user_ids) if user_ids else None
        closed_at = reopen_reason = reopened_at = reopener = lock_reason = None
        if status != "open":
            closed_at = _at(end + timedelta(days=rng.randrange(3, 12)), rng.randrange(9, 18), rng.randrange(60))
            lock_reason = rng.choice(LOCK_REASONS) if status == "locked" else "Month-end close completed"
            if rng.random() < 0.25:
                # Closed, reopened for a fix, closed again: the final close comes after the reopen.
                reopened_at = closed_at + 86400 * rng.randrange(1, 4)
                reopen_reason = f"{rng.choice(REOPEN_REASONS)}: {fake.sentence(nb_words=6).rstrip('.')}"
                reopener = rng.choice(user_ids) if user_ids else None
                closed_at = reopened_at + 3600 * rng.randrange(2, 30)
            if closed_at >= cutoff:
                # Early in a month the usual close (3-11 days after the end) has not happened yet:
                # this one closed sooner, on the last day or the days since, with no reopen story.
                closed_at = max(cutoff - 3600 * (1 + int(closed_at // 60) % 6), _at(end, 12, 0))
                reopened_at = reopen_reason = reopener = None
        events = [t for t in (created, closed_at, reopened_at) if t is not None]
        periods.append(
            Period(
                id=period_id,
                business_id=business.id,
                period_start=start,
                period_end=end,
                status=status,
                closed_at=closed_at,
                closed_by_user_id=closer if closed_at else None,
                lock_reason=lock_reason,
                reopen_reason=reopen_reason,
                reopened_at=reopened_at,
                reopened_by_user_id=reopener,
                created_at=created,
                updated_at=max(events),
            )
        )
    return periods
