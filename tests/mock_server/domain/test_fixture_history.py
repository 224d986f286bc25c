"""The history the mock starts with never lies in the future, on any day of the month (``--now``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.cli import settings_from_args
from mock_server.domain.clock import parse_instant
from mock_server.settings import Settings
from mock_server.testing import ACME_ID, GLOBEX_ID

PERIODS = "/api/v1/accounting-periods"
# The 1st (the previous month not closed the usual way yet), the 5th, the 11th, the 28th, and
# the turns of a year and of a leap February.
MOMENTS = [
    "2026-12-01T09:00:00Z",
    "2026-12-01T00:00:30Z",
    "2026-12-05T12:00:00Z",
    "2026-12-11T08:00:00Z",
    "2026-12-28T17:00:00Z",
    "2026-12-31T23:59:00Z",
    "2027-01-01T00:05:00Z",
    "2028-03-01T06:00:00Z",
]
INSTANT_FIELDS = ("closed_at", "reopened_at", "created_at", "updated_at")


def _later_than(moment: datetime, body: object, where: str = "") -> list[str]:
    """Every date-time (or date) inside ``body`` that is after ``moment``."""
    found = []
    if isinstance(body, dict):
        for key, value in body.items():
            found += _later_than(moment, value, f"{where}.{key}")
    elif isinstance(body, list):
        for index, value in enumerate(body):
            found += _later_than(moment, value, f"{where}[{index}]")
    elif isinstance(body, str) and len(body) >= 10 and body[4:5] == "-" and body[7:8] == "-":
        try:
            value = parse_instant(body) if "T" in body else None
        except ValueError:
            return found
        if value is not None and value > moment:
            found.append(f"{where}={body}")
    return found


@pytest.mark.parametrize("now", MOMENTS)
@pytest.mark.parametrize("business_id", [ACME_ID, GLOBEX_ID])
def test_nothing_seeded_is_later_than_the_mock_clock(now: str, business_id: str) -> None:
    moment = parse_instant(now)
    headers = {"Authorization": "Bearer dz_demo_admin", "x-business-id": business_id}
    with TestClient(create_app(Settings(clock="frozen", now=now))) as client:
        assert client.get("/__mock/state").json()["now"].startswith(now[:19])
        periods = client.get(PERIODS, params={"limit": 100}, headers=headers).json()["items"]
        assert len(periods) == 24
        current = max(periods, key=lambda p: p["period_start"])
        assert current["status"] == "open" and current["period_start"] == f"{now[:7]}-01"
        future = _later_than(moment, periods)
        for period in periods:
            if period["status"] == "open":
                continue
            assert period["closed_at"] >= period["period_end"], "a period closes after it ends, or on its last day"
            acks = client.get(f"{PERIODS}/{period['id']}/checklist-acks", headers=headers).json()
            score = client.get(f"{PERIODS}/{period['id']}/close-score", headers=headers).json()
            history = client.get(f"{PERIODS}/{period['id']}/score-history", headers=headers).json()
            future += _later_than(moment, acks, f"acks {period['period_start']}")
            future += _later_than(moment, score["sign_offs"], f"sign-offs {period['period_start']}")
            assert all(item["date"] <= now[:10] for item in history["items"]), history
    assert future == []


def test_now_starts_a_real_clock_there_and_it_runs_on() -> None:
    settings, _ = settings_from_args(["serve", "--now", "2026-12-01T09:00:00Z"], env={})
    assert settings.now == "2026-12-01T09:00:00Z" and settings.clock == "real"
    with TestClient(create_app(settings)) as client:
        now = parse_instant(client.get("/__mock/state").json()["now"])
    assert abs((now - datetime(2026, 12, 1, 9, tzinfo=UTC)).total_seconds()) < 5
    from_env, _ = settings_from_args(["serve"], env={"DAYZERO_MOCK_NOW": "2027-01-01T00:00:00Z"})
    assert from_env.now == "2027-01-01T00:00:00Z"
