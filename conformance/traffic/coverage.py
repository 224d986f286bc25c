"""What the traffic exercised of the contract, and what it never did."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from conformance.http import Exchange
from dayzero_mock_kit.openapi import load_contract
from dayzero_mock_kit.openapi.operations import Operation

# Questions for statuses a client should be ready for (ours); others get a generic one.
QUESTIONS: dict[tuple[str, str], str] = {
    (Operation.GET_DOWNLOAD_URL, "400"): ("does your client handle a package that is not ready (or failed)?"),
    (Operation.CREATE_PERIOD, "409"): "does your client handle a period that overlaps another?",
    (Operation.CLOSE_PERIOD, "400"): "does your client handle a period already closed?",
    (Operation.REOPEN_PERIOD, "400"): ("does your client handle a period that is already open?"),
}
GENERIC = {
    "401": "does your client handle an expired or revoked token?",
    "403": "does your client handle a business it may not use?",
    "404": "does your client handle an id that does not exist (or belongs to another business)?",
    "422": "does your client show the validation errors?",
    "400": "does your client show the error's detail?",
}
PACKAGE_STATES = ("queued", "in_progress", "ready", "failed")


class Coverage:
    """Operations, statuses per operation, query parameters and enum values seen in the traffic."""

    def __init__(self) -> None:
        contract = load_contract()  # statuses and parameters are the same in both generations (204/200 aside)
        effective = contract.effective
        self._operations: dict[str, dict[str, Any]] = {}
        self._enums: dict[str, dict[str, list[str]]] = {}
        for path, item in sorted(effective["paths"].items()):
            for method, operation in item.items():
                op_id = operation["operationId"]
                self._operations[op_id] = {
                    "label": f"{method.upper()} {path}",
                    "statuses": {
                        status: response.get("description", "") for status, response in operation["responses"].items()
                    },
                    "query": [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"],
                }
                self._enums[op_id] = _body_enums(effective, operation)
        pagination = contract.extensions.get("pagination", {})
        for op_id, values in pagination.get("status-values", {}).items():
            self._enums.setdefault(op_id, {})["query.status"] = list(values)
        for op_id in pagination.get("sort-columns", {}):
            self._enums.setdefault(op_id, {})["query.direction"] = list(pagination.get("directions", []))
        self._calls: dict[str, int] = defaultdict(int)
        self._statuses: dict[str, set[str]] = defaultdict(set)
        self._params: dict[str, set[str]] = defaultdict(set)
        self._values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._package_states: set[str] = set()

    def add(self, exchange: Exchange, operation_id: str | None) -> None:
        if operation_id is None or operation_id not in self._operations:
            return
        self._calls[operation_id] += 1
        status = str(exchange.status)
        if operation_id == Operation.DELETE_SIGN_OFF and status == "200":
            status = "204"  # the envelope generation's 200 is the bare generation's 204
        self._statuses[operation_id].add(status)
        for name, value in exchange.query_items():
            self._params[operation_id].add(name)
            self._values[operation_id][f"query.{name}"].add(value)
        body = _json(exchange.body)
        if isinstance(body, dict):
            for name, value in body.items():
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        self._values[operation_id][f"body.{name}"].add(item)
        if operation_id == Operation.GET_PACKAGE and 200 <= exchange.status < 300:
            answer = _json(exchange.content)
            answer = answer.get("data", answer) if isinstance(answer, dict) else answer
            if isinstance(answer, dict) and isinstance(answer.get("status"), str):
                self._package_states.add(answer["status"])

    def to_json(self) -> dict[str, Any]:
        operations = {}
        for op_id, facts in self._operations.items():
            seen = sorted(self._statuses.get(op_id, set()))
            used = self._values[op_id]
            enums = {
                name: {"seen": sorted(set(values) & used[name]), "never": sorted(set(values) - used[name])}
                for name, values in self._enums.get(op_id, {}).items()
            }
            operations[op_id] = {
                "operation": facts["label"],
                "calls": self._calls.get(op_id, 0),
                "statuses_seen": seen,
                "statuses_never": sorted(set(facts["statuses"]) - set(seen)),
                "query_parameters_used": sorted(self._params.get(op_id, set())),
                "query_parameters_never": sorted(set(facts["query"]) - self._params.get(op_id, set())),
                "enum_values": enums,
            }
        return {
            "operations_called": sum(1 for op in operations.values() if op["calls"]),
            "operations_total": len(operations),
            "operations": operations,
            "package_states_seen": sorted(self._package_states),
            "hints": self.hints(),
        }

    def hints(self) -> list[str]:
        """What the traffic never did, phrased as questions for the integration."""
        found = []
        for op_id, facts in self._operations.items():
            label = facts["label"]
            if not self._calls.get(op_id):
                found.append(f"never called {label}.")
                continue
            for status, description in facts["statuses"].items():
                if status.startswith("2") or status in self._statuses[op_id]:
                    continue
                question = QUESTIONS.get((op_id, status)) or GENERIC.get(status, "does your client handle it?")
                found.append(f"never saw a {status} ({description}) from {label}: {question}")
        if self._calls.get(Operation.GET_PACKAGE):
            for state in PACKAGE_STATES:
                if state not in self._package_states:
                    found.append(f"never saw a package in status {state!r} while polling: is that screen tested?")
        return found


def _body_enums(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, list[str]]:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    schemas = document["components"]["schemas"]
    schema = schemas.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
    enums = {}
    for name, prop in schema.get("properties", {}).items():
        prop = prop.get("items", prop)
        prop = schemas.get(prop.get("$ref", "").rsplit("/", 1)[-1], prop)
        if "enum" in prop:
            enums[f"body.{name}"] = [str(v) for v in prop["enum"]]
    return enums


def _json(body: bytes | None) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None
