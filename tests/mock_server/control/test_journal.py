"""The request journal at /__mock/requests: what a frontend test asserts about its own traffic."""

from __future__ import annotations

from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.settings import Settings
from tests.conftest import ACME, advance, create

PACKAGES = "/api/v1/month-end-packages"
GET_PACKAGE = "get_package_api_v1_month_end_packages__package_id__get"
DOWNLOAD = "get_download_url_api_v1_month_end_packages__package_id__download_get"


def journal(client: TestClient, **filters: object) -> list[dict]:
    response = client.get("/__mock/requests", params=filters)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_the_app_polled_and_never_downloaded_before_ready(client) -> None:
    package = create(client).json()["package"]
    for _ in range(3):
        client.get(f"{PACKAGES}/{package['id']}", headers=ACME)
        advance(client, 2)
    client.get(f"{PACKAGES}/{package['id']}/download", headers=ACME)
    polls = journal(client, operation=GET_PACKAGE)
    downloads = journal(client, operation=DOWNLOAD)
    assert len(polls) == 3 and all(r["status"] == 200 and r["path"].endswith(package["id"]) for r in polls)
    assert [r["status"] for r in downloads] == [200], "downloaded once, when ready"
    assert downloads[0]["at"] > polls[0]["at"]
    assert [r["id"] for r in journal(client)] == sorted(r["id"] for r in journal(client)), "oldest first"


def test_a_422_carries_the_mock_verdict_and_filters_combine(client) -> None:
    client.post(PACKAGES, headers=ACME, json={"selected_reports": ["pl", "nope"]})
    client.get("/api/v1/accounting-periods", headers=ACME, params={"limit": 2})
    [refused] = journal(client, method="post", status=422)
    assert refused["operation_id"] == "create_package_api_v1_month_end_packages_post"
    rules = {(v["rule"], v["pointer"]) for v in refused["violations"]}
    assert ("enum", "/body/selected_reports/1") in rules and all(v["side"] == "request" for v in refused["violations"])
    [listed] = journal(client, path="/api/v1/accounting-periods")
    assert listed["query"] == "limit=2" and listed["violations"] == [] and listed["duration_ms"] >= 0
    assert journal(client, path="/api/v1/nothing") == []
    advance(client, 60)
    client.get("/api/v1/accounting-periods", headers=ACME)
    later = journal(client, since="2026-11-21T12:00:30Z")
    assert len(later) == 1 and later[0]["at"] == "2026-11-21T12:01:00Z"
    assert client.get("/__mock/requests", params={"status": "abc"}).status_code == 422


def test_get_on_a_literal_path_is_the_template_operation_and_control_calls_are_not_journaled(client) -> None:
    client.get("/api/v1/accounting-periods/close", headers=ACME)
    [record] = journal(client)
    assert record["operation_id"] == "get_period_api_v1_accounting_periods__period_id__get"
    assert record["status"] == 404
    assert all(not r["path"].startswith("/__mock") for r in journal(client))


def test_the_journal_is_a_bounded_ring_and_can_be_cleared() -> None:
    with TestClient(create_app(Settings(clock="frozen", journal_size=3, validate_responses=True))) as client:
        for limit in range(1, 6):
            client.get("/api/v1/accounting-periods", headers=ACME, params={"limit": limit})
        body = client.get("/__mock/requests").json()
        assert body["size"] == 3 and [r["query"] for r in body["items"]] == ["limit=3", "limit=4", "limit=5"]
        assert client.delete("/__mock/requests").status_code == 204
        assert journal(client) == []


def test_no_control_means_no_journal() -> None:
    with TestClient(create_app(Settings(clock="frozen", control=False))) as client:
        client.get("/api/v1/accounting-periods", headers=ACME)
        assert client.get("/__mock/requests").status_code == 404
