"""The log holds the state, not its history: an event supersedes the older ones about the same
thing (a period closed and reopened, an ack written again, the clock moved, a sign-off given
and taken back), so the store's size follows the state, and a restart replays only that.
(The 100k-package restart is timed by benchmarks/restart.py.)"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.settings import Settings
from tests.conftest import ACME
from tests.postgres import fresh_database

PERIODS = "/api/v1/accounting-periods"
PACKAGES = "/api/v1/month-end-packages"
BODY = {"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"}


def _churn(client: TestClient) -> dict:
    periods = client.get(PERIODS, params={"limit": 100}, headers=ACME).json()["items"]
    current = next(p for p in reversed(periods) if p["status"] == "open")
    closed = next(p for p in reversed(periods) if p["status"] == "closed")
    for day in range(10):
        client.put(
            f"{PERIODS}/{current['id']}/checklist-acks/trial_balance_review", json={"notes": f"day {day}"}, headers=ACME
        ).raise_for_status()
        assert (
            client.post(f"{PERIODS}/{current['id']}/sign-offs", json={"role": "preparer"}, headers=ACME).status_code
            == 201
        )
        client.request("DELETE", f"{PERIODS}/{current['id']}/sign-offs", params={"role": "preparer"}, headers=ACME)
        client.post(f"{PERIODS}/{closed['id']}/reopen", json={"reopen_reason": "late"}, headers=ACME).raise_for_status()
        client.post(f"{PERIODS}/close", json={"period_end": closed["period_end"]}, headers=ACME).raise_for_status()
        client.post("/__mock/clock/advance", json={"seconds": 60}).raise_for_status()
    package = client.post(PACKAGES, json=BODY, headers=ACME).json()["package"]
    return {
        "current": current["id"],
        "acks": client.get(f"{PERIODS}/{current['id']}/checklist-acks", headers=ACME).json(),
        "closed": client.get(f"{PERIODS}/{closed['id']}", headers=ACME).json(),
        "sign_offs": client.get(f"{PERIODS}/{current['id']}/close-score", headers=ACME).json(),
        "packages": [p["id"] for p in client.get(PACKAGES, headers=ACME).json()["items"]],
        "package": package["id"],
        "clock": client.get("/__mock/state").json()["clock_offset_seconds"],
    }


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_record_changed_many_times_is_one_event_and_a_restart_sees_its_last_state(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "sqlite":
        store = f"sqlite:///{tmp_path / 'mock.db'}"
        _run(
            store,
            lambda: Counter(r[0] for r in sqlite3.connect(tmp_path / "mock.db").execute("SELECT kind FROM events")),
        )
    else:
        import psycopg

        with fresh_database(request.getfixturevalue("postgres_cluster_url")) as store:

            def kinds() -> Counter:
                with psycopg.connect(store) as db:
                    return Counter(r[0] for r in db.execute("SELECT kind FROM dayzero_mock_events"))

            _run(store, kinds)


def _run(store: str, kinds) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(store=store, clock="frozen")
    with TestClient(create_app(settings), base_url="http://127.0.0.1:4010") as first:
        before = _churn(first)
    counted = kinds()
    # 10 acks, 10 sign-offs given and taken back, 20 period changes, 10 clock moves: one each.
    assert counted["ack"] == 1 and counted["clock"] == 1 and counted["period"] == 1
    assert counted["sign_off"] + counted["sign_off_removed"] == 1
    assert counted["package"] == 1
    with TestClient(create_app(settings), base_url="http://127.0.0.1:4010") as again:
        assert again.get(f"{PERIODS}/{before['closed']['id']}", headers=ACME).json() == before["closed"]
        assert again.get(f"{PERIODS}/{before['current']}/checklist-acks", headers=ACME).json() == before["acks"]
        assert again.get(f"{PERIODS}/{before['current']}/close-score", headers=ACME).json() == before["sign_offs"]
        assert [p["id"] for p in again.get(PACKAGES, headers=ACME).json()["items"]] == before["packages"]
        assert again.get("/__mock/state").json()["clock_offset_seconds"] == before["clock"] == 600
