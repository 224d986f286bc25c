"""Steering a frontend developer asks for: Prefer code and delay, latency and chaos, in the journal."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.bending.steering import parse_latency
from mock_server.cli import settings_from_args
from mock_server.settings import Settings
from tests.conftest import ACME, advance, create

PERIODS = "/api/v1/accounting-periods"
PACKAGES = "/api/v1/month-end-packages"


def steered(client: TestClient, prefer: str, path: str = f"{PACKAGES}/some-id") -> object:
    return client.get(path, headers={**ACME, "Prefer": prefer})


def test_prefer_code_answers_a_declared_status_with_the_contract_s_own_body(client) -> None:
    missing = steered(client, "code=404")
    assert missing.status_code == 404 and missing.json() == {"detail": "Resource not found"}
    unauthenticated = steered(client, "code=401")
    assert unauthenticated.status_code == 401 and unauthenticated.headers["www-authenticate"] == "Bearer"
    invalid = steered(client, "code=422")
    [entry] = invalid.json()["detail"]
    assert invalid.status_code == 422 and entry["type"] == "value_error" and entry["loc"] == ["body"]
    listed = client.get(PERIODS, headers={**ACME, "Prefer": "code=200"})
    assert listed.status_code == 200 and listed.json()["items"], "a declared success runs as usual"


def test_prefer_code_outside_the_operation_s_statuses_is_a_400_listing_those_it_may_force(client) -> None:
    refused = client.get(PERIODS, headers={**ACME, "Prefer": "code=404"})
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "Prefer: code=404 is not a status this operation declares; it may force: 401, 403, 422"
    }


def test_prefer_outcome_and_code_combine_with_other_preferences(client) -> None:
    package = create(client, headers={**ACME, "Prefer": "outcome=failed; delay=0"}).json()["package"]
    assert package["status"] == "queued"
    advance(client, 10)
    assert client.get(f"{PACKAGES}/{package['id']}", headers=ACME).json()["status"] == "failed"
    assert client.get(f"{PACKAGES}/{package['id']}", headers={**ACME, "Prefer": "delay=0, code=403"}).status_code == 403


def test_prefer_delay_waits_before_answering(client) -> None:
    started = time.perf_counter()
    assert steered(client, "delay=250", PERIODS).status_code == 200
    assert time.perf_counter() - started >= 0.25


def test_latency_and_chaos_change_at_run_time_and_show_in_the_journal(client) -> None:
    assert client.get("/__mock/steering").json() == {"latency_ms": None, "chaos": 0.0}
    assert client.put("/__mock/steering", json={"chaos": 1}).json()["chaos"] == 1
    answers = [client.get(PERIODS, headers=ACME) for _ in range(12)]
    assert {a.status_code for a in answers} <= {429, 500, 503} and len({a.status_code for a in answers}) > 1
    assert all(a.headers["retry-after"] == "1" for a in answers if a.status_code == 429)
    assert all(set(a.json()) == {"detail"} for a in answers)
    assert client.get("/__mock/state").status_code == 200, "the control API is never steered"
    client.put("/__mock/steering", json={"chaos": 0, "latency_ms": {"min": 120, "max": 120}})
    started = time.perf_counter()
    assert client.get(PERIODS, headers=ACME).status_code == 200
    assert time.perf_counter() - started >= 0.12
    records = client.get("/__mock/requests").json()["items"]
    assert records[0]["steering"]["chaos"] in (429, 500, 503) and records[-1]["steering"] == {"latency_ms": 120}
    assert client.put("/__mock/steering", json={"latency_ms": None}).json() == {"latency_ms": None, "chaos": 0.0}
    assert client.put("/__mock/steering", json={"chaos": 1.5}).status_code == 422
    assert client.put("/__mock/steering", json={"latency_ms": {"min": 9, "max": 1}}).status_code == 422


def test_the_same_seed_draws_the_same_latencies() -> None:
    def draws() -> list[int]:
        settings = Settings(clock="frozen", latency_ms=(1, 5))
        with TestClient(create_app(settings)) as client:
            for _ in range(5):
                client.get(PERIODS, headers=ACME)
            return [r["steering"]["latency_ms"] for r in client.get("/__mock/requests").json()["items"]]

    assert draws() == draws()


def test_latency_and_chaos_come_from_flags_or_environment() -> None:
    settings, _ = settings_from_args(["serve", "--latency", "50..400", "--chaos", "0.05"], env={})
    assert (settings.latency_ms, settings.chaos) == ((50, 400), 0.05)
    settings, _ = settings_from_args(["serve"], env={"DAYZERO_MOCK_LATENCY": "120", "DAYZERO_MOCK_CHAOS": "0.5"})
    assert (settings.latency_ms, settings.chaos) == ((120, 120), 0.5)
    assert parse_latency("") is None and parse_latency("0") is None
    for bad in ("400..50", "fast", "1..999999"):
        with pytest.raises(ValueError):
            parse_latency(bad)
    with pytest.raises(ValueError):
        Settings(chaos=2)
