"""The fixture file's schema: unknown keys, wrong values and dangling references are refused
with the file, the place inside it and what was expected; the published JSON Schema is in sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dayzero_mock_kit.fixtures import DEFAULT_FIXTURES
from mock_server.cli import main
from mock_server.domain.identities import FixtureError, load_fixtures
from mock_server.fixture_schema import SCHEMA_PATH, schema_text

DEFAULT = DEFAULT_FIXTURES.read_text()


def test_the_published_json_schema_is_generated_from_the_model_and_the_default_fixture_names_it() -> None:
    assert SCHEMA_PATH.read_text() == schema_text(), "run: python -m mock_server.fixture_schema"
    assert DEFAULT.startswith(f"# yaml-language-server: $schema={SCHEMA_PATH.name}\n")
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["additionalProperties"] is False and set(schema["required"]) == {"businesses", "users", "tokens"}


def test_the_default_fixture_validates_against_the_published_json_schema() -> None:
    import jsonschema
    import yaml

    jsonschema.validate(yaml.safe_load(DEFAULT), json.loads(SCHEMA_PATH.read_text()))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    name: Initech Demo LLC\n    cfo_suite: false",
            "    name: Initech Demo LLC\n    cfo_suit: false",
            "businesses[2].cfo_suit: unknown key (expected one of id, name, cfo_suite)",
        ),
        ("report: bank_reconciliation", "report: bank_rec", "failures[0].report: input should be 'pl', "),
        (
            "  - token: dz_demo_globex\n    user: aaaaaaaa-0000-4000-8000-000000000002",
            "  - token: dz_demo_globex\n    user: aaaaaaaa-0000-4000-8000-00000000000f",
            "tokens[1].user: no user has the id 'aaaaaaaa-0000-4000-8000-00000000000f'",
        ),
        (
            "    businesses: [22222222-2222-4222-8222-222222222222]",
            "    businesses: [22222222-2222-4222-8222-22222222222f]",
            "users[1].businesses[0]: no business has the id '22222222-2222-4222-8222-22222222222f'",
        ),
        ("  closed_months: 3 ", "  closed_months: 30 ", "closed_months must be below periods.months"),
        ("  months: 24", "  months: many", "periods.months: input should be a valid integer"),
        ("    cfo_suite: true\n  - id: 2222", "    cfo_suite: maybe\n  - id: 2222", "businesses[0].cfo_suite: input"),
        # A business id that is no UUID names a business nobody can call (x-business-id must be one).
        ("  - id: 22222222-2222-4222-8222-222222222222\n", "  - id: globex\n", "businesses[1].id: expected a UUID"),
        # The same token, user or business twice: one entry would silently hide the other.
        (
            "  - token: dz_demo_globex",
            "  - token: dz_demo_acme",
            "tokens[1].token: 'dz_demo_acme' is already tokens[0]'s",
        ),
        (
            "  - id: aaaaaaaa-0000-4000-8000-000000000002\n",
            "  - id: aaaaaaaa-0000-4000-8000-000000000001\n",
            "users[1].id: 'aaaaaaaa-0000-4000-8000-000000000001' is already users[0]'s",
        ),
        (
            "  - id: 33333333-3333-4333-8333-333333333333\n",
            "  - id: 11111111-1111-4111-8111-111111111111\n",
            "businesses[2].id: '11111111-1111-4111-8111-111111111111' is already businesses[0]'s",
        ),
    ],
)
def test_a_mistake_in_a_fixture_file_names_the_file_the_place_and_what_was_expected(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in DEFAULT
    path = tmp_path / "team.yaml"
    path.write_text(DEFAULT.replace(old, new))
    with pytest.raises(FixtureError) as refused:
        load_fixtures(path)
    assert str(path) in str(refused.value) and expected in str(refused.value)


@pytest.mark.parametrize(("text", "got"), [("- a list\n", "(got a list)"), ("", "(got None)")])
def test_a_fixture_file_that_is_no_mapping_says_which_keys_it_should_have(tmp_path: Path, text: str, got: str) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(text)
    with pytest.raises(FixtureError) as refused:
        load_fixtures(path)
    assert f"the top level: expected a mapping with the keys businesses, users, tokens, periods, failures {got}" in str(
        refused.value
    )


def test_serve_with_a_bad_fixture_file_exits_2_with_the_sentence_and_no_traceback(tmp_path: Path, capsys) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(DEFAULT.replace("report: bank_reconciliation", "report: bank_rec"))
    assert main(["serve", "--fixtures", str(path)]) == 2
    err = capsys.readouterr().err
    assert "failures[0].report" in err and "Traceback" not in err
    path.write_text("businesses: [1, 2\n")
    assert main(["serve", "--fixtures", str(path)]) == 2
    assert "is not valid YAML at line 2" in capsys.readouterr().err
    assert main(["serve", "--fixtures", str(tmp_path / "missing.yaml")]) == 2
    assert "No such file or directory" in capsys.readouterr().err


def test_the_schema_command_prints_its_usage_for_a_flag_and_writes_no_file(tmp_path, monkeypatch, capsys) -> None:
    from mock_server.fixture_schema import main

    monkeypatch.chdir(tmp_path)
    assert main(["--help"]) == 0 and main(["--oops"]) == 2
    assert "usage: python -m mock_server.fixture_schema [PATH]" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert main([str(tmp_path / "schema.json")]) == 0 and (tmp_path / "schema.json").read_text().startswith("{")
