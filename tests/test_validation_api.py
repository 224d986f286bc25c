import pytest

from tests.conftest import ACME, create

PACKAGES = "/api/v1/month-end-packages"


def errors(response):
    assert response.status_code == 422, response.text
    return response.json()["detail"]


def test_every_schema_violation_is_listed_in_pydantic_v2_shape(client) -> None:
    detail = errors(
        client.post(
            PACKAGES,
            headers=ACME,
            json={"selected_reports": ["pl", "cashflow"], "period_start": "2026-02-30", "report_format": "doc"},
        )
    )
    by_loc = {tuple(e["loc"]): e for e in detail}
    assert by_loc[("body", "period_start")]["type"] == "date_from_datetime_parsing"
    assert by_loc[("body", "report_format")] == {
        "type": "enum",
        "loc": ["body", "report_format"],
        "msg": "Input should be 'pdf' or 'xlsx'",
        "input": "doc",
        "ctx": {"expected": "'pdf' or 'xlsx'"},
    }
    assert by_loc[("body", "selected_reports", 1)]["type"] == "enum"
    assert by_loc[("body", "selected_reports", 1)]["input"] == "cashflow"


def test_missing_required_field_and_missing_body(client) -> None:
    detail = errors(client.post(PACKAGES, headers=ACME, json={"period_start": "2026-10-01"}))
    assert detail[0]["type"] == "missing" and detail[0]["loc"] == ["body", "selected_reports"]
    assert detail[0]["msg"] == "Field required"
    detail = errors(client.post(PACKAGES, headers=ACME))
    assert detail == [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]


@pytest.mark.parametrize(
    "body, loc, fragment",
    [
        ({"selected_reports": []}, ["body", "selected_reports"], "at least 1 item"),
        ({"selected_reports": ["pl"], "period_start": "2026-10-01"}, ["body", "period_end"], "period_end is required"),
        ({"selected_reports": ["pl"]}, ["body", "period_start"], "period_start is required"),
        (
            {"selected_reports": ["pl"], "period_start": "2026-10-31", "period_end": "2026-10-01"},
            ["body"],
            "on or before",
        ),
        (
            {"selected_reports": ["pl", "pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"},
            ["body", "selected_reports"],
            "more than once",
        ),
    ],
)
def test_business_rules_of_create_are_422_with_a_clear_message(client, body, loc, fragment) -> None:
    detail = errors(client.post(PACKAGES, headers=ACME, json=body))
    assert any(e["loc"] == loc and fragment in e["msg"] for e in detail), detail


def test_unknown_accounting_period_is_404(client) -> None:
    response = create(client, accounting_period_id="00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404 and response.json() == {"detail": "Resource not found"}


@pytest.mark.parametrize(
    "content, content_type, status",
    [
        (b"{not json", "application/json", 422),
        (b"\xff\xfe\xfa", "application/json", 400),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
        (b'{"selected_reports": ["pl"]}', "text/plain", 422),
        (b"1" * 5000, "application/json", 400),
        (b"null", "application/json", 422),
        (b'"text"', "application/json", 422),
        (b" " * 2_000_000, "application/json", 400),
    ],
)
def test_malformed_bodies_get_a_contract_error_never_a_5xx(client, content, content_type, status) -> None:
    response = client.post(PACKAGES, headers={**ACME, "Content-Type": content_type}, content=content)
    assert response.status_code == status, response.text
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "query, loc, error_type",
    [
        ("limit=0", ["query", "limit"], "greater_than_equal"),
        ("limit=1001", ["query", "limit"], "less_than_equal"),
        ("limit=ten", ["query", "limit"], "int_parsing"),
        ("descending=maybe", ["query", "descending"], "bool_parsing"),
        ("include_total_count=2", ["query", "include_total_count"], "bool_parsing"),
        ("direction=sideways", ["query", "direction"], "value_error"),
        ("sort_by=amount", ["query", "sort_by"], "value_error"),
        ("cursor=garbage", ["query", "cursor"], "value_error"),
        ("cursor=%FF%FE", ["query", "cursor"], "value_error"),
    ],
)
def test_bad_list_parameters_are_422_on_the_parameter(client, query, loc, error_type) -> None:
    for path in (PACKAGES, "/api/v1/accounting-periods"):
        detail = errors(client.get(f"{path}?{query}", headers=ACME))
        assert detail[0]["loc"] == loc and detail[0]["type"] == error_type


def test_framework_errors_keep_fastapi_shapes(client) -> None:
    response = client.delete(PACKAGES, headers=ACME)
    assert response.status_code == 405 and response.json() == {"detail": "Method Not Allowed"}
    assert response.headers["allow"] == "GET, POST"
    response = client.get("/api/v1/nothing-here", headers=ACME)
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}


def test_a_content_type_on_an_operation_without_a_body_is_ignored_as_fastapi_does(client) -> None:
    # Connexion parsed the missing multipart body and answered an undeclared 400 (found through the proxy).
    multipart = {**ACME, "content-type": "multipart/form-data"}
    assert client.get("/api/v1/accounting-periods", headers=multipart).status_code == 200
    assert client.get("/api/v1/accounting-periods/nope/close-score", headers=multipart).status_code == 404
    readiness = client.post("/api/v1/accounting-periods/nope/close-readiness", headers=multipart, content=b"--x")
    assert readiness.status_code == 404 and readiness.json() == {"detail": "Resource not found"}
