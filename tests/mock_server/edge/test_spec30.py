from connexion.spec import Specification

from dayzero_mock_kit.openapi import load_contract
from mock_server.edge.spec30 import downgrade


def test_null_unions_become_nullable() -> None:
    node = downgrade(
        {"openapi": "3.1.0", "x": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}], "title": "Limit"}}
    )
    assert node["openapi"] == "3.0.3"
    assert node["x"] == {"type": "integer", "minimum": 1, "title": "Limit", "nullable": True}


def test_nullable_ref_is_wrapped_in_allof_and_3_1_keywords_are_rewritten() -> None:
    node = downgrade(
        {
            "a": {"anyOf": [{"$ref": "#/x"}, {"type": "null"}]},
            "b": {"type": ["string", "null"]},
            "c": {"const": 3},
            "d": {"type": "number", "exclusiveMinimum": 0},
        }
    )
    assert node["a"] == {"allOf": [{"$ref": "#/x"}], "nullable": True}
    assert node["b"] == {"type": "string", "nullable": True}
    assert node["c"] == {"enum": [3]}
    assert node["d"] == {"type": "number", "minimum": 0, "exclusiveMinimum": True}


def test_connexion_accepts_the_rendition_of_the_bundle_and_of_the_control_api() -> None:
    contract = load_contract()
    Specification.load(downgrade(contract.bundle))
    Specification.load(downgrade(contract.control))
