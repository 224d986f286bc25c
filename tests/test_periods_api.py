"""Accounting-period operations 6-17 through HTTP, in both generations of the docs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.domain.close_score import CHECKLIST_STEPS
from mock_server.settings import Settings
from mock_server.testing import GLOBEX_ID
from tests.conftest import ACME, advance

PERIODS = "/api/v1/accounting-periods"
ADA = "aaaaaaaa-0000-4000-8000-000000000001"
GLOBEX = {"Authorization": "Bearer dz_demo_globex", "x-business-id": GLOBEX_ID}


@pytest.fixture(params=["bare", "envelope"])
def api(request: pytest.FixtureRequest, store_url: str) -> Iterator[Api]:
    settings = Settings(clock="frozen", validate_responses=True, generation=request.param, store=store_url)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:4010") as client:
        yield Api(client, request.param)


class Api:
    """Calls the mock and reads bodies through the served generation."""

    def __init__(self, client: TestClient, generation: str) -> None:
        self.client = client
        self.generation = generation

    def call(self, method: str, path: str, *, status: int, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        response = self.client.request(method, path, headers=headers or ACME, **kw)
        assert response.status_code == status, response.text
        if not response.content:
            return None
        body = response.json()
        if self.generation == "envelope" and 200 <= status < 300:
            assert body["success"] is True and body["code"] in ("OK", "CREATED", "DELETED") and body["message"]
            return body.get("data")
        return body

    def create(self, start: str, end: str, status: int = 201) -> Any:
        return self.call("POST", PERIODS, json={"period_start": start, "period_end": end}, status=status)

    def periods(self, **query: Any) -> list[dict[str, Any]]:
        return self.call("GET", PERIODS, params={"limit": 1000, **query}, status=200)["items"]


def test_create_then_get_round_trip(api: Api) -> None:
    created = api.create("2031-01-01", "2031-01-31")
    assert created["status"] == "open" and created["period_start"] == "2031-01-01"
    assert created["closed_at"] is None and created["created_at"] == created["updated_at"] == "2026-11-21T12:00:00Z"
    assert api.call("GET", f"{PERIODS}/{created['id']}", status=200) == created
    assert created in api.periods()


def test_overlapping_dates_are_409_and_adjacent_ones_are_fine(api: Api) -> None:
    api.create("2031-01-01", "2031-01-31")
    conflict = api.create("2031-01-31", "2031-02-28", status=409)
    assert "2031-01-01 to 2031-01-31" in conflict["detail"]
    api.create("2031-02-01", "2031-02-28")
    assert api.create("2026-11-15", "2026-11-15", status=409)["detail"], "the fixture's current month overlaps"


def test_an_end_before_the_start_is_a_422_value_error(api: Api) -> None:
    body = api.create("2031-02-01", "2031-01-01", status=422)
    [error] = body["detail"]
    assert error["type"] == "value_error" and error["loc"] == ["body"]
    assert error["msg"] == "Value error, period_end must be on or after period_start"


def test_another_business_period_is_404_on_every_period_operation(api: Api) -> None:
    theirs = api.call("GET", PERIODS, headers=GLOBEX, params={"limit": 1}, status=200)["items"][0]["id"]
    for method, suffix, body in (
        ("GET", "", None),
        ("POST", "/reopen", {"reopen_reason": "x"}),
        ("POST", "/close-readiness", None),
        ("GET", "/close-score", None),
        ("GET", "/score-history", None),
        ("GET", "/checklist-acks", None),
        ("PUT", "/checklist-acks/trial_balance_review", {}),
        ("POST", "/sign-offs", {"role": "preparer"}),
    ):
        assert api.call(method, f"{PERIODS}/{theirs}{suffix}", json=body, status=404) == {
            "detail": "Resource not found"
        }
    api.call("DELETE", f"{PERIODS}/{theirs}/sign-offs", params={"role": "preparer"}, status=404)


def test_close_by_end_date_records_who_when_and_why(api: Api) -> None:
    period = api.create("2031-03-01", "2031-03-31")
    closed = api.call("POST", f"{PERIODS}/close", json={"period_end": "2031-03-31", "lock_reason": "Done"}, status=201)
    assert closed["id"] == period["id"] and closed["status"] == "closed"
    assert closed["closed_at"] == closed["updated_at"] == "2026-11-21T12:00:00Z"
    assert closed["closed_by_user_id"] == ADA and closed["lock_reason"] == "Done"
    again = api.call("POST", f"{PERIODS}/close", json={"period_end": "2031-03-31"}, status=400)
    assert "already closed" in again["detail"]
    missing = api.call("POST", f"{PERIODS}/close", json={"period_end": "2031-03-30"}, status=404)
    assert "2031-03-30" in missing["detail"]


def test_reopen_returns_a_closed_or_locked_period_to_open_with_its_audit(api: Api) -> None:
    locked = next(p for p in api.periods() if p["status"] == "locked")
    advance(api.client, 60)
    reopened = api.call("POST", f"{PERIODS}/{locked['id']}/reopen", json={"reopen_reason": "Late invoice"}, status=201)
    assert reopened["status"] == "open" and reopened["reopen_reason"] == "Late invoice"
    assert reopened["reopened_at"] == reopened["updated_at"] == "2026-11-21T12:01:00Z"
    assert reopened["reopened_by_user_id"] == ADA
    assert reopened["closed_at"] == locked["closed_at"], "the close stays in the audit trail"
    refused = api.call("POST", f"{PERIODS}/{locked['id']}/reopen", json={"reopen_reason": "again"}, status=400)
    assert "already open" in refused["detail"]
    empty = api.call("POST", f"{PERIODS}/{locked['id']}/reopen", json={"reopen_reason": ""}, status=422)
    assert empty["detail"][0]["type"] == "string_too_short"


def test_bulk_lock_locks_open_and_closed_skips_the_rest_and_counts_match(api: Api) -> None:
    open_period = api.create("2031-04-01", "2031-04-30")
    closed = next(p for p in api.periods() if p["status"] == "closed")
    locked = next(p for p in api.periods() if p["status"] == "locked")
    theirs = api.call("GET", PERIODS, headers=GLOBEX, params={"limit": 1}, status=200)["items"][0]["id"]
    ids = [open_period["id"], closed["id"], locked["id"], "not-a-period", theirs, open_period["id"]]
    result = api.call("POST", f"{PERIODS}/bulk-lock", json={"period_ids": ids}, status=201)
    assert result["locked_ids"] == [open_period["id"], closed["id"]]
    assert result["skipped"] == [
        {"period_id": locked["id"], "reason": "already locked"},
        {"period_id": "not-a-period", "reason": "not found"},
        {"period_id": theirs, "reason": "not found"},
    ]
    assert (result["locked_count"], result["skipped_count"]) == (2, 3)
    now_locked = api.call("GET", f"{PERIODS}/{open_period['id']}", status=200)
    assert now_locked["status"] == "locked" and now_locked["lock_reason"] == "Historical migration - bulk locked"
    assert now_locked["closed_by_user_id"] == ADA and now_locked["closed_at"], "closed first, then locked"
    was_closed = api.call("GET", f"{PERIODS}/{closed['id']}", status=200)
    assert was_closed["closed_at"] == closed["closed_at"], "a closed period keeps its close"
    for size in (0, 121):
        body = api.call("POST", f"{PERIODS}/bulk-lock", json={"period_ids": ["x"] * size}, status=422)
        assert body["detail"][0]["type"] in ("too_short", "too_long")


def test_acks_and_sign_offs_raise_the_score_and_closing_makes_it_done(api: Api) -> None:
    period = api.create("2031-05-01", "2031-05-31")
    url = f"{PERIODS}/{period['id']}"
    first = api.call("GET", f"{url}/close-score", status=200)
    assert 0 <= first["score"] < 100 and set(first["components"]) == {
        "txn_review",
        "categorization",
        "reconciliation",
        "checklist",
        "anomalies",
    }
    api.call("PUT", f"{url}/checklist-acks/trial_balance_review", json={}, status=200)
    acked = api.call("GET", f"{url}/close-score", status=200)
    assert acked["score"] > first["score"]
    signed = api.call("POST", f"{url}/sign-offs", json={"role": "preparer", "notes": "ok"}, status=201)
    assert signed["score_snapshot"] == acked["score"] and signed["close_score"] > acked["score"]
    after = api.call("GET", f"{url}/close-score", status=200)
    assert after["score"] == signed["close_score"]
    assert [(s["user_id"], s["role"]) for s in after["sign_offs"]] == [(ADA, "preparer")]
    api.call("DELETE", f"{url}/sign-offs", params={"role": "preparer"}, status=204 if api.generation == "bare" else 200)
    assert api.call("GET", f"{url}/close-score", status=200)["score"] == acked["score"]
    api.call("POST", f"{PERIODS}/close", json={"period_end": "2031-05-31"}, status=201)
    done = api.call("GET", f"{url}/close-score", status=200)
    assert done["score"] == 100 and set(done["components"].values()) == {100}


def test_readiness_lists_blockers_with_pass_warning_or_fail(api: Api) -> None:
    period = api.create("2031-06-01", "2031-06-30")
    ready = api.call("POST", f"{PERIODS}/{period['id']}/close-readiness", status=201)
    assert 0 <= ready["score"] <= 100
    checks = {item["check"]: item for item in ready["items"]}
    assert {item["status"] for item in ready["items"]} <= {"pass", "warning", "fail"}
    assert checks["checklist_steps"]["count"] == len(CHECKLIST_STEPS)
    summary = ready["summary"]
    assert summary["transaction_count"] >= summary["unreviewed_count"] >= 0
    assert checks["transactions_reviewed"]["count"] == summary["unreviewed_count"]
    for step in CHECKLIST_STEPS:
        api.call("PUT", f"{PERIODS}/{period['id']}/checklist-acks/{step}", json={"notes": None}, status=200)
    after = api.call("POST", f"{PERIODS}/{period['id']}/close-readiness", status=201)
    assert {i["check"]: i["status"] for i in after["items"]}["checklist_steps"] == "pass"
    assert after["score"] > ready["score"]


def test_the_same_inputs_give_the_same_score_on_every_start() -> None:
    def score() -> float:
        with TestClient(create_app(Settings(clock="frozen"))) as client:
            period = client.get(PERIODS, headers=ACME, params={"status": "open"}).json()["items"][0]
            return float(client.get(f"{PERIODS}/{period['id']}/close-score", headers=ACME).json()["score"])

    assert score() == score()


def test_score_history_is_daily_oldest_first_and_limited(api: Api) -> None:
    closed = next(p for p in api.periods() if p["status"] == "closed")
    url = f"{PERIODS}/{closed['id']}/score-history"
    history = api.call("GET", url, status=200)
    days = [item["date"] for item in history["items"]]
    assert history["period_id"] == closed["id"] and days == sorted(days) and len(set(days)) == len(days)
    assert days[-1] == "2026-11-21", "the trend ends with today's score"
    assert history["items"][0]["score"] < 100 and history["items"][-1]["score"] == 100, "the fixture close rose to 100"
    assert api.call("GET", url, params={"limit": 2}, status=200)["items"] == history["items"][-2:]
    assert api.call("GET", url, params={"limit": 0}, status=422)["detail"][0]["loc"] == ["query", "limit"]
    period = api.create("2031-07-01", "2031-07-31")
    for _ in range(3):
        api.call("GET", f"{PERIODS}/{period['id']}/close-score", status=200)
        advance(api.client, 86400)
    items = api.call("GET", f"{PERIODS}/{period['id']}/score-history", status=200)["items"]
    assert [i["date"] for i in items] == ["2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"]


def test_acknowledging_a_step_again_keeps_the_row_and_updates_the_notes(api: Api) -> None:
    period = api.create("2031-08-01", "2031-08-31")
    url = f"{PERIODS}/{period['id']}/checklist-acks"
    first = api.call("PUT", f"{url}/trial_balance_review", json={"notes": "first"}, status=200)
    assert first["step_id"] == "trial_balance_review" and first["acked_by"] == ADA
    assert first["period_start"] == "2031-08-01" and first["business_id"] == period["business_id"]
    advance(api.client, 30)
    again = api.call("PUT", f"{url}/trial_balance_review", json={"notes": "second"}, status=200)
    assert (again["id"], again["created_at"]) == (first["id"], first["created_at"])
    assert again["notes"] == "second" and again["updated_at"] == "2026-11-21T12:00:30Z"
    listed = api.call("GET", url, status=200)
    assert listed["period_id"] == period["id"] and listed["period_start"] == "2031-08-01"
    assert listed["items"] == [again]


def test_sign_offs_are_idempotent_per_role_and_refuse_unknown_roles(api: Api) -> None:
    period = api.create("2031-09-01", "2031-09-30")
    url = f"{PERIODS}/{period['id']}/sign-offs"
    first = api.call("POST", url, json={"role": "reviewer"}, status=201)
    advance(api.client, 5)
    again = api.call("POST", url, json={"role": "reviewer", "notes": "looked again"}, status=201)
    assert (again["id"], again["created_at"]) == (first["id"], first["created_at"])
    assert again["notes"] == "looked again" and again["updated_at"] > first["updated_at"]
    for call in (
        lambda: api.call("POST", url, json={"role": "auditor"}, status=422),
        lambda: api.call("DELETE", url, params={"role": "auditor"}, status=422),
    ):
        assert call()["detail"][0]["type"] == "enum"
    revoked = api.call("DELETE", url, params={"role": "reviewer"}, status=204 if api.generation == "bare" else 200)
    assert revoked is None
    assert "no reviewer sign-off" in api.call("DELETE", url, params={"role": "reviewer"}, status=404)["detail"]


def test_fixture_closes_carry_their_checklist_and_sign_offs(api: Api) -> None:
    for period in api.periods():
        acks = api.call("GET", f"{PERIODS}/{period['id']}/checklist-acks", status=200)["items"]
        score = api.call("GET", f"{PERIODS}/{period['id']}/close-score", status=200)
        if period["closed_at"] is not None:
            assert {a["step_id"] for a in acks} == set(CHECKLIST_STEPS)
            assert {"preparer", "reviewer"} <= {s["role"] for s in score["sign_offs"]}
            assert all(a["created_at"] < period["closed_at"] for a in acks)
        else:
            assert acks == [] and score["sign_offs"] == []


def test_envelope_generation_serves_its_bundle_and_its_additions() -> None:
    with TestClient(create_app(Settings(clock="frozen", generation="envelope"))) as client:
        document = client.get("/openapi.json").json()
        assert "SuccessEnvelope_AccountingPeriodResponse_" in document["components"]["schemas"]
        found = client.get(PERIODS, headers=ACME, params={"search": "BULK LOCKED", "limit": 1000}).json()["data"]
        assert found["items"] and all("bulk locked" in (p["lock_reason"] or "").lower() for p in found["items"])
        period = client.post(
            PERIODS, headers=ACME, json={"period_start": "2032-01-01", "period_end": "2032-01-31"}
        ).json()["data"]
        forced = client.post(f"{PERIODS}/close", headers=ACME, json={"period_end": "2032-01-31", "force": True})
        assert forced.status_code == 201 and forced.json()["data"]["id"] == period["id"]
        error = client.get(f"{PERIODS}/nope", headers=ACME)
        assert error.status_code == 404 and error.json() == {"detail": "Resource not found"}, "errors stay bare"
    with TestClient(create_app(Settings(clock="frozen"))) as client:
        every = client.get(PERIODS, headers=ACME, params={"search": "BULK LOCKED", "limit": 1000}).json()
        assert len(every["items"]) == 24, "bare generation: no search parameter, so nothing is filtered"


def test_a_method_the_close_path_lacks_is_405_with_its_own_methods(client) -> None:
    response = client.delete(f"{PERIODS}/close", headers=ACME)
    assert response.status_code == 405 and response.headers["allow"] == "POST"


def test_a_closed_or_locked_period_refuses_acks_and_sign_offs_until_reopened(api: Api) -> None:
    """Ours (the lead's decision, inferred from "can no longer be modified"): 400 with the reason."""
    period = api.create("2031-07-01", "2031-07-31")
    url = f"{PERIODS}/{period['id']}"
    api.call("POST", f"{url}/sign-offs", json={"role": "preparer"}, status=201)
    api.call("POST", f"{PERIODS}/close", json={"period_end": "2031-07-31"}, status=201)
    for status in ("closed", "locked"):
        refusals = [
            api.call("PUT", f"{url}/checklist-acks/trial_balance_review", json={}, status=400),
            api.call("POST", f"{url}/sign-offs", json={"role": "reviewer"}, status=400),
            api.call("DELETE", f"{url}/sign-offs", params={"role": "preparer"}, status=400),
        ]
        for refused in refusals:
            assert f"is {status} and can no longer be modified; reopen it first" in refused["detail"], refused
        api.call("POST", f"{PERIODS}/bulk-lock", json={"period_ids": [period["id"]]}, status=201)
    score = api.call("GET", f"{url}/close-score", status=200)
    assert [s["role"] for s in score["sign_offs"]] == ["preparer"], "nothing changed"
    api.call("POST", f"{url}/reopen", json={"reopen_reason": "Late invoice"}, status=201)
    api.call("PUT", f"{url}/checklist-acks/trial_balance_review", json={}, status=200)
    api.call("POST", f"{url}/sign-offs", json={"role": "reviewer"}, status=201)
