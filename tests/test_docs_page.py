"""The docs page (/docs) sends "Try it out" to the mock that serves it, never to production."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from starlette.testclient import TestClient

from dayzero_mock_kit.openapi import load_contract
from mock_server.app import create_app
from mock_server.domain.identities import load_fixtures
from mock_server.edge.docs_document import default_business_id
from mock_server.settings import Settings
from mock_server.testing import ACME_ID, running_mock
from tests.browser import chromium_page, screenshot
from tests.conftest import ACME

PRODUCTION = "api.ondayzero.com"
LIST_PERIODS = "#operations-accounting-periods-list_periods_api_v1_accounting_periods_get"


def test_the_published_documents_stay_the_bundle_exactly(client) -> None:
    bundle = load_contract().bundle
    assert client.get("/openapi.json").json() == bundle
    assert bundle["servers"][0]["url"] == f"https://{PRODUCTION}"


def test_the_docs_document_targets_the_mock_it_is_reached_on(client) -> None:
    document = client.get("/openapi.effective.json").json()
    assert document["servers"] == [{"url": "http://127.0.0.1:4010", "description": "This mock (dayzero-mock)"}]
    assert PRODUCTION not in json.dumps(document["servers"])
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        **document["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    assert document["security"] == [{"bearerAuth": []}]
    # Every operation's business header is prefilled; the description lists every demo token.
    headers = [
        parameter
        for item in document["paths"].values()
        for operation in item.values()
        for parameter in operation["parameters"]
        if parameter["name"] == "x-business-id"
    ]
    assert headers and all(parameter["example"] == ACME_ID for parameter in headers)
    for token in ("dz_demo_acme", "dz_demo_globex", "dz_demo_admin", "dz_demo_expired"):
        assert f"`{token}`" in document["info"]["description"]
    # Another host name, another server entry: the page follows the URL it was loaded from.
    other = client.get("/openapi.effective.json", headers={"host": "mock.internal:8080"}).json()
    assert other["servers"][0]["url"] == "http://mock.internal:8080"


def test_public_url_wins_over_the_request_host() -> None:
    settings = Settings(clock="frozen", public_base_url="https://mock.example.com/")
    with TestClient(create_app(settings), base_url="http://127.0.0.1:4010") as client:
        document = client.get("/openapi.effective.json").json()
    assert document["servers"][0]["url"] == "https://mock.example.com"


def test_the_docs_page_offers_only_documents_aimed_at_the_mock(client) -> None:
    page = client.get("/docs/")
    assert page.status_code == 200 and "/openapi.effective.json" in page.text
    config = client.get("/docs/swagger-ui-config.json").json()
    assert [entry["url"] for entry in config["urls"]] == ["/openapi.effective.json", "/__mock/openapi.json"]


def test_the_default_business_skips_expired_tokens_and_businesses_without_the_add_on() -> None:
    fixtures = load_fixtures(Settings().fixtures_path)
    assert default_business_id(fixtures, now=0.0) == ACME_ID


def test_try_it_out_in_chromium_reaches_the_mock_and_nothing_else(tmp_path: Path) -> None:
    har = tmp_path / "swagger-session.har"
    with running_mock(Settings(clock="frozen")) as mock, chromium_page(record_har=har) as page:
        mock_host = urlsplit(mock.base_url).netloc
        elsewhere: list[str] = []
        console_errors: list[str] = []

        def guard(route) -> None:
            if urlsplit(route.request.url).netloc == mock_host:
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{mock.base_url}/docs/")
        page.wait_for_selector(LIST_PERIODS, timeout=20_000)
        screenshot(page, "docs-loaded")

        page.click("button.authorize")
        page.fill(".modal-ux input", "dz_demo_acme")
        page.click(".modal-ux button.authorize")
        page.click(".modal-ux button.btn-done")
        page.click(f"{LIST_PERIODS} .opblock-summary")
        page.click(f"{LIST_PERIODS} button.try-out__btn")
        with page.expect_response(lambda response: "/api/v1/accounting-periods" in response.url) as answer:
            page.click(f"{LIST_PERIODS} button.execute")
        response = answer.value
        page.wait_for_selector(f"{LIST_PERIODS} .live-responses-table")
        screenshot(page, "docs-try-it-out-list-periods")

        assert urlsplit(response.url).netloc == mock_host
        assert response.status == 200, response.text()
        assert response.request.headers["authorization"] == "Bearer dz_demo_acme"
        assert response.request.headers["x-business-id"] == ACME_ID
        assert response.json()["items"], "the mock's periods come back"
        assert elsewhere == [], f"the page tried other hosts: {elsewhere}"
        assert console_errors == []
    # The browser's own capture of that session, checked offline: a real client, no false findings.
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dayzero-conformance")),
            "validate-har",
            str(har),
            "--json",
            str(tmp_path / "r.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = json.loads((tmp_path / "r.json").read_text())
    assert result.returncode == 0 and report["findings"] == [], result.stdout
    assert [r["operation_id"] for r in report["records"] if r["operation_id"]] == [
        "list_periods_api_v1_accounting_periods_get"
    ]
    assert any(ignored.endswith("/openapi.effective.json") for ignored in report["ignored"])


def test_try_it_out_examples_follow_the_state_and_outlive_the_last_open_period(client) -> None:
    def examples() -> tuple[str, dict]:
        paths = client.get("/openapi.effective.json").json()["paths"]
        score = paths["/api/v1/accounting-periods/{period_id}/close-score"]["get"]["parameters"]
        period_id = next(p["example"] for p in score if p["name"] == "period_id")
        close = paths["/api/v1/accounting-periods/close"]["post"]["requestBody"]["content"]["application/json"]
        return period_id, close["example"]

    period_id, close = examples()
    period = client.get(f"/api/v1/accounting-periods/{period_id}", headers=ACME).json()
    assert period["status"] == "open" and close["period_end"] == period["period_end"]
    assert client.post("/api/v1/accounting-periods/close", json=close, headers=ACME).status_code == 201
    # No open period left: the newest stands in, and the same close now answers 400 with the reason.
    assert examples() == (period_id, close)
    again = client.post("/api/v1/accounting-periods/close", json=close, headers=ACME)
    assert again.status_code == 400 and "already closed" in again.json()["detail"]
