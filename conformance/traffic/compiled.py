"""The proxy's fast path: each operation's parameter, body and response schemas compiled once
with jsonschema-rs, so an exchange that is certainly valid costs microseconds.

openapi-core stays the validator of record: whatever this fast path cannot vouch for (an
unknown status, a body jsonschema-rs refuses, a parameter it cannot read, a response without
a JSON body) goes to openapi-core, whose violations are the ones reported. The fast path only
ever says "valid, no need to ask"; it never reports a violation itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs


def _validator(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    # Refs are "#/components/schemas/X": embed the components in the root the refs resolve against.
    return jsonschema_rs.Draft202012Validator({**schema, "components": components}, validate_formats=True)


def _scalar_type(schema: dict[str, Any]) -> str:
    """The parameter's type, looking through FastAPI's anyOf[X, null]."""
    if "type" in schema:
        return str(schema["type"])
    for option in schema.get("anyOf", []):
        if option.get("type") not in (None, "null"):
            return str(option["type"])
    return "string"


def _coerce(text: str, kind: str) -> Any:
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise ValueError(text)
        return text == "true"
    return text


UNPARSED: Any = object()  # response_is_valid: no parsed value given (a parsed body may be None: JSON null)


@dataclass
class CompiledOperation:
    query: dict[str, tuple[bool, str, Any]] = field(default_factory=dict)  # name -> (required, type, validator)
    body: Any = None  # validator of the JSON request body, or None when there is none
    body_required: bool = False
    has_body: bool = False
    responses: dict[str, Any] = field(default_factory=dict)  # status -> validator, or None (JSON, no schema)

    def request_is_valid(self, query: list[tuple[str, str]], content_type: str, body: bytes) -> bool:
        given = dict(query)
        if len(given) != len(query):
            return False  # a repeated parameter: let openapi-core judge
        for name, (required, kind, validator) in self.query.items():
            if name not in given:
                if required:
                    return False
                continue
            try:
                if not validator.is_valid(_coerce(given[name], kind)):
                    return False
            except ValueError:
                return False
        if not self.has_body:
            return not body
        if not body:
            return not self.body_required
        if content_type != "application/json" or self.body is None:
            return False
        try:
            return bool(self.body.is_valid(json.loads(body)))
        except ValueError:
            return False

    def response_is_valid(self, status: int, content_type: str | None, body: bytes, parsed: Any = UNPARSED) -> bool:
        """``parsed``: the body's JSON value when the caller has parsed it already (it is not parsed again)."""
        key = str(status)
        if key not in self.responses or not content_type or content_type.split(";")[0] != "application/json":
            return False
        if parsed is UNPARSED:
            try:
                parsed = json.loads(body)
            except ValueError:
                return False
        value = parsed
        validator = self.responses[key]
        return validator is None or bool(validator.is_valid(value))


class CompiledContract:
    """Every operation of one bundle, compiled once."""

    def __init__(self, bundle: dict[str, Any]) -> None:
        components = bundle.get("components", {})
        self.operations: dict[str, CompiledOperation] = {}
        for item in bundle.get("paths", {}).values():
            for operation in item.values():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                self.operations[operation["operationId"]] = _compile(operation, components)

    def get(self, operation_id: str) -> CompiledOperation | None:
        return self.operations.get(operation_id)


def _compile(operation: dict[str, Any], components: dict[str, Any]) -> CompiledOperation:
    compiled = CompiledOperation()
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query":
            schema = parameter.get("schema", {})
            compiled.query[parameter["name"]] = (
                bool(parameter.get("required")),
                _scalar_type(schema),
                _validator(schema, components),
            )
    request_body = operation.get("requestBody")
    if request_body:
        compiled.has_body = True
        compiled.body_required = bool(request_body.get("required"))
        schema = request_body.get("content", {}).get("application/json", {}).get("schema")
        compiled.body = _validator(schema, components) if schema is not None else None
    for status, response in operation.get("responses", {}).items():
        content = response.get("content", {}).get("application/json")
        if content is None:
            continue  # no JSON body (204): openapi-core judges those
        schema = content.get("schema")
        compiled.responses[status] = _validator(schema, components) if schema is not None else None
    return compiled
