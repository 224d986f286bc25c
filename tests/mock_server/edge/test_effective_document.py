"""What /openapi.effective.json says for the tools pointed at it, checked against what the mock does:
its enums are exactly what the mock accepts, its error schemas fit the mock's real error answers,
its links lead from each create to answers about what was created, in both generations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from dayzero_mock_kit.openapi import GENERATIONS, load_contract
from dayzero_mock_kit.openapi.operations import Operation
from mock_server.app import create_app
from mock_server.edge.effective_document import ERROR_SCHEMA
from mock_server.settings import Settings
from tests.conftest import ACME


@pytest.fixture(params=GENERATIONS)
def generation(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(generation: str) -> Iterator[TestClient]:
    settings = Settings(clock="frozen", validate_responses=True, generation=generation)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:4010") as test_client:
        yield test_client


def operation(document: dict[str, Any], member: Operation) -> dict[str, Any]:
    return document["paths"][member.path][member.method.lower()]


def body_schema(document: dict[str, Any], member: Operation, status: str) -> Any:
    """A validator of ``member``'s ``status`` answer as the document states it."""
    schema = operation(document, member)["responses"][status]["content"]["application/json"]["schema"]
    return jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})


def pointer(expression: str, body: Any) -> Any:
    """A ``$response.body#/a/b`` runtime expression evaluated on ``body``."""
    assert expression.startswith("$response.body#/"), expression
    for key in expression.split("#/", 1)[1].split("/"):
        body = body[int(key)] if isinstance(body, list) else body[key]
    return body


def test_the_effective_document_is_valid_openapi_and_the_published_one_is_untouched(
    client: TestClient, generation: str
) -> None:
    document = client.get("/openapi.effective.json").json()
    validate(document)
    assert client.get("/openapi.json").json() == load_contract(generation).bundle


def test_list_enums_are_exactly_what_the_mock_accepts(client: TestClient) -> None:
    document = client.get("/openapi.effective.json").json()
    for member in (Operation.LIST_PACKAGES, Operation.LIST_PERIODS):
        for parameter in operation(document, member)["parameters"]:
            if parameter["name"] not in ("sort_by", "direction"):
                continue
            schema = parameter["schema"]
            allowed = next((b["enum"] for b in schema.get("anyOf", [schema]) if "enum" in b), None)
            assert allowed, f"{member.name} {parameter['name']} has an enum"
            for value in allowed:
                answer = client.get(member.path, params={parameter["name"]: value}, headers=ACME)
                assert answer.status_code == 200, (member.name, value, answer.text)
            refused = client.get(member.path, params={parameter["name"]: "not-" + allowed[0]}, headers=ACME)
            assert refused.status_code == 422, (member.name, parameter["name"])
        # The status filter is not refused outside its values (an empty page), so it has no enum.
        status = next(p for p in operation(document, member)["parameters"] if p["name"] == "status")
        assert "enum" not in json.dumps(status["schema"])
        assert client.get(member.path, params={"status": "bogus"}, headers=ACME).status_code == 200


def test_every_error_answer_has_a_schema_that_the_mock_answers_to(client: TestClient) -> None:
    document = client.get("/openapi.effective.json").json()
    for member in Operation:
        responses = operation(document, member)["responses"]
        assert {"429", "503"} <= set(responses), member.name
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert "schema" in response.get("content", {}).get("application/json", {}), (member.name, status)
        assert all(
            s["schema"] == {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
            for code, r in responses.items()
            if code in ("401", "403", "404")
            for s in [r["content"]["application/json"]]
        )
    answers = {
        "401": client.get(Operation.GET_PERIOD.path.format(period_id="x")),
        "403": client.get(
            Operation.LIST_PERIODS.path, headers={**ACME, "x-business-id": "22222222-2222-4222-8222-222222222229"}
        ),
        "404": client.get(Operation.GET_PERIOD.path.format(period_id="no-such-period"), headers=ACME),
    }
    for status, answer in answers.items():
        assert answer.status_code == int(status), answer.text
        member = Operation.LIST_PERIODS if status == "403" else Operation.GET_PERIOD
        assert body_schema(document, member, status).is_valid(answer.json()), answer.text
    periods = client.get(Operation.LIST_PERIODS.path, headers=ACME).json()
    existing = (periods.get("data") or periods)["items"][0]
    overlap = {"period_start": existing["period_start"], "period_end": existing["period_end"]}
    conflict = client.post(Operation.CREATE_PERIOD.path, json=overlap, headers=ACME)
    assert conflict.status_code == 409 and body_schema(document, Operation.CREATE_PERIOD, "409").is_valid(
        conflict.json()
    )


def test_links_lead_from_each_create_to_what_it_made(client: TestClient) -> None:
    document = client.get("/openapi.effective.json").json()
    by_id = {member.value: member for member in Operation}

    def links(member: Operation, status: str = "201") -> dict[str, Any]:
        found = operation(document, member)["responses"][status]["links"]
        assert found, member.name
        return found

    def follow(link: dict[str, Any], body: Any) -> Any:
        target = by_id[link["operationId"]]
        values = {name.split(".")[-1]: pointer(expr, body) for name, expr in link.get("parameters", {}).items()}
        path = target.path.format(**{k: v for k, v in values.items() if f"{{{k}}}" in target.path})
        query = {k: v for k, v in values.items() if f"{{{k}}}" not in target.path}
        json_body = {k: pointer(v, body) for k, v in link["requestBody"].items()} if "requestBody" in link else None
        if target.method in ("POST", "PUT"):
            json_body = json_body or {
                Operation.CREATE_SIGN_OFF: {"role": "preparer"},
                Operation.REOPEN_PERIOD: {"reopen_reason": "Linked"},
            }.get(target, {})
        return client.request(target.method, path, params=query, json=json_body, headers=ACME)

    made = client.post(
        Operation.CREATE_PERIOD.path, json={"period_start": "2031-01-01", "period_end": "2031-01-31"}, headers=ACME
    )
    assert made.status_code == 201, made.text
    period_links = links(Operation.CREATE_PERIOD)
    for name in ("GetPeriod", "GetCloseScore", "ListChecklistAcks", "CheckCloseReadiness"):
        answer = follow(period_links[name], made.json())
        assert answer.status_code in (200, 201), (name, answer.text)
    signed = follow(period_links["CreateSignOff"], made.json())
    assert signed.status_code == 201, signed.text
    revoked = follow(links(Operation.CREATE_SIGN_OFF)["RevokeSignOff"], signed.json())
    assert str(revoked.status_code) in operation(document, Operation.DELETE_SIGN_OFF)["responses"], revoked.text
    assert revoked.status_code < 300
    closed = follow(period_links["ClosePeriod"], made.json())
    assert closed.status_code == 201, closed.text
    assert follow(links(Operation.CLOSE_PERIOD)["ReopenPeriod"], closed.json()).status_code == 201

    package = client.post(
        Operation.CREATE_PACKAGE.path,
        json={"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"},
        headers=ACME,
    )
    assert package.status_code == 201
    assert follow(links(Operation.CREATE_PACKAGE)["GetPackage"], package.json()).status_code == 200


@pytest.mark.parametrize("generation", GENERATIONS)
def test_chaos_answers_fit_the_documented_429_and_503(generation: str) -> None:
    settings = Settings(clock="frozen", validate_responses=True, generation=generation, chaos=1.0)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:4010") as client:
        document = client.get("/openapi.effective.json").json()
        seen = set()
        for _ in range(40):
            answer = client.get(Operation.LIST_PERIODS.path, headers=ACME)
            status = str(answer.status_code)
            if status in ("429", "503"):
                seen.add(status)
                assert body_schema(document, Operation.LIST_PERIODS, status).is_valid(answer.json()), answer.text
            if status == "429":
                assert answer.headers["retry-after"].isdigit()
    assert seen == {"429", "503"}


def test_refusals_name_what_the_mock_refuses_and_the_cursor_is_marked_opaque(client: TestClient) -> None:
    document = client.get("/openapi.effective.json").json()
    read_only = load_contract().extensions["read-only-periods"]
    for operation_id in read_only["operations"]:
        member = Operation(operation_id)
        assert str(read_only["status"]) in operation(document, member)["x-dayzero-refusals"], member.name
        assert str(read_only["status"]) in operation(document, member)["responses"], member.name
    periods = client.get(Operation.LIST_PERIODS.path, params={"status": "locked"}, headers=ACME).json()
    locked = (periods.get("data") or periods)["items"][0]["id"]
    refused = client.post(
        Operation.CREATE_SIGN_OFF.path.format(period_id=locked), json={"role": "preparer"}, headers=ACME
    )
    assert refused.status_code == read_only["status"]
    assert body_schema(document, Operation.CREATE_SIGN_OFF, str(refused.status_code)).is_valid(refused.json())
    again = client.post(Operation.CLOSE_PERIOD.path, json={"period_end": periods_end(client, locked)}, headers=ACME)
    assert str(again.status_code) in operation(document, Operation.CLOSE_PERIOD)["x-dayzero-refusals"], again.text
    for member in (Operation.LIST_PACKAGES, Operation.LIST_PERIODS):
        cursor = next(p for p in operation(document, member)["parameters"] if p["name"] == "cursor")
        assert "422" in cursor["x-dayzero-refusals"]
        assert client.get(member.path, params={"cursor": "forged"}, headers=ACME).status_code == 422
        assert client.get(member.path, params={"cursor": ""}, headers=ACME).status_code == 200


def periods_end(client: TestClient, period_id: str) -> str:
    period = client.get(Operation.GET_PERIOD.path.format(period_id=period_id), headers=ACME).json()
    return str((period.get("data") or period)["period_end"])
