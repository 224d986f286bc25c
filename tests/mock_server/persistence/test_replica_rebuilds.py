"""A replica rebuilt from the log while other requests are in flight keeps every change whose
2xx went out. The store's calls are held at chosen points (a gate in a wrapper around the
SQLite log), so each interleaving below happens every run, as it did by chance in
test_store_outages.py's PostgreSQL restart under load."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mock_server import runtime
from mock_server.app import create_app
from mock_server.persistence import open_log
from mock_server.persistence.base import StoreError
from mock_server.settings import Settings
from tests.conftest import ACME

PACKAGES = "/api/v1/month-end-packages"
BODY = {"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"}
WAIT = 10.0  # seconds a gate waits for the test (a hang fails instead of blocking the suite)


class Gate:
    """Holds one call to the store until the test releases it (then it goes on, or fails)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self._released = threading.Event()
        self._fail = False

    def release(self, *, fail: bool = False) -> None:
        self._fail = fail
        self._released.set()

    def hold(self) -> None:
        self.entered.set()
        assert self._released.wait(WAIT), "the test never released the gate"
        if self._fail:
            raise StoreError("the database went away")

    def wait_entered(self) -> None:
        assert self.entered.wait(WAIT), "no request reached the store"


class GatedLog:
    """The store (or the reader's connection): the next calls of ``append`` or ``head`` wait
    at the gates the test put there, in order."""

    def __init__(self, log: Any) -> None:
        self._log = log
        self._gates: dict[str, list[Gate]] = {"append": [], "head": [], "events_after": []}
        self.heads = 0  # calls of head(): one per read that brings the replica up to date

    def gate(self, call: str) -> Gate:
        self._gates[call].append(Gate())
        return self._gates[call][-1]

    def _pass(self, call: str) -> None:
        if self._gates[call]:
            self._gates[call].pop(0).hold()

    def append(self, *args: Any, **kwargs: Any) -> int:
        self._pass("append")
        return self._log.append(*args, **kwargs)

    def head(self) -> int:
        self.heads += 1
        self._pass("head")
        return self._log.head()

    def events_after(self, *args: Any, **kwargs: Any) -> Any:
        self._pass("events_after")
        return self._log.events_after(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)


def _gated_mock(store: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, GatedLog, GatedLog]:
    """The mock's app on ``store``, its writer and reader connections gated."""
    opened: list[GatedLog] = []

    def open_gated(url: str) -> GatedLog:
        opened.append(GatedLog(open_log(url)))
        return opened[-1]

    with monkeypatch.context() as patch:
        patch.setattr(runtime, "open_log", open_gated)
        app = create_app(Settings(store=store))
    writer, reader = opened
    return app, writer, reader


@pytest.fixture
def gated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, GatedLog, GatedLog]]:
    """The mock on SQLite, its writer and reader connections gated."""
    app, writer, reader = _gated_mock(f"sqlite:///{tmp_path / 'mock.db'}", monkeypatch)
    with TestClient(app, base_url="http://127.0.0.1:4010", headers=ACME) as client:
        yield client, writer, reader


def _create(client: TestClient) -> Any:
    return client.post(PACKAGES, json=BODY)


def _listed(client: TestClient) -> set[str]:
    page = client.get(PACKAGES, params={"limit": 100})
    assert page.status_code == 200, page.text
    return {item["id"] for item in page.json()["items"]}


def test_a_write_failing_while_a_sync_reads_rebuilds_from_the_whole_log_not_the_read_suffix(gated) -> None:
    client, writer, reader = gated
    kept = {_create(client).json()["package"]["id"] for _ in range(3)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        write = writer.gate("append")
        failing: Future = pool.submit(_create, client)
        write.wait_entered()
        read = reader.gate("head")
        listing: Future = pool.submit(_listed, client)  # its sync reads from where the replica is
        read.wait_entered()
        write.release(fail=True)  # the create's write fails: this replica is stale now
        assert failing.result(WAIT).status_code == 503
        read.release()  # the read that began before the failure comes back
        assert kept <= listing.result(WAIT)
    assert kept <= _listed(client)


def test_a_create_committed_after_a_rebuild_it_began_before_is_applied_from_the_log(gated) -> None:
    client, writer, _ = gated
    kept = {_create(client).json()["package"]["id"] for _ in range(2)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = writer.gate("append"), writer.gate("append")
        failing: Future = pool.submit(_create, client)
        first.wait_entered()  # it holds this process's writer
        late: Future = pool.submit(_create, client)
        # The late create's handler has run (its package is in memory) and it waits for the writer.
        for _ in range(2000):
            if len(_listed(client) - kept) == 2:
                break
            time.sleep(0.005)
        else:
            pytest.fail("the late create's handler never ran")
        first.release(fail=True)  # the first write fails: the replica is stale
        assert failing.result(WAIT).status_code == 503
        second.wait_entered()  # the late create is writing
        assert _listed(client) == kept  # rebuilt from the log, which does not hold it yet
        second.release()
        created = late.result(WAIT)
        assert created.status_code == 201, created.text
        kept.add(created.json()["package"]["id"])
    assert _listed(client) == kept


def test_a_download_for_a_session_not_in_memory_reads_it_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link of a named session made by another process: reading that session's events waits
    on the store's thread, and the process goes on answering everyone else meanwhile."""
    store = f"sqlite:///{tmp_path / 'mock.db'}"
    worker = {**ACME, "x-mock-session": "w7"}
    with TestClient(create_app(Settings(store=store)), base_url="http://127.0.0.1:4010") as one:
        package = one.post(PACKAGES, json=BODY, headers=worker).json()["package"]["id"]
        one.post("/__mock/clock/advance", json={"seconds": 3600}, headers=worker).raise_for_status()
        link = one.get(f"{PACKAGES}/{package}/download", headers=worker).json()
    app, _, reader = _gated_mock(store, monkeypatch)
    with TestClient(app, base_url="http://127.0.0.1:4010") as two, ThreadPoolExecutor(max_workers=1) as pool:
        held = reader.gate("events_after")
        download: Future = pool.submit(two.get, link["download_url"].replace("http://127.0.0.1:4010", ""))
        held.wait_entered()  # reading session w7's events
        assert two.get("/openapi.json").status_code == 200  # the loop is free
        held.release()
        fetched = download.result(WAIT)
        assert fetched.status_code == 200 and len(fetched.content) == link["file_size_bytes"]


def test_reads_whose_requests_gave_up_are_not_made_when_the_store_answers_again(
    gated, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database that hangs: every request answers 503 in time, and the reads they queued are
    dropped (their futures cancelled), not made one after the other (each a read of the whole
    log for a stale replica) once the database answers again."""
    from mock_server.persistence import replica

    client, _, reader = gated
    monkeypatch.setattr(replica, "STORE_TIMEOUT", 0.3)
    with ThreadPoolExecutor(max_workers=1) as pool:
        held = reader.gate("head")
        first: Future = pool.submit(client.get, PACKAGES)
        held.wait_entered()  # the reader hangs in this read
        for _ in range(5):
            assert client.get(PACKAGES).status_code == 503  # each queued a read behind it, then gave up
        made = reader.heads
        held.release()
        assert first.result(WAIT).status_code == 503
    assert client.get(PACKAGES).status_code == 200
    assert reader.heads == made + 1  # this request's read; none of the five given up
