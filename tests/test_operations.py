"""The table of operations (``Operation``) is exactly the published bundle's operations."""

from __future__ import annotations

import pytest

from dayzero_mock_kit.openapi import GENERATIONS, load_contract
from dayzero_mock_kit.openapi.operations import Operation


@pytest.mark.parametrize("generation", GENERATIONS)
def test_the_table_is_the_bundles_operations(generation: str) -> None:
    bundle = load_contract(generation).bundle
    published = {
        (operation["operationId"], method.upper(), path, operation["tags"][0], operation["summary"])
        for path, item in bundle["paths"].items()
        for method, operation in item.items()
    }
    assert {(op.value, op.method, op.path, op.tag, op.label) for op in Operation} == published


def test_an_operation_is_found_by_its_id_and_nothing_else_is() -> None:
    assert Operation.of("create_package_api_v1_month_end_packages_post") is Operation.CREATE_PACKAGE
    assert Operation.CREATE_PACKAGE.route == "POST /api/v1/month-end-packages"
    assert Operation.of("reset") is None
    assert len(Operation) == 17
