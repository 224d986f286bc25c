"""Faults live in one layer: each written once in bending/faults.py, none named by a handler."""

from __future__ import annotations

from pathlib import Path

from mock_server.bending.faults import ARCHIVE_FAULTS, EDGE_FAULTS, FAULTS, REPLY_BENDS, STATE_FAULTS

MOCK = Path(__file__).resolve().parents[3] / "mock_server"


def test_every_fault_is_exactly_one_kind_of_bend() -> None:
    kinds = [set(REPLY_BENDS), set(STATE_FAULTS), set(ARCHIVE_FAULTS), set(EDGE_FAULTS)]
    assert set().union(*kinds) == set(FAULTS)
    assert sum(len(kind) for kind in kinds) == len(FAULTS)


def test_no_module_outside_the_layer_names_a_fault() -> None:
    layer = {MOCK / "bending" / "faults.py"}
    named = {
        (str(path.relative_to(MOCK)), fault)
        for path in MOCK.rglob("*.py")
        if path not in layer
        for fault in FAULTS
        if f'"{fault}"' in path.read_text()
    }
    assert named == set()
