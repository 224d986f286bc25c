"""Businesses, users and tokens from a fixture file, and who may act on which business."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from mock_server.fixture_schema import FixtureFile


class FixtureError(ValueError):
    """The fixture file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Business:
    id: str
    name: str
    cfo_suite: bool


@dataclass(frozen=True)
class User:
    id: str
    email: str
    business_ids: frozenset[str]


@dataclass(frozen=True)
class Token:
    value: str
    user: User
    expires_at: datetime | None


@dataclass(frozen=True)
class FailureRule:
    """Builds matching every given field fail with ``error_message``."""

    error_message: str
    business_id: str | None = None
    period_start: str | None = None
    report: str | None = None

    def matches(self, business_id: str, period_start: str, reports: tuple[str, ...]) -> bool:
        return (
            (self.business_id is None or self.business_id == business_id)
            and (self.period_start is None or self.period_start == period_start)
            and (self.report is None or self.report in reports)
        )


@dataclass(frozen=True)
class Fixtures:
    businesses: dict[str, Business]
    tokens: dict[str, Token]
    period_months: int
    closed_months: int
    failures: tuple[FailureRule, ...]

    def business(self, business_id: str) -> Business | None:
        return self.businesses.get(business_id)


def load_fixtures(path: Path) -> Fixtures:
    """Read and check a fixture file; raise FixtureError naming the file, the place and what was expected."""
    from mock_server.fixture_schema import problems  # the schema reads the contract's report keys

    try:
        raw = yaml.safe_load(Path(path).read_text())
    except OSError as error:
        raise FixtureError(f"Cannot read fixture file {path}: {error.strerror}.") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(error, "problem", None) or str(error)
        raise FixtureError(f"Fixture file {path} is not valid YAML{where}: {what}.") from error
    checked, found = problems(raw)
    if found or checked is None:
        shown = found[:8] + ([f"... and {len(found) - 8} more"] if len(found) > 8 else [])
        raise FixtureError(f"Fixture file {path} is invalid:\n  " + "\n  ".join(shown))
    return _build(checked)


def _build(checked: FixtureFile) -> Fixtures:
    businesses = {b.id: Business(id=b.id, name=b.name, cfo_suite=b.cfo_suite) for b in checked.businesses}
    users = {u.id: User(id=u.id, email=u.email, business_ids=frozenset(u.businesses)) for u in checked.users}
    tokens = {t.token: Token(value=t.token, user=users[t.user], expires_at=_utc(t.expires_at)) for t in checked.tokens}
    failures = tuple(
        FailureRule(
            error_message=f.error_message,
            business_id=f.business_id,
            period_start=f.period_start.isoformat() if f.period_start else None,
            report=f.report.value if f.report else None,
        )
        for f in checked.failures
    )
    return Fixtures(
        businesses=businesses,
        tokens=tokens,
        period_months=checked.periods.months,
        closed_months=checked.periods.closed_months,
        failures=failures,
    )


def _utc(moment: datetime | None) -> datetime | None:
    """A fixture's date-time in UTC (one without an offset is read as UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
