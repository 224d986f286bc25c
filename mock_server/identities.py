"""Businesses, users and tokens from a fixture file, and who may act on which business."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from mock_server.clock import parse_instant


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
    """Read and check a fixture file; raise FixtureError with a precise message."""
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as error:
        raise FixtureError(f"Cannot read fixture file {path}: {error}") from error
    if not isinstance(raw, dict):
        raise FixtureError(f"Fixture file {path} must hold a mapping at the top.")
    try:
        return _build(raw)
    except (KeyError, TypeError, ValueError) as error:
        raise FixtureError(f"Fixture file {path} is invalid: {error!r}") from error


def _build(raw: dict[str, Any]) -> Fixtures:
    businesses = {
        str(b["id"]): Business(id=str(b["id"]), name=str(b["name"]), cfo_suite=bool(b.get("cfo_suite", True)))
        for b in raw["businesses"]
    }
    users: dict[str, User] = {}
    for u in raw["users"]:
        unknown = set(map(str, u["businesses"])) - businesses.keys()
        if unknown:
            raise ValueError(f"user {u['id']} names unknown businesses {sorted(unknown)}")
        users[str(u["id"])] = User(
            id=str(u["id"]), email=str(u.get("email", "")), business_ids=frozenset(map(str, u["businesses"]))
        )
    tokens = {}
    for t in raw["tokens"]:
        expires = t.get("expires_at")
        tokens[str(t["token"])] = Token(
            value=str(t["token"]),
            user=users[str(t["user"])],
            expires_at=parse_instant(str(expires)) if expires else None,
        )
    periods = raw.get("periods", {}) or {}
    failures = tuple(
        FailureRule(
            error_message=str(f["error_message"]),
            business_id=f.get("business_id"),
            period_start=str(f["period_start"]) if f.get("period_start") else None,
            report=f.get("report"),
        )
        for f in raw.get("failures", []) or []
    )
    return Fixtures(
        businesses=businesses,
        tokens=tokens,
        period_months=int(periods.get("months", 24)),
        closed_months=int(periods.get("closed_months", 3)),
        failures=failures,
    )
