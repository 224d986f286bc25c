"""The kit names operations only through the table (``Operation``): no operationId, API path or
path segment is written out in conformance/, the way tests/mock_server/bending/test_fault_layer.py keeps fault names
in their one layer."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from dayzero_mock_kit.openapi.operations import Operation

KIT = Path(__file__).resolve().parents[2] / "conformance"
# The literal segments of the published paths ("month-end-packages", "close-readiness", ...).
SEGMENTS = sorted(
    {part for op in Operation for part in op.path.split("/") if part and not part.startswith("{")} - {"api", "v1"}
)
# A segment written as the start of a path ("/reopen", f"{url}/sign-offs"), not as a word of prose.
WRITTEN_PATH = re.compile(r"[\"'}]/(?:api/v\d|" + "|".join(map(re.escape, SEGMENTS)) + r")\b")


def _sources() -> list[Path]:
    sources = sorted(KIT.rglob("*.py"))
    assert len(sources) > 30, f"the kit's modules were not found under {KIT}"
    return sources


def test_no_module_of_the_kit_writes_out_an_operation_id() -> None:
    named = {
        (str(path.relative_to(KIT)), operation.name)
        for path in _sources()
        for operation in Operation
        if operation.value in path.read_text()
    }
    assert named == set()


def test_no_module_of_the_kit_writes_out_an_api_path() -> None:
    written = {
        (str(path.relative_to(KIT)), line.strip())
        for path in _sources()
        for line in path.read_text().splitlines()
        if "/api/v1" in line or WRITTEN_PATH.search(line)
    }
    assert written == set()


def test_the_guard_sees_what_it_guards_against() -> None:
    assert WRITTEN_PATH.search('ctx.client.get(f"{PERIODS}/{period_id}/close-score")')
    assert WRITTEN_PATH.search('API = "/api/v1/month-end-packages"')
    assert not WRITTEN_PATH.search('"a closed period refuses the change until it is reopened"')


@given(st.sampled_from(list(Operation)))
def test_an_operation_round_trips_through_its_id(operation: Operation) -> None:
    assert Operation.of(operation.value) is operation
    assert Operation.of(str(operation)) is operation
    assert operation.route == f"{operation.method} {operation.path}"
    assert [op for op in Operation if op.route == operation.route] == [operation]


@given(st.text())
def test_a_string_outside_the_table_is_no_operation(text: str) -> None:
    assert (Operation.of(text) is None) == (text not in {op.value for op in Operation})
