"""Sessions cost what their state costs: the fixtures' periods and close records are shared
until a session changes them, and a reset or an expiry gives the old state back at once (no
full garbage collection needed: the mock makes those rare, cli.py).
(The 200-session figure is measured by benchmarks/sessions_memory.py.)"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.bending.sessions import entered
from mock_server.settings import Settings
from tests.conftest import ACME

PERIODS = "/api/v1/accounting-periods"


@contextmanager
def _no_cyclic_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _ledger(client: TestClient, session: str | None):  # type: ignore[no-untyped-def]
    runtime = client.app.runtime  # type: ignore[attr-defined]
    with entered(session):
        return runtime.ledger


def test_sessions_share_the_fixture_periods_until_one_changes_them(client: TestClient) -> None:
    for name in ("a", "b"):
        client.get(PERIODS, headers={**ACME, "x-mock-session": name}).raise_for_status()
    a, b = _ledger(client, "a").periods, _ledger(client, "b").periods
    period = next(p for p in a.of_business(ACME["x-business-id"]) if p.status == "open")
    assert b.find(period.id) is period  # one record for every session
    closed = next(p for p in a.of_business(ACME["x-business-id"]) if p.status != "open")
    assert a._history[closed.id] is b._history[closed.id]  # noqa: SLF001 (the shared table itself)

    acked = client.put(
        f"{PERIODS}/{period.id}/checklist-acks/trial_balance_review",
        json={"notes": "a only"},
        headers={**ACME, "x-mock-session": "a"},
    )
    assert acked.status_code == 200
    assert "trial_balance_review" in a.acks(period)
    assert "trial_balance_review" not in b.acks(period)  # copied on write, not written through
    listed = client.get(f"{PERIODS}/{period.id}/checklist-acks", headers={**ACME, "x-mock-session": "c"}).json()
    assert all(ack["step_id"] != "trial_balance_review" for ack in listed["items"])


def test_a_reset_gives_the_old_state_back_without_a_full_collection() -> None:
    with TestClient(create_app(Settings()), base_url="http://127.0.0.1:4010") as client, _no_cyclic_collection():
        headers = {**ACME, "x-mock-session": "w1"}
        client.get(PERIODS, headers=headers).raise_for_status()
        old = weakref.ref(_ledger(client, "w1"))
        client.post("/__mock/reset", headers={"x-mock-session": "w1"}).raise_for_status()
        assert old() is None


def test_an_expired_session_gives_its_state_back_without_a_full_collection() -> None:
    settings = Settings(max_sessions=2)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:4010") as client, _no_cyclic_collection():
        client.get(PERIODS, headers={**ACME, "x-mock-session": "first"}).raise_for_status()
        old = weakref.ref(_ledger(client, "first"))
        for name in ("second", "third"):  # past max_sessions the least recently used goes
            client.get(PERIODS, headers={**ACME, "x-mock-session": name}).raise_for_status()
        assert "first" not in client.app.runtime.sessions.names()  # type: ignore[attr-defined]
        assert old() is None
