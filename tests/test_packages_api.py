from tests.conftest import ACME, advance, create

PACKAGES = "/api/v1/month-end-packages"


def test_create_answers_201_with_a_queued_package_and_every_optional_field_null(client) -> None:
    response = create(client, selected_reports=["pl", "cash_flow"])
    assert response.status_code == 201
    body = response.json()
    package = body["package"]
    assert body["workflow_id"] == package["workflow_id"]
    assert package["status"] == "queued"
    assert package["report_format"] == "pdf"  # the default
    assert package["period_start"] == "2026-10-01T00:00:00Z" and package["period_end"] == "2026-10-31T00:00:00Z"
    assert package["requested_by_user_id"] == "aaaaaaaa-0000-4000-8000-000000000001"
    assert len(package) == 17
    for field in ("accounting_period_id", "file_size_bytes", "filename", "error_message", "started_at", "ready_at"):
        assert field in package and package[field] is None
    assert package["created_at"] == package["updated_at"]


def test_get_returns_what_was_created(client) -> None:
    created = create(client, report_format="xlsx").json()["package"]
    fetched = client.get(f"{PACKAGES}/{created['id']}", headers=ACME)
    assert fetched.status_code == 200 and fetched.json() == created


def test_accounting_period_gives_the_package_its_dates(client) -> None:
    period = client.get("/api/v1/accounting-periods?limit=1&sort_by=period_start", headers=ACME).json()["items"][0]
    package = create(client, accounting_period_id=period["id"], period_start=None, period_end=None).json()["package"]
    assert package["accounting_period_id"] == period["id"]
    assert package["period_start"] == f"{period['period_start']}T00:00:00Z"
    assert package["period_end"] == f"{period['period_end']}T00:00:00Z"


def test_lifecycle_follows_the_clock_and_fills_fields_exactly_when_due(client) -> None:
    created = create(client).json()["package"]
    url = f"{PACKAGES}/{created['id']}"
    advance(client, 1)
    assert client.get(url, headers=ACME).json()["status"] == "queued"
    advance(client, 1.5)
    running = client.get(url, headers=ACME).json()
    assert running["status"] == "in_progress" and running["started_at"] and running["ready_at"] is None
    assert running["filename"] is None and running["file_size_bytes"] is None
    advance(client, 3)
    ready = client.get(url, headers=ACME).json()
    assert ready["status"] == "ready"
    assert ready["created_at"] <= ready["started_at"] <= ready["ready_at"] == ready["updated_at"]
    assert ready["started_at"] == running["started_at"]
    assert ready["filename"] == "acme-demo-co_month-end_2026-10-01_2026-10-31.zip"
    assert ready["file_size_bytes"] > 0 and ready["error_message"] is None


def test_prefer_outcome_failed_ends_in_failed_with_a_plausible_message(client) -> None:
    response = client.post(
        PACKAGES,
        json={"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"},
        headers={**ACME, "Prefer": "outcome=failed"},
    )
    advance(client, 10)
    failed = client.get(f"{PACKAGES}/{response.json()['package']['id']}", headers=ACME).json()
    assert failed["status"] == "failed" and len(failed["error_message"]) > 20
    assert failed["started_at"] and failed["ready_at"] is None and failed["filename"] is None


def test_fixture_failure_rules_fail_matching_builds(client) -> None:
    from mock_server.testing import GLOBEX_ID

    globex = {"Authorization": "Bearer dz_demo_globex", "x-business-id": GLOBEX_ID}
    failing = create(client, headers=globex, selected_reports=["bank_reconciliation"]).json()["package"]
    passing = create(client, headers=globex, selected_reports=["pl"]).json()["package"]
    advance(client, 10)
    assert client.get(f"{PACKAGES}/{failing['id']}", headers=globex).json()["status"] == "failed"
    assert client.get(f"{PACKAGES}/{passing['id']}", headers=globex).json()["status"] == "ready"


def test_unknown_package_is_404(client) -> None:
    for path in (f"{PACKAGES}/nope", f"{PACKAGES}/00000000-0000-4000-8000-000000000000/download"):
        response = client.get(path, headers=ACME)
        assert response.status_code == 404 and response.json() == {"detail": "Resource not found"}


def test_reset_returns_to_the_fixtures(client) -> None:
    create(client)
    assert client.post("/__mock/reset").json()["packages"] == 0
    assert client.get(PACKAGES, headers=ACME).json()["items"] == []
