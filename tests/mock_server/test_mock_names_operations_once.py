"""Operations are named in one place: ``Operation`` (dayzero_mock_kit/openapi/operations.py).

No module of the mock writes an operationId or a published path out; each refers to the
``Operation`` member (its value, ``.path``, ``.route``), so renaming or adding an operation is one
table's change.
"""

from __future__ import annotations

import re
from pathlib import Path

from dayzero_mock_kit.openapi.operations import Operation

MOCK = Path(__file__).resolve().parents[2] / "mock_server"
PUBLISHED_PREFIX = "/api/v1"


def _sources() -> dict[str, str]:
    return {str(path.relative_to(MOCK)): path.read_text(encoding="utf-8") for path in MOCK.rglob("*.py")}


def test_no_module_of_the_mock_writes_an_operation_id_out() -> None:
    named = {
        (module, operation.name)
        for module, text in _sources().items()
        for operation in Operation
        if operation.value in text
    }
    assert named == set()


def test_no_module_of_the_mock_writes_a_published_path_out() -> None:
    # Each path template and its prefix: a full path, or any /api/v1/... written by hand.
    pattern = re.compile(re.escape(PUBLISHED_PREFIX) + r"/[a-z]")
    assert all(operation.path.startswith(PUBLISHED_PREFIX + "/") for operation in Operation)
    written = {module for module, text in _sources().items() if pattern.search(text)}
    assert written == set()


def test_every_operation_has_its_envelope_message() -> None:
    from mock_server.edge.generations import MESSAGES

    assert set(MESSAGES) == set(Operation)
