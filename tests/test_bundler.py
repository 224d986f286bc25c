import copy
import json

import pytest
from openapi_spec_validator import validate

from dayzero_mock_kit.openapi import GENERATIONS, load_contract
from dayzero_mock_kit.openapi.bundler import BundleConflictError, bundle_slices, load_slices, rendered_bundles
from dayzero_mock_kit.openapi.envelope import envelope_bundle, load_envelope_facts

PERIODS = "/api/v1/accounting-periods"


def test_every_slice_is_a_valid_openapi_31_document() -> None:
    slices = load_slices()
    assert len(slices) == 17
    for doc in slices.values():
        assert doc["openapi"] == "3.1.0"
        [(path, item)] = doc["paths"].items()
        [method] = item
        assert doc["info"]["title"] == f"{method.upper()} {path}"
        assert list(doc["components"]["schemas"]) == sorted(doc["components"]["schemas"])
        validate(doc)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_bundle_effective_and_control_documents_are_valid(generation: str) -> None:
    contract = load_contract(generation)
    validate(contract.bundle)
    validate(contract.effective)
    validate(contract.control)


def test_both_committed_bundles_are_in_sync_with_the_slices() -> None:
    for path, text in rendered_bundles().items():
        assert path.read_text() == text, f"{path.name} is stale; run: python -m dayzero_mock_kit.openapi.bundler"


def test_bundle_holds_each_published_operation_once_with_its_declared_statuses() -> None:
    operations = load_contract().operations()
    declared = {
        op_id.partition("_api_v1_")[0]: " ".join(sorted(op["responses"])) for op_id, (_, _, op) in operations.items()
    }
    assert declared == {
        "create_package": "201 400 401 403 404 422",
        "list_packages": "200 401 403 422",
        "get_package": "200 401 403 404 422",
        "get_download_url": "200 400 401 403 404 422",
        "list_periods": "200 401 403 422",
        "create_period": "201 400 401 403 409 422",
        "get_period": "200 401 403 404 422",
        "close_period": "201 400 401 403 404 422",
        "reopen_period": "201 400 401 403 404 422",
        "bulk_lock_periods": "201 400 401 403 422",
        "check_close_readiness": "201 401 403 404 422",
        "get_close_score": "200 401 403 404 422",
        "get_score_history": "200 401 403 404 422",
        "list_period_checklist_acks": "200 401 403 404 422",
        "acknowledge_checklist_step": "200 400 401 403 404 422",
        "create_period_sign_off": "201 400 401 403 404 422",
        "delete_period_sign_off": "204 401 403 404 422",
    }


def test_literal_segments_sit_beside_the_period_id_template() -> None:
    paths = load_contract().bundle["paths"]
    assert list(paths[f"{PERIODS}/close"]) == ["post"] and list(paths[f"{PERIODS}/bulk-lock"]) == ["post"]
    assert list(paths[f"{PERIODS}/{{period_id}}"]) == ["get"]


def test_unpublished_models_stay_untyped_in_the_bare_slices_and_are_ours_in_the_effective_view() -> None:
    contract = load_contract("bare")
    score = contract.bundle["paths"][f"{PERIODS}/{{period_id}}/close-score"]["get"]["responses"]["200"]
    assert score["content"]["application/json"]["schema"] == {}
    assert "GetCloseScoreResponse" not in contract.bundle["components"]["schemas"]
    effective = contract.effective
    typed = effective["paths"][f"{PERIODS}/{{period_id}}/close-score"]["get"]["responses"]["200"]
    assert typed["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/GetCloseScoreResponse"}
    assert effective["components"]["schemas"]["GetCloseScoreResponse"]["x-dayzero-source"] == "ours"


def test_envelope_bundle_wraps_every_success_and_no_error() -> None:
    bare, envelope = load_contract("bare").bundle, load_contract("envelope").bundle
    schemas = envelope["components"]["schemas"]
    for path, item in envelope["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if status.startswith("2"):
                    name = schema["$ref"].rsplit("/", 1)[-1]
                    assert name.startswith("SuccessEnvelope"), (path, method, status)
                    assert "required" not in schemas[name]
                    assert set(schemas[name]["properties"]) <= {"success", "message", "code", "data"}
                else:
                    assert response == bare["paths"][path][method]["responses"][status], "errors are never wrapped"
    delete = envelope["paths"][f"{PERIODS}/{{period_id}}/sign-offs"]["delete"]["responses"]
    assert "204" not in delete and set(schemas["SuccessEnvelope"]["properties"]) == {"success", "message", "code"}
    close = schemas["SuccessEnvelope_AccountingPeriodResponse_"]["properties"]["data"]
    assert close == {"$ref": "#/components/schemas/AccountingPeriodResponse"}
    assert schemas["SuccessEnvelope_GetCloseScoreResponse_"]["title"] == "SuccessEnvelope[GetCloseScoreResponse]"


def test_envelope_only_additions_appear_in_the_envelope_bundle_only() -> None:
    bare, envelope = load_contract("bare").bundle, load_contract("envelope").bundle
    assert "force" not in bare["components"]["schemas"]["ClosePeriodRequest"]["properties"]
    assert envelope["components"]["schemas"]["ClosePeriodRequest"]["properties"]["force"]["type"] == "boolean"
    names = [[p["name"] for p in doc["paths"][PERIODS]["get"]["parameters"]] for doc in (bare, envelope)]
    assert "search" not in names[0] and "search" in names[1]
    assert names[1].index("search") < names[1].index("authorization"), "query parameters before the headers"


def test_the_envelope_rule_refuses_an_untyped_success_it_cannot_name() -> None:
    from dayzero_mock_kit.openapi.envelope import EnvelopeError

    bare = copy.deepcopy(load_contract("bare").bundle)
    facts = load_envelope_facts()
    facts["data-models"] = {}
    with pytest.raises(EnvelopeError, match=r"neither a \$ref nor a named untyped body"):
        envelope_bundle(bare, facts)


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
