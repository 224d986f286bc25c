"""What ``/openapi.effective.json`` adds for the tools people point at it (all ours).

Codegen, Postman and fuzzers read the effective document as the mock's own statement of what
it accepts and answers. The published bundle leaves much of that in prose, so this module
writes it into the served document only (never the slices, bundles or ``/openapi.json``):

- the values the mock enforces, from the same facts it enforces them from (the overlay's
  ``x-dayzero``): ``direction`` and ``sort_by`` of the lists as enums, the business header as a
  UUID; create-package's rules a schema can say (dates without a period, no report twice);
- every error answer as a schema: ``{"detail": "..."}`` for 400/401/403/404/409 and for the
  429/503 that ``--chaos`` and steered faults answer (422 keeps the published
  ``HTTPValidationError``);
- OpenAPI ``links`` from each create to what follows it, with the id's place read from the
  response schema (``$response.body#/id`` bare, ``#/data/id`` in the envelope generation);
- ``x-dayzero-refusals`` per operation: the answers a schema-valid request may still get for
  rules no JSON Schema can state (the period's state, an end before a start), with the reason;
  and on a parameter only the server's answers can fill (``cursor``: any other value is 422).
  Fuzzers can be told to expect exactly these, and to leave such parameters empty.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dayzero_mock_kit.openapi.operations import Operation

ERROR_SCHEMA = "ErrorDetail"
ERROR_STATUSES = ("400", "401", "403", "404", "409", "429", "503")
FAULT_STATUSES = {  # answered by any operation under --chaos or a steered fault (bending/steering.py)
    "429": "Too many requests (under `--chaos` or a steered fault; ours). Retry after `Retry-After` seconds.",
    "503": "Service temporarily unavailable (under `--chaos` or a steered fault; ours).",
}

# Each create (or state change) returns a resource whose id the operations after it take.
_CREATES: dict[Operation, str] = {
    Operation.CREATE_PACKAGE: "package_id",
    Operation.CREATE_PERIOD: "period_id",
    Operation.CLOSE_PERIOD: "period_id",
    Operation.REOPEN_PERIOD: "period_id",
}

# A parameter only the server's own answers fill: any other value is refused (status -> why).
_OPAQUE_PARAMETERS: dict[str, dict[str, str]] = {
    "cursor": {
        "422": "a `cursor` the server did not issue (cursors are opaque and signed: take `next_cursor` or"
        " `prev_cursor` of a page), or issued for another business, sort or filter, is refused with 422;"
        " empty or absent is the first page"
    }
}
# Rules a schema-valid request can still break, by operation: status -> why (see the module doc).
_REFUSALS: dict[Operation, dict[str, str]] = {
    Operation.CREATE_PACKAGE: {"422": "`period_start` after `period_end` is refused with 422"},
    Operation.GET_DOWNLOAD_URL: {"400": "a package that is not ready (yet, or ever: failed) has no download: 400"},
    Operation.CREATE_PERIOD: {"422": "`period_end` before `period_start` is refused with 422"},
    Operation.CLOSE_PERIOD: {"400": "a period already closed or locked cannot be closed: 400"},
    Operation.REOPEN_PERIOD: {"400": "an open period cannot be reopened: 400"},
}


def serve_tools(document: dict[str, Any]) -> None:
    """Add, in place, what tools need beyond the effective contract (see the module doc)."""
    facts = document.get("x-dayzero", {})
    _enforced_query_values(document, facts.get("pagination", {}))
    _business_header_format(document, facts.get("business-header", {}))
    _create_package_rules(document)
    _error_bodies(document)
    _links(document)
    _refusals(document, facts.get("read-only-periods", {}))


def _operations(document: Mapping[str, Any]) -> Iterator[tuple[Operation, dict[str, Any]]]:
    for item in document.get("paths", {}).values():
        for operation in item.values():
            member = Operation.of(operation.get("operationId", ""))
            if member is not None:
                yield member, operation


def _enforced_query_values(document: dict[str, Any], pagination: Mapping[str, Any]) -> None:
    """Enums for the list parameters the mock checks (mock_server/listing.py reads the same facts)."""
    # ``status`` stays free: an unknown status filters everything out (200, empty), it is not refused.
    values = {"sort_by": pagination.get("sort-columns", {})}
    for member, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "query":
                continue
            name = parameter.get("name")
            allowed = values[name].get(member.value) if name in values else None
            if name == "direction":
                allowed = pagination.get("directions")
            if not allowed:
                continue
            schema = parameter.setdefault("schema", {})
            if "anyOf" in schema:  # optional (string or null): keep null, constrain the string
                schema["anyOf"] = [
                    {**branch, "enum": list(allowed)} if branch.get("type") == "string" else branch
                    for branch in schema["anyOf"]
                ]
            else:
                schema["enum"] = list(allowed)
            schema["x-dayzero-source"] = "ours"


def _business_header_format(document: dict[str, Any], header: Mapping[str, Any]) -> None:
    """The business header's format (a non-UUID answers 422), from the overlay's business-header fact."""
    name, form = header.get("name"), header.get("format")
    if not name or not form:
        return
    for _member, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "header" and parameter.get("name", "").lower() == name:
                schema = parameter.setdefault("schema", {})
                branches = schema.get("anyOf", [schema])
                for branch in branches:
                    if branch.get("type") == "string":
                        branch["format"] = form


def _create_package_rules(document: dict[str, Any]) -> None:
    """Create-package's documented rules that JSON Schema can say (the handler checks them)."""
    schema = document.get("components", {}).get("schemas", {}).get("MonthEndPackageCreateRequest")
    if schema is None:
        return
    schema["anyOf"] = [
        {"required": ["accounting_period_id"], "properties": {"accounting_period_id": {"type": "string"}}},
        {
            "required": ["period_start", "period_end"],
            "properties": {"period_start": {"type": "string"}, "period_end": {"type": "string"}},
        },
    ]
    schema["properties"]["selected_reports"]["uniqueItems"] = True  # a report listed twice is 422
    schema["x-dayzero-source"] = "documented-prose"


def _error_bodies(document: dict[str, Any]) -> None:
    """Every error answer with its ``{"detail": ...}`` schema; 429 and 503 on every operation."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_SCHEMA] = {
        "type": "object",
        "title": ERROR_SCHEMA,
        "description": "The body of every error but 422 (FastAPI's HTTPException): one sentence saying why.",
        "required": ["detail"],
        "properties": {"detail": {"type": "string", "title": "Detail"}},
        "x-dayzero-source": "inferred",
    }
    for _member, operation in _operations(document):
        responses = operation.setdefault("responses", {})
        for status, description in FAULT_STATUSES.items():
            responses.setdefault(status, {"description": description})
        responses["429"].setdefault("headers", {}).setdefault(
            "Retry-After", {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
        )
        for status in ERROR_STATUSES:
            if status in responses:
                _error_content(responses[status])


def _error_content(response: dict[str, Any]) -> None:
    """The ``{"detail": ...}`` schema on a response (a published example, if any, stays)."""
    media = response.setdefault("content", {}).setdefault("application/json", {})
    media.setdefault("schema", {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"})


def _resolve(document: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _pointer(document: Mapping[str, Any], schema: Mapping[str, Any], name: str, depth: int = 3) -> str | None:
    """JSON pointer to property ``name`` of the resource a response schema carries: ``/id`` at the
    top, else inside an object property (``/package/id``, ``/data/id``, ``/data/package/id``)."""
    properties = _resolve(document, schema).get("properties", {})
    if name in properties:
        return f"/{name}"
    if depth > 1:
        for key, child in properties.items():
            if "$ref" in child:
                found = _pointer(document, child, name, depth - 1)
                if found is not None:
                    return f"/{key}{found}"
    return None


def _success(operation: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for status, response in operation.get("responses", {}).items():
        if status.startswith("2") and "application/json" in response.get("content", {}):
            return status, response
    return None


def _links(document: dict[str, Any]) -> None:
    """``links`` from each create to the operations that take its id (and sign-off to its revoke)."""
    found = dict(_operations(document))
    for source, parameter in _CREATES.items():
        operation, success = found.get(source), _success(found.get(source, {}))
        if operation is None or success is None:
            continue
        status, response = success
        pointer = _pointer(document, response["content"]["application/json"]["schema"], "id")
        if pointer is None:
            continue
        links = response.setdefault("links", {})
        for target in Operation:
            if target is not source and target in found and f"{{{parameter}}}" in target.path:
                links[target.name.title().replace("_", "")] = {
                    "operationId": target.value,
                    "parameters": {f"path.{parameter}": f"$response.body#{pointer}"},
                    "description": f"{target.label}, for the `{parameter}` of this answer.",
                }
    for source in (Operation.CREATE_PERIOD, Operation.REOPEN_PERIOD):  # a period made or reopened can be closed
        success = _success(found.get(source, {}))
        if success is None or Operation.CLOSE_PERIOD not in found:
            continue
        end = _pointer(document, success[1]["content"]["application/json"]["schema"], "period_end")
        if end is not None:
            success[1].setdefault("links", {})["ClosePeriod"] = {
                "operationId": Operation.CLOSE_PERIOD.value,
                "requestBody": {"period_end": f"$response.body#{end}"},
                "description": "Close this period (close finds it by its end date).",
            }
    sign_off = found.get(Operation.CREATE_SIGN_OFF)
    success = _success(sign_off or {})
    if sign_off is not None and success is not None and Operation.DELETE_SIGN_OFF in found:
        schema = success[1]["content"]["application/json"]["schema"]
        period, role = _pointer(document, schema, "period_id"), _pointer(document, schema, "role")
        if period is not None and role is not None:
            success[1].setdefault("links", {})["RevokeSignOff"] = {
                "operationId": Operation.DELETE_SIGN_OFF.value,
                "parameters": {"path.period_id": f"$response.body#{period}", "query.role": f"$response.body#{role}"},
                "description": "Revoke the sign-off just made.",
            }


def _refusals(document: dict[str, Any], read_only: Mapping[str, Any]) -> None:
    """``x-dayzero-refusals`` on each operation whose schema-valid requests a rule may still refuse."""
    refusals = {member: dict(reasons) for member, reasons in _REFUSALS.items()}
    statuses = " or ".join(read_only.get("statuses", []))
    for operation_id in read_only.get("operations", []):
        member = Operation.of(operation_id)
        if member is not None:
            refusals.setdefault(member, {})[str(read_only.get("status", 400))] = (
                f"a {statuses} period can no longer be modified (reopen it first)"
            )
    for member, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            opaque = _OPAQUE_PARAMETERS.get(parameter.get("name", "")) if parameter.get("in") == "query" else None
            if opaque is not None:
                parameter["x-dayzero-refusals"] = dict(opaque)
        if member in refusals:
            operation["x-dayzero-refusals"] = refusals[member]
            for status, reason in refusals[member].items():  # the published page may not list it
                operation["responses"].setdefault(status, {"description": reason[0].upper() + reason[1:] + " (ours)."})
                _error_content(operation["responses"][status])
