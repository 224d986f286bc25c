"""Isolated sessions: parallel end-to-end workers against one mock never see each other."""

from __future__ import annotations

from datetime import date

import httpx
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.bending.sessions import Sessions, SessionState, entered
from mock_server.domain.clock import Clock
from mock_server.settings import Settings
from mock_server.testing import running_mock
from tests.conftest import ACME, advance

PACKAGES = "/api/v1/month-end-packages"
PERIODS = "/api/v1/accounting-periods"
BODY = {"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"}


def worker(name: str | None) -> dict[str, str]:
    return {**ACME, "x-mock-session": name} if name else ACME


def ids(client: TestClient, path: str, session: str | None) -> set[str]:
    return {item["id"] for item in client.get(path, headers=worker(session), params={"limit": 1000}).json()["items"]}


def test_each_session_sees_its_own_packages_and_periods_and_the_shared_state_none_of_them(client) -> None:
    one = client.post(PACKAGES, json=BODY, headers=worker("w1")).json()["package"]
    two = client.post(PACKAGES, json=BODY, headers=worker("w2")).json()["package"]
    assert one["id"] != two["id"], "sessions draw their own ids"
    assert ids(client, PACKAGES, "w1") == {one["id"]} and ids(client, PACKAGES, "w2") == {two["id"]}
    assert ids(client, PACKAGES, None) == set()
    assert client.get(f"{PACKAGES}/{one['id']}", headers=worker("w2")).status_code == 404
    period = client.post(PERIODS, json={"period_start": "2031-01-01", "period_end": "2031-01-31"}, headers=worker("w1"))
    assert period.status_code == 201
    assert period.json()["id"] in ids(client, PERIODS, "w1") and period.json()["id"] not in ids(client, PERIODS, "w2")
    assert ids(client, PERIODS, "w2") == ids(client, PERIODS, None), "a new session starts from the fixtures"


def test_clock_and_reset_are_per_session(client) -> None:
    package = client.post(PACKAGES, json=BODY, headers=worker("w1")).json()["package"]
    client.post("/__mock/clock/advance", json={"seconds": 10}, headers={"x-mock-session": "w1"}).raise_for_status()
    assert client.get(f"{PACKAGES}/{package['id']}", headers=worker("w1")).json()["status"] == "ready"
    state = {
        name: client.get("/__mock/state", headers={"x-mock-session": name} if name else {}).json()
        for name in ("w1", "w2", None)
    }
    assert state["w1"]["clock_offset_seconds"] == 10 and state["w1"]["session"] == "w1" and state["w1"]["packages"] == 1
    assert state["w2"]["clock_offset_seconds"] == 0 and state[None]["clock_offset_seconds"] == 0
    assert state[None]["session"] is None
    client.post(PACKAGES, json=BODY, headers=worker("w2"))
    client.post("/__mock/reset", headers={"x-mock-session": "w1"}).raise_for_status()
    assert ids(client, PACKAGES, "w1") == set() and len(ids(client, PACKAGES, "w2")) == 1, "reset one session only"


def test_a_session_package_downloads_through_its_presigned_url_without_the_header() -> None:
    with running_mock(Settings(clock="frozen", queue_seconds=1, build_seconds=1)) as mock:
        headers = {**mock.headers(), "x-mock-session": "e2e-7"}
        package = httpx.post(f"{mock.base_url}{PACKAGES}", json=BODY, headers=headers).json()["package"]
        httpx.post(f"{mock.base_url}/__mock/clock/advance", json={"seconds": 5}, headers={"x-mock-session": "e2e-7"})
        link = httpx.get(f"{mock.base_url}{PACKAGES}/{package['id']}/download", headers=headers).json()
        zipped = httpx.get(link["download_url"])  # a browser fetches it with no header at all
    assert zipped.status_code == 200 and len(zipped.content) == link["file_size_bytes"]


def test_a_malformed_session_name_is_a_422_on_the_header(client) -> None:
    answer = client.get(PERIODS, headers=worker("no spaces please"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["header", "x-mock-session"]


def test_the_journal_names_the_session_of_each_request(client) -> None:
    client.get(PERIODS, headers=worker("w9"))
    client.get(PERIODS, headers=ACME)
    records = client.get("/__mock/requests").json()["items"]
    assert [r.get("session") for r in records] == ["w9", None]


def test_idle_sessions_expire_and_the_least_recently_used_goes_first() -> None:
    now = [0.0]
    made: list[str | None] = []

    class Builder:
        def new_state(self, name: str | None) -> SessionState:
            made.append(name)
            # This test looks at sessions only: no ledger.
            return SessionState(ledger=None, clock=Clock(), base=date(2026, 11, 1))  # type: ignore[arg-type]

        def reset(self, name: str | None, state: SessionState) -> None:
            raise AssertionError("not called here")

    sessions = Sessions(Builder(), idle_seconds=60, max_sessions=2, wall=lambda: now[0])
    for name in ("a", "b"):
        with entered(name):
            sessions.current()
    now[0] = 30
    with entered("a"):
        sessions.current()  # a is used again
    now[0] = 50
    with entered("c"):
        sessions.current()  # over the maximum: b, the least recently used, goes
    assert sessions.names() == ["a", "c"]
    now[0] = 95
    assert sessions.names() == ["c"], "a idled 65 s, c only 45 s"
    with entered("a"):
        sessions.current()
    assert made.count("a") == 2, "an expired session starts again from the fixtures"


def test_sessions_work_in_every_generation() -> None:
    with TestClient(create_app(Settings(clock="frozen", generation="envelope"))) as client:
        created = client.post(PACKAGES, json=BODY, headers=worker("w1")).json()["data"]["package"]
        listed = client.get(PACKAGES, headers=worker("w1")).json()["data"]["items"]
        assert [p["id"] for p in listed] == [created["id"]]
        assert client.get(PACKAGES, headers=ACME).json()["data"]["items"] == []
        advance(client, 1)


def test_a_session_reset_rebuilds_the_fixtures_as_of_the_session_s_clock(client) -> None:
    session = {"x-mock-session": "w1"}
    client.post("/__mock/clock/advance", json={"seconds": 40 * 86400}, headers=session).raise_for_status()
    client.post("/__mock/reset", headers=session).raise_for_status()
    current = client.get(PERIODS, headers=worker("w1"), params={"status": "open"}).json()["items"]
    shared = client.get(PERIODS, headers=ACME, params={"status": "open"}).json()["items"]
    assert [p["period_start"] for p in current] == ["2026-12-01"] and [p["period_start"] for p in shared] == [
        "2026-11-01"
    ]
