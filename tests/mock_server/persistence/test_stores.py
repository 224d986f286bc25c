"""Stores: state that survives a restart, processes that answer as one mock, no lost 201s."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.domain.close_records import ChecklistAck, ScoreSnapshot, SignOff
from mock_server.domain.lifecycle import Timeline
from mock_server.domain.packages import Package
from mock_server.persistence import StoreError, open_log
from mock_server.persistence.records import from_record, to_record
from mock_server.settings import Settings
from mock_server.testing import ACME_ID, server_process
from tests.conftest import ACME
from tests.postgres import fresh_database

EXE = Path(sys.executable).with_name("dayzero-mock")
PACKAGES = "/api/v1/month-end-packages"
PERIODS = "/api/v1/accounting-periods"
BODY = {"selected_reports": ["pl", "balance_sheet"], "period_start": "2026-10-01", "period_end": "2026-10-31"}


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store that several processes can share."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mock.db'}"
    else:
        with fresh_database(request.getfixturevalue("postgres_cluster_url")) as url:
            yield url


def test_records_round_trip_through_json() -> None:
    package = Package(
        id="p1",
        business_id=ACME_ID,
        accounting_period_id=None,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        report_format="xlsx",
        selected_reports=("pl", "cash_flow"),
        workflow_id="month-end-package-p1",
        requested_by_user_id="u1",
        timeline=Timeline(created_at=1.5, queue_seconds=2.0, build_seconds=3.0, fails=True),
        error_message="boom",
    )
    ack = ChecklistAck("a1", ACME_ID, date(2026, 10, 1), "bank", None, "u1", 1.0, 2.0)
    sign_off = SignOff("s1", "p1", ACME_ID, "u1", "preparer", "ok", 61.5, 1.0, 2.0)
    snapshot = ScoreSnapshot(date(2026, 11, 2), 80.0, {"checklist": 40.0, "sign_offs": 40.0})
    for record in (package, ack, sign_off, snapshot):
        assert from_record(type(record), to_record(record)) == record
    assert "_json_by_status" not in to_record(package)


def _settings(store: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"clock": "frozen", "queue_seconds": 2, "build_seconds": 3, "store": store}
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


def test_everything_survives_a_restart(shared_store: str) -> None:
    with TestClient(create_app(_settings(shared_store)), base_url="http://127.0.0.1:4010") as first:
        package = first.post(PACKAGES, json=BODY, headers=ACME).json()["package"]
        period = first.get(PERIODS, headers=ACME, params={"status": "open"}).json()["items"][0]
        step = f"{PERIODS}/{period['id']}/checklist-acks/bank_reconciliation"
        first.put(step, json={"notes": "tied out"}, headers=ACME).raise_for_status()
        first.post(f"{PERIODS}/{period['id']}/sign-offs", json={"role": "preparer"}, headers=ACME).raise_for_status()
        # Acks and sign-offs before the close: a closed period refuses them (README, ours).
        first.post(f"{PERIODS}/close", json={"period_end": period["period_end"]}, headers=ACME).raise_for_status()
        first.post("/__mock/clock/advance", json={"seconds": 3}).raise_for_status()
        first.put("/__mock/faults", json={"active": ["wrong-file-size"]}).raise_for_status()
        first.put("/__mock/steering", json={"chaos": 0.0, "latency_ms": {"min": 1, "max": 2}}).raise_for_status()
        session = {**ACME, "x-mock-session": "w1"}
        in_session = first.post(PACKAGES, json=BODY, headers=session).json()["package"]["id"]
        score = first.get(f"{PERIODS}/{period['id']}/close-score", headers=ACME).json()

    with TestClient(create_app(_settings(shared_store)), base_url="http://127.0.0.1:4010") as again:
        assert again.get("/__mock/state").json()["clock_offset_seconds"] == 3
        assert again.get(f"{PACKAGES}/{package['id']}", headers=ACME).json()["status"] == "in_progress"
        again.post("/__mock/clock/advance", json={"seconds": 10}).raise_for_status()
        assert again.get(f"{PACKAGES}/{package['id']}", headers=ACME).json()["status"] == "ready"  # it goes on
        assert again.get(f"{PERIODS}/{period['id']}", headers=ACME).json()["status"] == "closed"
        acks = again.get(f"{PERIODS}/{period['id']}/checklist-acks", headers=ACME).json()["items"]
        assert any(a["step_id"] == "bank_reconciliation" and a["notes"] == "tied out" for a in acks)
        assert again.get(f"{PERIODS}/{period['id']}/close-score", headers=ACME).json()["score"] == score["score"]
        assert again.get("/__mock/faults").json()["active"] == ["wrong-file-size"]
        assert again.get("/__mock/steering").json()["latency_ms"] == {"min": 1, "max": 2}
        assert [p["id"] for p in again.get(PACKAGES, headers=session).json()["items"]] == [in_session]
        assert [p["id"] for p in again.get(PACKAGES, headers=ACME).json()["items"]] == [package["id"]]


def test_a_reset_survives_a_restart_and_lets_the_log_forget_the_rest(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'mock.db'}"
    with TestClient(create_app(_settings(store))) as first:
        for _ in range(3):
            first.post(PACKAGES, json=BODY, headers=ACME).raise_for_status()
        first.post("/__mock/clock/advance", json={"seconds": 5}).raise_for_status()
        first.post("/__mock/reset").raise_for_status()
    with TestClient(create_app(_settings(store))) as again:
        assert again.get(PACKAGES, headers=ACME).json()["items"] == []
        assert again.get("/__mock/state").json()["clock_offset_seconds"] == 5  # a reset keeps the clock
    kinds = [row[0] for row in sqlite3.connect(tmp_path / "mock.db").execute("SELECT kind FROM events")]
    assert kinds == ["secret", "reset"]  # the links key stays; the packages and clock moves are forgotten


def test_bad_store_urls_and_a_newer_schema_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="--store must be"):
        open_log("mysql://x")
    db = tmp_path / "mock.db"
    open_log(f"sqlite:///{db}").close()
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="schema version 99"):
        open_log(f"sqlite:///{db}")
    refused = subprocess.run([str(EXE), "serve", "--workers", "2"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "needs a shared store" in refused.stderr
    bad = subprocess.run([str(EXE), "serve", "--store", "redis://x"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--store must be" in bad.stderr and "Traceback" not in bad.stderr


# -- real processes ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(store: str, *extra: str, port: int | None = None) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``dayzero-mock serve`` in its own process; stopped (its whole group) on exit."""
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(EXE), "serve", "--port", str(port), "--store", store, "--queue-seconds", "2", "--build-seconds", "3"]
    with server_process([*command, *extra], f"{url}/__mock/state", startup_timeout=30) as (process, _):
        yield url, process


def test_two_mock_processes_on_one_store_answer_as_one(shared_store: str) -> None:
    with serving(shared_store) as (one, _), serving(shared_store) as (two, _):
        created = httpx.post(f"{one}{PACKAGES}", json=BODY, headers=ACME).json()["package"]
        # Read your writes on the other process: poll, then download there.
        assert httpx.get(f"{two}{PACKAGES}/{created['id']}", headers=ACME).json()["status"] == "queued"
        httpx.post(f"{one}/__mock/clock/advance", json={"seconds": 10}).raise_for_status()
        assert httpx.get(f"{two}{PACKAGES}/{created['id']}", headers=ACME).json()["status"] == "ready"
        link = httpx.get(f"{two}{PACKAGES}/{created['id']}/download", headers=ACME).json()
        assert len(httpx.get(link["download_url"].replace(two, one)).content) == link["file_size_bytes"]
        # A period closed on one is closed on the other; faults switched on one are on on the other.
        period = httpx.get(f"{two}{PERIODS}", headers=ACME, params={"status": "open"}).json()["items"][0]
        closed = httpx.post(f"{two}{PERIODS}/close", json={"period_end": period["period_end"]}, headers=ACME)
        assert closed.status_code == 201
        assert httpx.get(f"{one}{PERIODS}/{period['id']}", headers=ACME).json()["status"] == "closed"
        httpx.put(f"{two}/__mock/faults", json={"active": ["has-next-on-last-page"]}).raise_for_status()
        assert httpx.get(f"{one}/__mock/faults").json()["active"] == ["has-next-on-last-page"]
        # A named session's presigned link works on the other process (the link names its session).
        worker = {**ACME, "x-mock-session": "w7"}
        in_session = httpx.post(f"{one}{PACKAGES}", json=BODY, headers=worker).json()["package"]["id"]
        httpx.post(f"{one}/__mock/clock/advance", json={"seconds": 10}, headers=worker).raise_for_status()
        session_link = httpx.get(f"{one}{PACKAGES}/{in_session}/download", headers=worker).json()
        fetched = httpx.get(session_link["download_url"].replace(one, two))
        assert fetched.status_code == 200 and len(fetched.content) == session_link["file_size_bytes"]
        tampered = session_link["download_url"].replace(one, two).replace("x-mock-session=w7", "x-mock-session=w8")
        assert httpx.get(tampered).status_code == 403
        # Reset on two: gone on one; the clock is shared too.
        httpx.post(f"{two}/__mock/reset").raise_for_status()
        assert httpx.get(f"{one}{PACKAGES}/{created['id']}", headers=ACME).status_code == 404
        assert httpx.get(f"{one}/__mock/state").json()["clock_offset_seconds"] >= 10


def test_two_workers_share_one_sqlite_store(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'mock.db'}"
    with serving(store, "--workers", "2") as (url, process):
        children = _children(process.pid)
        assert len(children) == 2, children
        with httpx.Client(base_url=url, headers=ACME) as client:
            ids = {client.post(PACKAGES, json=BODY).json()["package"]["id"] for _ in range(20)}
            for _ in range(10):  # whichever worker answers, it sees all twenty
                listed = client.get(PACKAGES, params={"limit": 50}).json()["items"]
                assert {p["id"] for p in listed} == ids


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        command = (stat.parent / "cmdline").read_bytes().decode(errors="replace")
        # Workers are spawned processes; multiprocessing's resource tracker is a child too.
        if int(fields[1]) == pid and "spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("store_kind", ["sqlite", "postgresql"])
def test_kill_9_in_the_middle_of_a_create_load_loses_no_package_whose_201_was_sent(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with _store(store_kind, tmp_path, request) as store:
        port = _free_port()
        confirmed: list[str] = []
        stop = threading.Event()

        def create_until_stopped(url: str) -> None:
            with httpx.Client(base_url=url, headers=ACME, timeout=5) as client:
                while not stop.is_set():
                    try:
                        response = client.post(PACKAGES, json=BODY)
                    except httpx.HTTPError:
                        return  # the server died under this request: no 201 was received
                    if response.status_code == 201:
                        confirmed.append(response.json()["package"]["id"])

        with serving(store, port=port) as (url, process):
            workers = [threading.Thread(target=create_until_stopped, args=(url,)) for _ in range(4)]
            for worker in workers:
                worker.start()
            while len(confirmed) < 40:
                time.sleep(0.01)
            os.killpg(process.pid, signal.SIGKILL)  # mid-load: requests are in flight
            process.wait(timeout=10)
            stop.set()
            for worker in workers:
                worker.join(timeout=10)
        assert len(confirmed) >= 40

        with serving(store, port=port) as (url, _), httpx.Client(base_url=url, headers=ACME) as client:
            for package_id in confirmed:
                assert client.get(f"{PACKAGES}/{package_id}").status_code == 200, package_id
            client.post("/__mock/clock/advance", json={"seconds": 10}).raise_for_status()
            statuses = {client.get(f"{PACKAGES}/{package_id}").json()["status"] for package_id in confirmed}
            assert statuses == {"ready"}  # their lifecycle goes on after the restart


@contextmanager
def _store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'mock.db'}"
    else:
        with fresh_database(request.getfixturevalue("postgres_cluster_url")) as url:
            yield url


def test_the_first_process_s_link_key_is_every_process_s(tmp_path: Path) -> None:
    """Download links and cursors are signed with the key the store keeps, whatever
    --signing-key a later replica was started with."""
    store = f"sqlite:///{tmp_path / 'mock.db'}"
    first = TestClient(create_app(_settings(store, signing_key="first")), base_url="http://127.0.0.1:4010")
    later = TestClient(create_app(_settings(store, signing_key="later")), base_url="http://127.0.0.1:4010")
    package = first.post(PACKAGES, json=BODY, headers=ACME).json()["package"]["id"]
    first.post("/__mock/clock/advance", json={"seconds": 10}).raise_for_status()
    link = first.get(f"{PACKAGES}/{package}/download", headers=ACME).json()["download_url"]
    assert later.get(link).status_code == 200
    page = first.get(PERIODS, headers=ACME, params={"limit": 2}).json()
    assert later.get(PERIODS, headers=ACME, params={"limit": 2, "cursor": page["next_cursor"]}).status_code == 200


def test_the_kit_finds_two_workers_on_one_store_conforming(tmp_path: Path) -> None:
    """The whole smoke tier, with its creates, polls, walks and downloads landing on either worker."""
    from conformance import Identity, KitSettings, run_conformance
    from mock_server.testing import GLOBEX_ID

    store = f"sqlite:///{tmp_path / 'mock.db'}"
    with serving(store, "--workers", "2", "--queue-seconds", "0.2", "--build-seconds", "0.3") as (url, _):
        run = run_conformance(
            KitSettings(
                base_url=url,
                identity=Identity("dz_demo_acme", ACME_ID),
                other=Identity("dz_demo_globex", GLOBEX_ID),
                ready_timeout=20.0,
            )
        )
    failed = {r.check.id: [f.message for f in r.findings] for r in run.failed()}
    assert failed == {} and run.exit_code == 0
