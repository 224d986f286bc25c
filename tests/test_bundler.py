import copy
import json

import pytest
from openapi_spec_validator import validate

from openapi import BUNDLE_PATH, load_contract
from openapi.bundler import BundleConflictError, bundle_slices, load_slices, render


def test_every_slice_is_a_valid_openapi_31_document() -> None:
    slices = load_slices()
    assert len(slices) == 5
    for doc in slices.values():
        assert doc["openapi"] == "3.1.0"
        validate(doc)


def test_bundle_effective_and_control_documents_are_valid() -> None:
    contract = load_contract()
    validate(contract.bundle)
    validate(contract.effective)
    validate(contract.control)


def test_committed_bundle_is_in_sync_with_the_slices() -> None:
    assert BUNDLE_PATH.read_text() == render(bundle_slices(load_slices())), "run: python -m openapi.bundler"


def test_bundle_holds_each_published_operation_once_with_its_declared_statuses() -> None:
    operations = load_contract().operations()
    declared = {op_id: sorted(op["responses"]) for op_id, (_, _, op) in operations.items()}
    assert declared == {
        "create_package_api_v1_month_end_packages_post": ["201", "400", "401", "403", "404", "422"],
        "list_packages_api_v1_month_end_packages_get": ["200", "401", "403", "422"],
        "get_package_api_v1_month_end_packages__package_id__get": ["200", "401", "403", "404", "422"],
        "get_download_url_api_v1_month_end_packages__package_id__download_get": [
            "200",
            "400",
            "401",
            "403",
            "404",
            "422",
        ],
        "list_periods_api_v1_accounting_periods_get": ["200", "401", "403", "422"],
    }


def test_slices_keep_the_published_shape_and_leave_our_additions_out() -> None:
    bundle = load_contract().bundle
    text = json.dumps(bundle)
    assert "securitySchemes" not in text and "x-dayzero" not in text
    params = bundle["paths"]["/api/v1/month-end-packages"]["get"]["parameters"]
    auth = {p["name"]: p for p in params if p["in"] == "header"}
    assert auth["authorization"]["required"] is False
    assert auth["x-business-id"]["schema"]["anyOf"] == [{"type": "string"}, {"type": "null"}]


def test_a_component_defined_differently_by_two_slices_is_a_clear_error() -> None:
    slices = load_slices()
    changed = copy.deepcopy(slices["get-package"])
    changed["components"]["schemas"]["MonthEndPackageStatusEnum"]["enum"].append("archived")
    with pytest.raises(BundleConflictError, match="get-package.*MonthEndPackageStatusEnum"):
        bundle_slices({**slices, "get-package": changed})


def test_two_slices_defining_the_same_operation_is_a_clear_error() -> None:
    slices = load_slices()
    with pytest.raises(BundleConflictError, match="both define GET /api/v1/month-end-packages/{package_id}"):
        bundle_slices({**slices, "copy": slices["get-package"]})


def test_overlay_adds_report_keys_and_bearer_scheme_only_to_the_effective_view() -> None:
    contract = load_contract()
    assert contract.report_keys() == [
        "pl",
        "balance_sheet",
        "cash_flow",
        "ar_aging",
        "ap_aging",
        "budget_vs_actual",
        "bank_reconciliation",
    ]
    assert "bearerAuth" in contract.effective["components"]["securitySchemes"]
    assert "securitySchemes" not in contract.bundle["components"]
