"""Connexion validators that answer like FastAPI: one 422 listing every pydantic v2 error.

Connexion's own validators answer 400 problem+json with the first error only, skip
``format`` checks, and fail with a 500 on invalid UTF-8 (STACK-NOTES). These replace them
through connexion's public ``validator_map``. Validated values are handed to the handlers
through connexion's request context (``query`` and ``payload`` keyword arguments).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import jsonschema_rs
from connexion.exceptions import NonConformingResponseBody
from connexion.validators import AbstractRequestBodyValidator, AbstractResponseBodyValidator
from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.edge.errors import ApiError, RequestValidationError
from mock_server.edge.schema_models import SchemaModels
from mock_server.edge.scopes import header, operation_id


@dataclass(frozen=True)
class OperationModels:
    """The pydantic models one operation's request is checked against."""

    query: type[BaseModel] | None
    body: type[BaseModel] | None


def compile_request_models(document: Mapping[str, Any]) -> dict[str, OperationModels]:
    """Build query and body models for every operation of an OpenAPI 3.1 document."""
    models = SchemaModels(document)
    compiled: dict[str, OperationModels] = {}
    for item in document.get("paths", {}).values():
        for operation in item.values():
            query = {
                p["name"]: (p.get("schema", {}), bool(p.get("required")))
                for p in operation.get("parameters", [])
                if p["in"] == "query"
            }
            body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            op_id = operation["operationId"]
            compiled[op_id] = OperationModels(
                query=models.model_for_fields(f"{op_id}_query", query) if query else None,
                body=models.annotation(body_schema, f"{op_id}_body") if body_schema else None,
            )
    return compiled


def pydantic_errors(error: ValidationError, location: str) -> list[dict[str, Any]]:
    """FastAPI's rendering of pydantic errors: ``loc`` prefixed, values made JSON-safe."""
    rendered = []
    for entry in error.errors(include_url=False):
        item: dict[str, Any] = {
            "type": entry["type"],
            "loc": [location, *entry["loc"]],
            "msg": entry["msg"],
            "input": _json_safe(entry.get("input")),
        }
        if "ctx" in entry:
            item["ctx"] = {key: _json_safe(value) for key, value in entry["ctx"].items()}
        rendered.append(item)
    return rendered


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(value)


def _context(scope: Scope) -> dict[str, Any]:
    return scope.setdefault("extensions", {}).setdefault("connexion_context", {})


class QueryValidator:
    """Replaces connexion's parameter validator (query parameters only: the contract's
    header and path parameters are free strings, checked by the access layer and handlers)."""

    models: ClassVar[Mapping[str, OperationModels]] = {}

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        pass

    def validate(self, scope: Scope) -> None:
        op_models = self.models.get(operation_id(scope) or "")
        if op_models is None or op_models.query is None:
            return
        _context(scope)["query"] = validated_query(op_models.query, scope.get("query_string", b""))


def validated_query(model: type[BaseModel], query_string: bytes) -> dict[str, Any]:
    """The query string's parameters as ``model`` validates them, or the contract's 422.

    A pure function of the two: the last valid ones are kept (clients repeat the same few
    query strings: a first page, a poll), and each caller gets its own copy of the dict."""
    return dict(_validated_query(model, query_string))


@functools.lru_cache(maxsize=1024)
def _validated_query(model: type[BaseModel], query_string: bytes) -> dict[str, Any]:
    raw = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    try:
        parsed = model.model_validate(raw)
    except ValidationError as error:
        raise RequestValidationError(pydantic_errors(error, "query")) from None
    return parsed.model_dump(by_alias=True)


def parse_json_body(raw: bytes, model: type[BaseModel]) -> BaseModel:
    """The body as ``model``, or the contract's 422 (FastAPI's 400 for bytes that are no JSON text)."""
    if not raw.strip():
        raise RequestValidationError([{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}])
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ["body", error.pos],
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": error.msg},
                }
            ]
        ) from None
    except (ValueError, RecursionError):
        # Invalid UTF-8, a number too long to convert, nesting too deep: FastAPI's answer.
        raise ApiError(400, "There was an error parsing the body") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise RequestValidationError(pydantic_errors(error, "body")) from None


class JsonBodyValidator(AbstractRequestBodyValidator):
    """Reads the whole body (bounded), parses JSON and validates it with pydantic."""

    models: ClassVar[Mapping[str, OperationModels]] = {}
    max_bytes: ClassVar[int] = 1_048_576

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        messages: list[Any] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                raise ApiError(400, f"Request body is larger than {self.max_bytes} bytes.")
            more = message.get("more_body", False)
        raw = b"".join(m.get("body", b"") for m in messages)

        op_models = self.models.get(operation_id(scope) or "")
        if op_models is not None and op_models.body is not None:
            _context(scope)["payload"] = parse_json_body(raw, op_models.body)
        return self._insert_messages(receive, messages=iter(messages)), scope


class JsonResponseValidator(AbstractResponseBodyValidator):
    """Checks JSON responses against the published 3.1 schemas with jsonschema-rs."""

    validators: ClassVar[dict[tuple[str, str], Any]] = {}

    def wrap_send(self, send: Send) -> Send:
        op_id = operation_id(self._scope) or ""
        status = ""

        async def send_(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = str(message["status"])
            elif message["type"] == "http.response.body":
                validator = self.validators.get((op_id, status))
                body = message.get("body", b"")
                if validator is not None and body:
                    errors = [e.message for e in validator.iter_errors(json.loads(body))]
                    if errors:
                        raise NonConformingResponseBody(detail=f"{op_id} {status}: {errors[:3]}")
            await send(message)

        return send_


def compile_response_validators(document: Mapping[str, Any]) -> dict[tuple[str, str], Any]:
    """(operationId, status) -> compiled jsonschema-rs validator of the JSON body."""
    compiled = {}
    components = document.get("components", {})
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for status, response in operation.get("responses", {}).items():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema is not None:
                    root = {**schema, "components": components}
                    compiled[(operation["operationId"], status)] = jsonschema_rs.Draft202012Validator(root)
    return compiled


def make_validator_map(
    models: Mapping[str, OperationModels],
    document: Mapping[str, Any],
    *,
    max_body_bytes: int,
    validate_responses: bool,
) -> dict[str, Any]:
    """Connexion ``validator_map`` bound to one contract's request models (from
    ``compile_request_models``) and document (no module globals)."""
    query = type("ContractQueryValidator", (QueryValidator,), {"models": models})
    body = type("ContractJsonBodyValidator", (JsonBodyValidator,), {"models": models, "max_bytes": max_body_bytes})
    validator_map: dict[str, Any] = {"parameter": query, "body": {"application/json": body}}
    if validate_responses:
        response = type(
            "ContractResponseValidator", (JsonResponseValidator,), {"validators": compile_response_validators(document)}
        )
        validator_map["response"] = {"application/json": response}
    return validator_map


class IgnoreBodyOfBodylessOperations:
    """FastAPI reads no body for an operation that declares none, whatever Content-Type says.

    Connexion would parse a multipart or form body all the same and answer an undeclared 400
    ("Missing boundary in multipart.") to a GET that merely carries such a header. For
    operations without a requestBody the header is dropped before connexion sees it.
    """

    def __init__(self, app: ASGIApp, *, bodyless: frozenset[str]) -> None:
        self.app = app
        self.bodyless = bodyless

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and operation_id(scope) in self.bodyless and header(scope, b"content-type"):
            headers = [(name, value) for name, value in scope["headers"] if name != b"content-type"]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


def bodyless_operations(document: Mapping[str, Any]) -> frozenset[str]:
    """operationIds of the operations that declare no request body."""
    return frozenset(
        operation["operationId"]
        for item in document.get("paths", {}).values()
        for operation in item.values()
        if "requestBody" not in operation
    )
